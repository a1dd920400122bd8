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
})
