import { describe, expect, it } from 'vitest'
import type { CallDirection, EndReason } from '@/sip/softphone'
import { applyCallEvent, historyRow, type CallEvent, type HistoryResult } from './record'

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0)

function started(direction: CallDirection, extra: Partial<Extract<CallEvent, { type: 'started' }>> = {}): CallEvent {
  return {
    type: 'started', callId: 'c1', direction, remoteNumber: '0312345678', localNumber: '1001', sipName: 'Yamada',
    startedAt: T0, requestId: 'req-1', code1: 'A1', code2: 'B2', ...extra,
  }
}

describe('history result for every way a call ends', () => {
  it.each<[string, CallDirection, boolean, EndReason, boolean, HistoryResult, 'local' | 'remote' | 'system']>([
    // incoming, never answered
    ['caller gave up', 'in', false, 'cancelled', false, 'missed', 'remote'],
    ['caller hung up while ringing', 'in', false, 'hangup-remote', false, 'missed', 'remote'],
    ['another phone took it', 'in', false, 'answered-elsewhere', false, 'missed', 'system'],
    ['agent declined', 'in', false, 'declined', false, 'declined', 'local'],
    ['agent hung up while ringing', 'in', false, 'hangup-local', false, 'declined', 'local'],
    ['do-not-disturb', 'in', false, 'declined', true, 'rejected', 'system'],
    ['do-not-disturb, any reason', 'in', false, 'rejected', true, 'rejected', 'system'],
    ['incoming failed', 'in', false, 'failed', false, 'failed', 'system'],
    ['incoming rejected by the phone', 'in', false, 'rejected', false, 'failed', 'system'],
    // outgoing, never answered
    ['agent cancelled', 'out', false, 'hangup-local', false, 'cancelled', 'local'],
    ['agent cancelled (cancelled)', 'out', false, 'cancelled', false, 'cancelled', 'local'],
    ['callee busy / not found (486, 404)', 'out', false, 'rejected', false, 'failed', 'remote'],
    ['callee declined', 'out', false, 'declined', false, 'failed', 'remote'],
    ['network failure', 'out', false, 'failed', false, 'failed', 'system'],
    ['dnd is about incoming calls only', 'out', false, 'rejected', true, 'failed', 'remote'],
    // answered
    ['incoming, agent hung up', 'in', true, 'hangup-local', false, 'answered', 'local'],
    ['incoming, caller hung up', 'in', true, 'hangup-remote', false, 'answered', 'remote'],
    ['outgoing, agent hung up', 'out', true, 'hangup-local', false, 'answered', 'local'],
    ['outgoing, callee hung up', 'out', true, 'hangup-remote', false, 'answered', 'remote'],
    ['answered, then the network failed', 'in', true, 'failed', false, 'answered', 'system'],
    // transferred
    ['incoming, transferred by the agent', 'in', true, 'transferred', false, 'transferred', 'local'],
    ['outgoing, transferred by the agent', 'out', true, 'transferred', false, 'transferred', 'local'],
  ])('%s → %s', (_, direction, answered, endReason, dnd, result, endedBy) => {
    const events: CallEvent[] = [started(direction)]
    if (answered) events.push({ type: 'answered', at: T0 + 5_000 })
    events.push({ type: 'ended', at: T0 + 65_400, endReason, ...(dnd ? { dnd } : {}) })
    const row = historyRow(events)
    expect(row).toMatchObject({ result, endedBy, endReason, cutOff: false, endedAt: T0 + 65_400, lastSeenAt: T0 + 65_400 })
    expect(row?.durationSeconds).toBe(answered ? 60 : 0)
    expect(row?.answeredElsewhere).toBe(endReason === 'answered-elsewhere' ? true : undefined)
    expect(row?.dnd).toBe(dnd && direction === 'in' ? true : undefined)
  })
})

describe('a row written before the call ends', () => {
  it.each<[string, CallDirection, boolean, HistoryResult]>([
    ['ringing in', 'in', false, 'missed'],
    ['dialling out', 'out', false, 'cancelled'],
    ['talking', 'in', true, 'answered'],
  ])('%s: cut off, ended by the system at the last moment known, result %s', (_, direction, answered, result) => {
    const events: CallEvent[] = [started(direction)]
    if (answered) events.push({ type: 'answered', at: T0 + 2_000 })
    events.push({ type: 'seen', at: T0 + 32_000 })
    expect(historyRow(events)).toMatchObject({
      result, endedBy: 'system', cutOff: true, lastSeenAt: T0 + 32_000, durationSeconds: answered ? 30 : 0,
    })
    expect(historyRow(events)?.endedAt).toBeUndefined()
  })

  it('keeps everything the start event said', () => {
    expect(historyRow([started('in', { phonebookName: '山田 太郎' })])).toEqual({
      callId: 'c1', direction: 'in', remoteNumber: '0312345678', localNumber: '1001', sipName: 'Yamada',
      phonebookName: '山田 太郎', startedAt: T0, requestId: 'req-1', code1: 'A1', code2: 'B2', values: {},
      lastSeenAt: T0, durationSeconds: 0, result: 'missed', endedBy: 'system', cutOff: true,
    })
  })
})

describe('applyCallEvent', () => {
  it('merges CRM values, later ones winning, also after the end', () => {
    const row = historyRow([
      started('in'),
      { type: 'values', values: { NAME: '山田', COMPANY: 'A社' } },
      { type: 'ended', at: T0 + 3_000, endReason: 'cancelled' },
      { type: 'values', values: { COMPANY: 'B社' }, at: T0 + 9_000 },
      { type: 'recording', recordingId: 'rec-1' },
    ])
    expect(row).toMatchObject({ values: { NAME: '山田', COMPANY: 'B社' }, recordingId: 'rec-1', result: 'missed', lastSeenAt: T0 + 3_000 })
  })

  it('a call recorded in parts (resumed after a reload) lists every part in part order; part 1 stays its recording', () => {
    const one = historyRow([started('in'), { type: 'recording', recordingId: 'c1' }])
    expect(one).toMatchObject({ recordingId: 'c1' })
    expect(one?.recordingParts).toBeUndefined()
    const row = historyRow([
      started('in'),
      { type: 'recording', recordingId: 'c1:2' },
      { type: 'recording', recordingId: 'c1' },
      { type: 'ended', at: T0 + 3_000, endReason: 'hangup-local' },
      { type: 'recording', recordingId: 'c1:3' },
      { type: 'recording', recordingId: 'c1:2' },
    ])
    expect(row).toMatchObject({ recordingId: 'c1', recordingParts: ['c1', 'c1:2', 'c1:3'] })
  })

  it('ignores events before the start, a second start, and state changes after the end', () => {
    expect(applyCallEvent(undefined, { type: 'answered', at: T0 })).toBeUndefined()
    const row = historyRow([
      started('in'),
      started('out', { callId: 'c2' }),
      { type: 'ended', at: T0 + 1_000, endReason: 'declined' },
      { type: 'answered', at: T0 + 2_000 },
      { type: 'ended', at: T0 + 3_000, endReason: 'hangup-remote' },
      { type: 'seen', at: T0 + 4_000 },
    ])
    expect(row).toMatchObject({ callId: 'c1', direction: 'in', result: 'declined', endedAt: T0 + 1_000, lastSeenAt: T0 + 1_000 })
    expect(row?.answeredAt).toBeUndefined()
  })

  it('keeps the first answer time', () => {
    const row = historyRow([started('in'), { type: 'answered', at: T0 + 1_000 }, { type: 'answered', at: T0 + 5_000 }, { type: 'ended', at: T0 + 11_000, endReason: 'hangup-local' }])
    expect(row).toMatchObject({ answeredAt: T0 + 1_000, durationSeconds: 10 })
  })

  it('does not mutate the row it is given', () => {
    const first = historyRow([started('in')])!
    const copy = structuredClone(first)
    applyCallEvent(first, { type: 'values', values: { NAME: 'x' } })
    applyCallEvent(first, { type: 'ended', at: T0 + 1, endReason: 'cancelled' })
    expect(first).toEqual(copy)
  })
})
