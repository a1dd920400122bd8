import { describe, expect, it } from 'vitest'
import { recordingDeliveryId, recordingFileName } from '@/outbox/cti-delivery'
import type { CallRecordDelivery } from '@/cti'
import { nextPart, partOfRecordingId, recordingPartId, type KnownPart } from './parts'

describe('recording parts of one call (a call resumed after a reload records on as part 2, 3, …)', () => {
  it('part 1 keeps the call id and outbox id of a recording in one piece; later parts add their number', () => {
    expect(recordingPartId('c1k2-3', 1)).toBe('c1k2-3')
    expect(recordingPartId('c1k2-3', 2)).toBe('c1k2-3:2')
    expect(recordingPartId('c1k2-3', 12)).toBe('c1k2-3:12')
    expect(recordingDeliveryId('c1k2-3')).toBe('recording:c1k2-3')
    expect(recordingDeliveryId('c1k2-3', 1)).toBe('recording:c1k2-3')
    expect(recordingDeliveryId('c1k2-3', 2)).toBe('recording:c1k2-3:2')
    expect(new Set([1, 2, 3].map((p) => recordingDeliveryId('c1', p))).size).toBe(3)
  })

  it.each([['c1k2-3', 1], ['c1k2-3:2', 2], ['c1k2-3:10', 10]])('the part of %s is %i', (id, part) => {
    expect(partOfRecordingId(id)).toBe(part)
  })

  it('the CRM gets <ID>.webm for part 1 and <ID>-<n>.webm after', () => {
    const delivery = (part?: number) => ({
      access: 'recording', callId: 'c1', parties: { requestId: '12345678901234567890' }, values: {},
      record: { result: 'answered', startedAt: 0, endedAt: 1, durationSeconds: 1, recorded: true, ...(part ? { part } : {}) },
    }) as unknown as CallRecordDelivery
    expect(recordingFileName(delivery(), 'audio/webm;codecs=opus')).toBe('12345678901234567890.webm')
    expect(recordingFileName(delivery(1), 'audio/webm;codecs=opus')).toBe('12345678901234567890.webm')
    expect(recordingFileName(delivery(2), 'audio/webm;codecs=opus')).toBe('12345678901234567890-2.webm')
  })

  const live = (part: number): KnownPart => ({ part, live: true })
  const done = (part: number, end: KnownPart['end']): KnownPart => ({ part, live: false, ...(end ? { end } : {}) })
  it.each<[string, KnownPart[], 'off' | 'auto' | 'manual', number | undefined]>([
    ['part 1 left unfinished by a crash → part 2', [live(1)], 'auto', 2],
    ['part 1 finished by the reload\'s pagehide → part 2', [done(1, 'left')], 'manual', 2],
    ['part 2 left live after part 1 → part 3', [done(1, 'left'), live(2)], 'auto', 3],
    ['finished part and its chunks both seen → the next one once', [live(1), done(1, 'left')], 'auto', 2],
    ['the agent stopped the recording before the reload → nothing', [done(1, 'agent')], 'manual', undefined],
    ['… also in auto mode', [done(1, 'agent')], 'auto', undefined],
    ['auto, nothing known of the call → part 1', [], 'auto', 1],
    ['manual, nothing known (the agent never pressed record) → nothing', [], 'manual', undefined],
    ['off → nothing', [live(1)], 'off', undefined],
  ])('%s', (_, known, mode, part) => {
    expect(nextPart(known, mode)).toBe(part)
  })
})
