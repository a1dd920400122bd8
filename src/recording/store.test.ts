import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { openRecordingStore, type RecordingStore, type StoredRecording } from './store'

let n = 0
let open: RecordingStore[] = []
afterEach(() => {
  for (const store of open) store.close()
  open = []
})
async function fresh(): Promise<{ store: RecordingStore; name: string }> {
  const name = `tsunagu-recordings-test-${++n}`
  const store = await openRecordingStore({ name })
  open.push(store)
  return { store, name }
}

const KB = 1024
const recording = (id: string, kb: number, createdAt: number): StoredRecording => ({
  id, callId: `call-${id}`, blob: new Blob([new Uint8Array(kb * KB)], { type: 'audio/webm;codecs=opus' }),
  mimeType: 'audio/webm;codecs=opus', durationMs: kb * 100, createdAt,
})

describe('recording store (IndexedDB): a size cap, uploaded first, never a silent loss', () => {
  it('keeps the audio and finds it by call; it survives a reopen', async () => {
    const { store, name } = await fresh()
    expect(await store.put(recording('a', 4, 1), 100 * KB)).toEqual({ stored: true, evicted: [], lost: [] })
    expect(await store.ofCall('call-a')).toMatchObject({ id: 'a', bytes: 4 * KB, uploaded: false, mimeType: 'audio/webm;codecs=opus' })
    store.close()
    const again = await openRecordingStore({ name })
    open.push(again)
    const back = await again.get('a')
    expect(back?.blob.size).toBe(4 * KB)
    expect(back?.blob.type).toBe('audio/webm;codecs=opus')
  })

  it('over the cap: uploaded recordings go first, oldest first; an un-uploaded one only after, and it is reported', async () => {
    const { store } = await fresh()
    const cap = 10 * KB
    await store.put(recording('old', 4, 1), cap)
    await store.put(recording('mid', 4, 2), cap)
    await store.markUploaded('mid', 3, true)
    expect(await store.put(recording('new', 4, 4), cap)).toEqual({ stored: true, evicted: ['mid'], lost: [] })
    expect((await store.list()).map((m) => m.id).sort()).toEqual(['new', 'old'])
    expect(await store.put(recording('newest', 4, 5), cap)).toEqual({ stored: true, evicted: ['old'], lost: ['old'] })
    expect(await store.get('old')).toBeUndefined()
  })

  it('a recording larger than the cap is refused and evicts nothing', async () => {
    const { store } = await fresh()
    await store.put(recording('a', 4, 1), 10 * KB)
    expect(await store.put(recording('huge', 11, 2), 10 * KB)).toEqual({ stored: false, reason: 'too-large' })
    expect((await store.list()).map((m) => m.id)).toEqual(['a'])
  })

  it('keepLocal off: a recording is deleted as soon as the CRM has it', async () => {
    const { store } = await fresh()
    await store.put(recording('a', 4, 1), 10 * KB)
    await store.markUploaded('a', 2, false)
    expect(await store.get('a')).toBeUndefined()
    expect(await store.list()).toEqual([])
  })

  it('a part being recorded is kept chunk by chunk; a page that went away leaves it, the next finishes it from its chunks (end "left")', async () => {
    const { store, name } = await fresh()
    await store.begin({ id: 'c1', callId: 'c1', part: 1, mimeType: 'audio/webm;codecs=opus', createdAt: 10, durationMs: 0 })
    await store.append('c1', new Blob(['head-']), 1000)
    await store.append('c1', new Blob(['cluster']), 2000)
    store.close()
    const next = await openRecordingStore({ name })
    open.push(next)
    expect(await next.live('c1')).toEqual([expect.objectContaining({ id: 'c1', part: 1, durationMs: 2000 })])
    const done = await next.finishLive('c1', 100 * KB)
    expect(done?.put).toMatchObject({ stored: true })
    expect(await (await next.get('c1'))!.blob.text()).toBe('head-cluster')
    expect(await next.partsOf('c1')).toEqual([expect.objectContaining({ id: 'c1', part: 1, end: 'left', durationMs: 2000, uploaded: false })])
    expect(await next.live()).toEqual([])
    expect(await next.finishLive('c1', 100 * KB)).toBeUndefined()
  })

  it('finishing a part (put) drops its live record and chunks; the parts of a call list in part order, each its own file under the cap', async () => {
    const { store } = await fresh()
    await store.begin({ id: 'c1:2', callId: 'c1', part: 2, mimeType: 'audio/webm;codecs=opus', createdAt: 20, durationMs: 0 })
    await store.append('c1:2', new Blob(['x']), 1000)
    await store.put({ ...recording('c1:2', 2, 20), callId: 'c1', part: 2, end: 'ended' }, 10 * KB)
    await store.put({ ...recording('c1', 2, 10), callId: 'c1', part: 1, end: 'left' }, 10 * KB)
    expect(await store.live()).toEqual([])
    // A chunk arriving after its part was finished is not kept.
    await store.append('c1:2', new Blob(['late']), 3000)
    expect(await store.live()).toEqual([])
    expect((await store.partsOf('c1')).map((m) => [m.id, m.part, m.bytes])).toEqual([['c1', 1, 2 * KB], ['c1:2', 2, 2 * KB]])
    // Eviction goes per file: the uploaded part 1 makes room, part 2 stays.
    await store.markUploaded('c1', 30, true)
    expect(await store.put(recording('other', 7, 40), 10 * KB)).toEqual({ stored: true, evicted: ['c1'], lost: [] })
    expect((await store.partsOf('c1')).map((m) => m.id)).toEqual(['c1:2'])
  })
})
