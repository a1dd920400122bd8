import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { historyCsv, localIso } from './csv'
import type { HistoryRow } from './record'

const row: HistoryRow = {
  callId: 'c1', direction: 'in', remoteNumber: '0312345678', localNumber: '1001', sipName: 'Yamada', values: { NAME: '山田 太郎', COMPANY: '=HYPERLINK("x")' },
  requestId: 'R1', code1: 'A1', code2: '', startedAt: Date.parse('2026-12-01T00:30:00Z'), answeredAt: Date.parse('2026-12-01T00:30:05Z'), endedAt: Date.parse('2026-12-01T00:31:05Z'),
  lastSeenAt: Date.parse('2026-12-01T00:31:05Z'), durationSeconds: 60, result: 'answered', endedBy: 'remote', cutOff: false,
}

describe('the history CSV', () => {
  it('is UTF-8 with BOM and CRLF, local ISO times, the CRM name first, formulas defused', () => {
    const text = historyCsv([row], 540)
    expect(text.startsWith('\ufeffstart,answered,end,direction,result,number,name,company,')).toBe(true)
    expect(text).toContain('\r\n')
    const parsed = Papa.parse<string[]>(text.slice(1).trim(), { newline: '\r\n' }).data
    expect(parsed[1]).toEqual(['2026-12-01T09:30:00+09:00', '2026-12-01T09:30:05+09:00', '2026-12-01T09:31:05+09:00', 'in', 'answered', '0312345678', '山田 太郎', `'=HYPERLINK("x")`, '60', 'remote', 'R1', 'A1', '', '0'])
  })

  it('writes local times with their offset', () => {
    expect(localIso(Date.parse('2026-12-01T00:00:00Z'), -300)).toBe('2026-11-30T19:00:00-05:00')
    expect(localIso(undefined)).toBe('')
  })
})
