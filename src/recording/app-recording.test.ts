import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Call } from '@/stores/calls'
import { createAppRecording, type RecordingView } from './app-recording'
import { browserMedia, type MediaConstructors, type RecorderLike, type RecordingState } from './controller'
import { recordings } from './shared'

/** A MediaRecorder stand-in: the test hands chunks over; `stop` hands the last one over, then stops. */
class FakeRecorder implements RecorderLike {
  static last: FakeRecorder | undefined
  state: RecorderLike['state'] = 'inactive'
  ondataavailable: RecorderLike['ondataavailable'] = null
  onstop: RecorderLike['onstop'] = null
  constructor(readonly stream: MediaStream, readonly options: MediaRecorderOptions) {
    FakeRecorder.last = this
  }
  get mimeType() { return 'audio/webm;codecs=opus' }
  start() { this.state = 'recording' }
  pause() { this.state = 'paused' }
  resume() { this.state = 'recording' }
  chunk(text: string) { this.ondataavailable?.({ data: new Blob([text]) }) }
  stop() {
    this.state = 'inactive'
    this.chunk('-tail')
    queueMicrotask(() => this.onstop?.())
  }
}
class FakeAudioContext {
  createMediaStreamDestination() { return { stream: {} as MediaStream } }
  createMediaStreamSource() { return { connect: () => undefined, disconnect: () => undefined } }
  async close() {}
}
vi.mock('@/ports/browser/recording-media', () => ({
  recordingMedia: () => browserMedia({ AudioContext: FakeAudioContext, MediaRecorder: FakeRecorder } as unknown as MediaConstructors),
}))

beforeAll(() => { vi.stubGlobal('addEventListener', () => undefined) })
afterAll(() => { vi.unstubAllGlobals() })

const audio = { getAudioTracks: () => [{}] } as unknown as MediaStream
const call = (id: string, sip: Partial<Call['sip']> = {}): Call => ({
  id,
  sip: { id, direction: 'in', state: 'active', remoteUser: '0312345678', remoteDisplayName: '', localUser: '1001', headers: {}, startedAt: 1000, answeredAt: 2000, held: false, muted: false, remoteHeld: false, ...sip },
  reading: {} as Call['reading'],
  crm: { searchState: 'idle', values: {}, searchFailed: false },
})

/** One page's recorder, on the fakes: its call list, the outbox entries it owes, a manual `watch`. */
function page(mode: 'auto' | 'manual' = 'auto') {
  const watchers: [() => unknown, (value: never) => void][] = []
  const enqueued: { id: string; part: number | undefined; recordingId: string }[] = []
  const states = { value: {} as Record<string, RecordingState> }
  const calls = { calls: [] as Call[], streams: () => ({ local: audio, remote: audio }) }
  const view = {
    states,
    lost: { value: [] },
    calls,
    settings: { settings: { recording: { mode, maxMegabytes: 10, keepLocal: true } } },
    history: { database: async () => undefined, settled: async () => undefined, written: 0 },
    outbox: {
      use: async () => ({
        enqueue: async (id: string, _kind: string, payload: { delivery: { record: { part?: number } }; recordingId: string }) => {
          enqueued.push({ id, part: payload.delivery.record.part, recordingId: payload.recordingId })
        },
      }),
    },
    engine: () => ({ recordingUpload: (callId: string, record: object) => ({ access: 'recording', callId, parties: { requestId: 'REQ' }, values: {}, record }) }),
    watch: (source: () => unknown, callback: (value: never) => void) => watchers.push([source, callback]),
  } as unknown as RecordingView
  const app = createAppRecording(view)
  return {
    app, calls, states, enqueued,
    /** The stores changed: the watchers run (Vue would after the render). */
    tick: () => { for (const [source, callback] of watchers) callback(source() as never) },
    settled: async () => {
      for (let i = 0; i < 5; i++) {
        await app.settled()
        await new Promise((r) => setTimeout(r, 0))
      }
    },
  }
}

describe('the recorder of a page: parts of a call resumed after a reload or a crash', () => {
  it('a crash mid-call: the next page finishes part 1 from its stored chunks, records part 2 once the new leg is up, and owes one upload per part with {PART}', async () => {
    const first = page()
    first.calls.calls = [call('c1')]
    first.app.answered(call('c1'))
    FakeRecorder.last!.chunk('head-')
    FakeRecorder.last!.chunk('one')
    await first.settled()
    // The renderer dies: no stop, no end. A new page takes the call back.
    const second = page()
    second.calls.calls = [call('c1', { state: 'dialing', rejoining: true })]
    second.app.resumed(call('c1', { state: 'dialing', rejoining: true }))
    await second.settled()
    const db = (await recordings())!
    expect((await db.partsOf('c1')).map((m) => [m.id, m.part, m.end])).toEqual([['c1', 1, 'left']])
    expect(await (await db.get('c1'))!.blob.text()).toBe('head-one')
    expect(second.states.value.c1).toBe('done')
    // The new leg is up: part 2 records.
    second.calls.calls = [call('c1')]
    second.tick()
    expect(second.states.value.c1).toBe('recording')
    FakeRecorder.last!.chunk('two')
    second.app.ended(call('c1', { state: 'ended', endedAt: 9000, endReason: 'hangup-local' }))
    await second.settled()
    expect((await db.partsOf('c1')).map((m) => [m.id, m.part, m.end])).toEqual([['c1', 1, 'left'], ['c1:2', 2, 'ended']])
    expect(await (await db.get('c1:2'))!.blob.text()).toBe('two-tail')
    expect(second.enqueued).toEqual([
      { id: 'recording:c1', part: 1, recordingId: 'c1' },
      { id: 'recording:c1:2', part: 2, recordingId: 'c1:2' },
    ])
    expect(await db.live()).toEqual([])
  })

  it('a recording the agent stopped before the reload stays stopped on the next page; its part is still uploaded when the call ends', async () => {
    const first = page('manual')
    first.calls.calls = [call('c2')]
    first.app.toggle('c2')
    FakeRecorder.last!.chunk('said')
    first.app.toggle('c2')
    await first.settled()
    const second = page('manual')
    second.calls.calls = [call('c2')]
    second.app.resumed(call('c2'))
    await second.settled()
    second.tick()
    expect(second.states.value.c2).toBe('done')
    second.app.ended(call('c2', { state: 'ended', endedAt: 9000, endReason: 'hangup-remote' }))
    await second.settled()
    expect(second.enqueued).toEqual([{ id: 'recording:c2', part: 1, recordingId: 'c2' }])
    expect((await (await recordings())!.partsOf('c2')).map((m) => m.end)).toEqual(['agent'])
  })

  it('a call recorded in one piece uploads once as part 1, under the outbox id it always had', async () => {
    const only = page()
    only.calls.calls = [call('c3')]
    only.app.answered(call('c3'))
    FakeRecorder.last!.chunk('all')
    only.app.ended(call('c3', { state: 'ended', endedAt: 9000, endReason: 'hangup-local' }))
    await only.settled()
    expect(only.enqueued).toEqual([{ id: 'recording:c3', part: 1, recordingId: 'c3' }])
  })
})
