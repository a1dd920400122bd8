import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRecordDelivery, CtiEngine } from '@/cti'
import type { HistoryRow } from '@/history/record'
import type { HistoryStore } from '@/history/store'
import { openRecordingStore, type RecordingStore } from '@/recording/store'
import type { AppOutbox } from './app-outbox'
import { recordings } from '@/recording/shared'
import { recoverRecordings, recoverRecordingsOf, type RecordingPayload } from './cti-delivery'

/**
 * A tab closed mid-call (the leave prompt confirmed: BYE sent, the call is over) leaves its
 * recording's part half written; the next start of the line's tab finishes it and owes the CRM
 * its upload once, as the call's own end would have. Real recording store over fake IndexedDB;
 * fake history, outbox (an id enqueued twice changes nothing, as the real one) and engine.
 */
const NOW = Date.parse('2025-04-01T00:30:00Z')
const MIME = 'audio/webm;codecs=opus'
const CAP = 100 * 1024 * 1024

let n = 0
const opened: RecordingStore[] = []
afterEach(() => {
  for (const store of opened.splice(0)) store.close()
})

const row = (callId: string, extra: Partial<HistoryRow> = {}): HistoryRow => ({
  callId, direction: 'in', remoteNumber: '0312345678', localNumber: '1001', values: { NAME: '山田' }, requestId: `ID-${callId}`,
  startedAt: NOW - 60_000, answeredAt: NOW - 55_000, lastSeenAt: NOW - 5_000, durationSeconds: 50, result: 'answered', endedBy: 'system', cutOff: true,
  ...extra,
})

async function world(options: { rows?: HistoryRow[]; takenBack?: string[]; here?: string[]; owes?: boolean } = {}) {
  const store = await openRecordingStore({ name: `tsunagu-recover-test-${++n}` })
  opened.push(store)
  const rows = new Map((options.rows ?? [row('c1')]).map((r) => [r.callId, r]))
  const history = { get: async (id: string) => rows.get(id), put: async (r: HistoryRow) => { rows.set(r.callId, r) } } as unknown as HistoryStore
  const entries = new Map<string, RecordingPayload>()
  const outbox = {
    enqueue: async (id: string, _kind: string, payload: RecordingPayload) => { if (!entries.has(id)) entries.set(id, payload) },
  } as unknown as AppOutbox
  const asked: string[] = []
  const engine = {
    pastRecord: (callId: string, parties: CallRecordDelivery['parties'], values: Record<string, string>, record: CallRecordDelivery['record'], access: string) => {
      asked.push(`${access} ${callId}`)
      return options.owes === false ? undefined : { access, callId, parties, values, record }
    },
  } as unknown as CtiEngine
  const recover = () => recoverRecordings({
    outbox, engine: () => engine, history: async () => history, store: async () => store,
    takenBack: async () => new Set(options.takenBack ?? []), here: (id) => (options.here ?? []).includes(id),
    capBytes: () => CAP, now: NOW,
  })
  /** A part the closed tab was recording: its record and chunks as they were stored. */
  const leftLive = async (callId: string, part = 1, chunks = ['webm-head', '-audio']) => {
    const id = part === 1 ? callId : `${callId}:${part}`
    await store.begin({ id, callId, part, mimeType: MIME, createdAt: NOW - 50_000, durationMs: 0 })
    for (const [i, chunk] of chunks.entries()) await store.append(id, new Blob([chunk]), (i + 1) * 1000)
    return id
  }
  return { store, rows, entries, asked, recover, leftLive }
}

describe('recoverRecordings: the recording of a call a closed tab left reaches the CRM', () => {
  it('the half-written part is finished from its chunks and owed one upload, with the row\'s {ID} and {PART} 1', async () => {
    const w = await world()
    await w.leftLive('c1')
    expect(await w.recover()).toEqual(['recording:c1'])
    const file = await w.store.get('c1')
    expect(await file!.blob.text()).toBe('webm-head-audio')
    expect(file).toMatchObject({ callId: 'c1', part: 1, end: 'left', durationMs: 2000 })
    expect(await w.store.live()).toEqual([])
    const payload = w.entries.get('recording:c1')!
    expect(payload.recordingId).toBe('c1')
    expect(payload.delivery).toMatchObject({ access: 'recording', callId: 'c1', parties: { requestId: 'ID-c1', tel: '0312345678' }, values: { NAME: '山田' } })
    expect(payload.delivery.record).toMatchObject({ part: 1, recorded: true, result: 'answered', endedAt: NOW - 5_000, durationSeconds: 50 })
    // Its history row plays it and shows its upload.
    expect(w.rows.get('c1')!.recordingId).toBe('c1')
  })

  it('a call resumed once before (parts 1 and 2) owes each part under its own id', async () => {
    const w = await world({ rows: [row('c1', { recordingId: 'c1' })] })
    await w.store.put({ id: 'c1', callId: 'c1', blob: new Blob(['one']), mimeType: MIME, durationMs: 1000, createdAt: NOW - 50_000, part: 1, end: 'left' }, CAP)
    await w.leftLive('c1', 2)
    expect((await w.recover()).sort()).toEqual(['recording:c1', 'recording:c1:2'])
    expect(w.entries.get('recording:c1:2')).toMatchObject({ recordingId: 'c1:2', delivery: { record: { part: 2 } } })
    expect(w.entries.get('recording:c1')).toMatchObject({ recordingId: 'c1', delivery: { record: { part: 1 } } })
    expect(w.rows.get('c1')!.recordingParts).toEqual(['c1', 'c1:2'])
  })

  it('owes each upload once: a second start, or an entry the call\'s own end made, is left as it is', async () => {
    const w = await world()
    await w.leftLive('c1')
    await w.recover()
    const first = w.entries.get('recording:c1')
    expect(await w.recover()).toEqual(['recording:c1']) // enqueued again: a no-op on the existing id
    expect(w.entries.size).toBe(1)
    expect(w.entries.get('recording:c1')).toBe(first)
  })

  it('leaves alone a call the resume logic takes back, and a call this page has: their real end owes them', async () => {
    const w = await world({ rows: [row('back'), row('mine')], takenBack: ['back'], here: ['mine'] })
    await w.leftLive('back')
    await w.leftLive('mine')
    expect(await w.recover()).toEqual([])
    expect((await w.store.live()).map((l) => l.id).sort()).toEqual(['back', 'mine'])
    expect(w.entries.size).toBe(0)
    expect(w.asked).toEqual([])
  })

  it('owes nothing for a part the CRM has already, nor when the engine owes no upload (access off, internal call)', async () => {
    const w = await world({ rows: [row('c1'), row('c2')], owes: false })
    await w.store.put({ id: 'c2', callId: 'c2', blob: new Blob(['x']), mimeType: MIME, durationMs: 1000, createdAt: NOW - 50_000 }, CAP)
    await w.store.markUploaded('c2', NOW - 1000, true)
    await w.leftLive('c1')
    expect(await w.recover()).toEqual([])
    expect(w.asked).toEqual(['recording c1'])
    // Still finished: playable from its row.
    expect(await w.store.get('c1')).toMatchObject({ end: 'left' })
  })

  it('a call without a history row is owed nothing (its facts are unknown); its part stays stored', async () => {
    const w = await world({ rows: [] })
    await w.leftLive('c1')
    expect(await w.recover()).toEqual([])
    expect(await w.store.get('c1')).toBeDefined()
  })
})

describe('recoverRecordingsOf: the CTI store\'s call', () => {
  it('looks once per page: a restart of the engine later (settings saved) does not take a call that just ended here for a left one', async () => {
    const store = (await recordings())!
    const rows = new Map([['c1', row('c1')], ['c2', row('c2')]])
    const history = { settled: async () => undefined, database: async () => ({ get: async (id: string) => rows.get(id), put: async (r: HistoryRow) => { rows.set(r.callId, r) } }) as unknown as HistoryStore, written: 0 }
    const owed: string[] = []
    const outbox = { enqueue: async (id: string) => { owed.push(id) } } as unknown as AppOutbox
    const engine = { pastRecord: (callId: string, parties: unknown, values: unknown, record: unknown, access: string) => ({ access, callId, parties, values, record }) } as unknown as CtiEngine
    const stores = { history, calls: { calls: [] }, settings: { settings: { recording: { maxMegabytes: 100 } } } }
    const left = async (id: string) => {
      await store.begin({ id, callId: id, part: 1, mimeType: MIME, createdAt: NOW - 50_000, durationMs: 0 })
      await store.append(id, new Blob(['webm']), 1000)
    }
    await left('c1')
    expect(await recoverRecordingsOf(outbox, () => engine, stores, async () => new Set(), NOW)).toEqual(['recording:c1'])
    expect(history.written).toBe(1)
    await left('c2')
    expect(await recoverRecordingsOf(outbox, () => engine, stores, async () => new Set(), NOW)).toEqual([])
    expect(owed).toEqual(['recording:c1'])
    expect((await store.live()).map((l) => l.id)).toEqual(['c2'])
  })
})
