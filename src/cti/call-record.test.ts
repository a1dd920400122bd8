import { describe, expect, it } from 'vitest'
import { epochSeconds, isoLocal, recordValues } from './call-record'
import { expandTemplate } from './template'

const T = Date.parse('2025-04-01T00:30:45.678Z')

describe('the call record\'s placeholders (docs/cti-integration.md §8)', () => {
  it.each([
    [540, '2025-04-01T09:30:45+09:00'],
    [0, '2025-04-01T00:30:45+00:00'],
    [-300, '2025-03-31T19:30:45-05:00'],
    [330, '2025-04-01T06:00:45+05:30'],
  ])('ISO 8601 local time at offset %i is %s (whole seconds)', (offset, text) => {
    expect(isoLocal(T, offset)).toBe(text)
    expect(Date.parse(text)).toBe(Math.floor(T / 1000) * 1000)
  })

  it('|epoch gives seconds since 1970 of an ISO time; empty stays empty', () => {
    expect(epochSeconds('2025-04-01T09:30:45+09:00')).toBe(String(Math.floor(T / 1000)))
    expect(epochSeconds('')).toBe('')
    expect(epochSeconds('not a time')).toBe('')
    const variables = new Map([['START', '2025-04-01T09:30:45+09:00'], ['ANSWERED', '']])
    expect(expandTemplate('s={START|epoch}&a={ANSWERED|epoch}&t={START}', variables, { kind: 'url' }).text)
      .toBe(`s=${Math.floor(T / 1000)}&a=&t=2025-04-01T09%3A30%3A45%2B09%3A00`)
  })

  it('an answered call: result, the three times, duration and recorded flag', () => {
    const record = { result: 'answered' as const, startedAt: T, answeredAt: T + 5_000, endedAt: T + 70_000, durationSeconds: 65, recorded: true }
    expect(recordValues(record, () => 540)).toEqual({
      RESULT: 'answered',
      START: '2025-04-01T09:30:45+09:00',
      ANSWERED: '2025-04-01T09:30:50+09:00',
      END: '2025-04-01T09:31:55+09:00',
      DURATION: '65',
      RECORDED: '1',
      PART: '',
    })
  })

  it('the recording access of a call resumed after a reload: {PART} is the part uploaded (1-based), {RECORDED} stays 1', () => {
    const record = { result: 'answered' as const, startedAt: T, answeredAt: T + 5_000, endedAt: T + 70_000, durationSeconds: 65, recorded: true }
    expect(recordValues({ ...record, part: 1 }, () => 540)).toMatchObject({ PART: '1', RECORDED: '1' })
    expect(recordValues({ ...record, part: 2 }, () => 540)).toMatchObject({ PART: '2', RECORDED: '1' })
    const variables = new Map(Object.entries(recordValues({ ...record, part: 2 }, () => 540)))
    expect(expandTemplate('/recordings?part={PART}', variables, { kind: 'url' }).text).toBe('/recordings?part=2')
  })

  it('a missed call has no answer time; outside the history access every value is empty', () => {
    expect(recordValues({ result: 'missed', startedAt: T, endedAt: T + 9_000, durationSeconds: 0, recorded: false }, () => 540))
      .toMatchObject({ RESULT: 'missed', ANSWERED: '', DURATION: '0', RECORDED: '0' })
    expect(Object.values(recordValues(undefined, () => 540))).toEqual(['', '', '', '', '', '', ''])
  })
})
