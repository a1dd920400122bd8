import { describe, expect, it } from 'vitest'
import type { CallReading } from '@/cti/call-reading'
import type { CallInfo } from '@/sip/softphone'
import { BYE_WITHIN_MS, byeCSeq, dialogFate, dialogRecord, isDialogRecord, type DialogRecord } from './dialog-record'

const call: CallInfo = {
  id: 'c1-1', direction: 'in', state: 'active', remoteUser: '0312345678', remoteDisplayName: '', localUser: '1001',
  headers: {}, startedAt: 1000, answeredAt: 2000, held: false, muted: false, remoteHeld: false,
}

function record(times: { aliveAt: number; leftAt?: number }): DialogRecord {
  return dialogRecord({
    callId: call.id,
    dialog: { sipCallId: 'abc', localTag: 'ours', remoteTag: 'theirs', localUri: 'sip:1001@pbx', remoteUri: 'sip:0312345678@pbx', remoteTarget: 'sip:x@h', routeSet: [], localSeq: 3 },
    call,
    reading: { callId: call.id, requestId: '12345' } as unknown as CallReading,
    values: { NAME: '山田' },
    ...times,
  })
}

describe('what a new page does with a dialog it found', () => {
  it.each([
    ['reload 59 s ago, resume 60 s', { aliveAt: 0, leftAt: 1000 }, 60_000, 60, 'resume'],
    ['reload exactly 60 s ago', { aliveAt: 0, leftAt: 1000 }, 61_000, 60, 'resume'],
    ['reload 61 s ago', { aliveAt: 0, leftAt: 1000 }, 62_000, 60, 'bye'],
    ['crash: the last heartbeat counts', { aliveAt: 1000 }, 30_000, 60, 'resume'],
    ['crash long ago: too old even for a BYE', { aliveAt: 1000 }, 1000 + BYE_WITHIN_MS + 1, 60, 'forget'],
    ['resume off (0): only ended', { aliveAt: 1000, leftAt: 1000 }, 1500, 0, 'bye'],
    ['a record from the future (clock changed) is fresh', { aliveAt: 90_000 }, 1000, 60, 'resume'],
  ] as const)('%s → %s', (_name, times, now, seconds, fate) => {
    expect(dialogFate(record(times), now, seconds)).toBe(fate)
  })

  it('the BYE of a stored dialog has a CSeq above any the old page may have used since its last save', () => {
    expect(byeCSeq({ localSeq: 3 })).toBeGreaterThan(3 + 50)
  })

  it('records read back are checked: another version or a broken write is dropped', () => {
    const good = JSON.parse(JSON.stringify(record({ aliveAt: 1 }))) as unknown
    expect(isDialogRecord(good)).toBe(true)
    expect(isDialogRecord({ ...(good as object), version: 2 })).toBe(false)
    expect(isDialogRecord({ callId: 'x', version: 1, aliveAt: 1 })).toBe(false)
    expect(isDialogRecord(null)).toBe(false)
  })

  it('keeps the call id, the reading ({ID}) and the CRM values with the dialog', () => {
    const r = record({ aliveAt: 1 })
    expect(r).toMatchObject({ version: 1, callId: 'c1-1', reading: { requestId: '12345' }, values: { NAME: '山田' }, call: { answeredAt: 2000 } })
  })
})
