import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRecorder, HEARTBEAT_MS, startedEvent, type StartNote } from './recorder'
import { openHistoryStore } from './store'

const READING: StartNote['reading'] = { remote: '0312345678', called: '1001', tel: '0312345678', telName: '山田商店', calledName: '', sipName: 'Yamada', requestId: '42', code1: 'A1', code2: '' }

afterEach(() => {
  vi.useRealTimers()
})

describe('startedEvent', () => {
  it.each([
    ['a phonebook name differs from the SIP name', { telName: '山田商店' }, { phonebookName: '山田商店', sipName: 'Yamada' }],
    ['the reading fell back on the SIP name', { telName: 'Yamada' }, { sipName: 'Yamada' }],
  ])('incoming: %s', (_name, reading, names) => {
    const event = startedEvent('c1', { type: 'added', direction: 'in', startedAt: 1000, reading: { ...READING, ...reading } })
    expect(event).toEqual({ type: 'started', callId: 'c1', direction: 'in', remoteNumber: '0312345678', localNumber: '1001', startedAt: 1000, requestId: '42', code1: 'A1', ...names })
  })

  it('outgoing: the other party is the number dialled, we are the calling party', () => {
    const reading = { ...READING, tel: '1001', called: '0663334444', remote: '0663334444', telName: '', calledName: '', sipName: '' }
    expect(startedEvent('c2', { type: 'added', direction: 'out', startedAt: 5, reading })).toMatchObject({ remoteNumber: '0663334444', localNumber: '1001' })
  })
})

describe('recorder', () => {
  it('beats while a call is up and stops once its row is final', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const db = await openHistoryStore({ name: 'recorder-heartbeat' })
    const beats: string[][] = []
    const recorder = createRecorder(db, (ids) => beats.push(ids))
    await recorder.write([{ callId: 'c1', event: { type: 'added', direction: 'in', startedAt: 1000, reading: READING } }])
    vi.advanceTimersByTime(HEARTBEAT_MS * 2)
    expect(beats).toEqual([['c1'], ['c1']])
    const [row] = await recorder.write([{ callId: 'c1', event: { type: 'ended', at: 9000, endReason: 'cancelled' } }])
    expect(row).toMatchObject({ result: 'missed', cutOff: false })
    vi.advanceTimersByTime(HEARTBEAT_MS * 2)
    expect(beats).toHaveLength(2)
    expect(await db.get('c1')).toMatchObject({ result: 'missed', cutOff: false })
    db.close()
  })

  it('a recording part linked to a live call\'s stored row meanwhile (a resumed call\'s part 1) stays in the row when the call goes on and ends', async () => {
    const db = await openHistoryStore({ name: 'recorder-recording-link' })
    const recorder = createRecorder(db, () => undefined)
    await recorder.write([{ callId: 'c1', event: { type: 'added', direction: 'in', startedAt: 1000, reading: READING } }])
    await recorder.write([{ callId: 'c1', event: { type: 'answered', at: 2000 } }])
    // The recording links its parts to the stored row directly (`@/recording/app-recording`).
    const stored = await db.get('c1')
    await db.put({ ...stored!, recordingId: 'c1' })
    await recorder.write([{ callId: 'c1', event: { type: 'seen', at: 3000 } }])
    const now = await db.get('c1')
    await db.put({ ...now!, recordingParts: ['c1', 'c1:2'] })
    const [row] = await recorder.write([{ callId: 'c1', event: { type: 'ended', at: 9000, endReason: 'hangup-local' } }])
    expect(row).toMatchObject({ cutOff: false, recordingId: 'c1', recordingParts: ['c1', 'c1:2'] })
    expect(await db.get('c1')).toMatchObject({ recordingId: 'c1', recordingParts: ['c1', 'c1:2'] })
    db.close()
  })
})
