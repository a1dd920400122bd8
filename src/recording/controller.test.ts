import { describe, expect, it } from 'vitest'
import { browserMedia, createRecordingController, type FinishedRecording, type MediaConstructors, type RecorderLike, type RecordingMode, type RecordingState } from './controller'

/** A MediaRecorder stand-in: records its calls, hands one chunk per start/resume segment over at stop. */
class FakeRecorder implements RecorderLike {
  static last: FakeRecorder | undefined
  state: RecorderLike['state'] = 'inactive'
  readonly calls: string[] = []
  ondataavailable: RecorderLike['ondataavailable'] = null
  onstop: RecorderLike['onstop'] = null
  constructor(readonly stream: MediaStream, readonly options: MediaRecorderOptions) {
    FakeRecorder.last = this
  }
  get mimeType() { return this.options.mimeType ?? '' }
  start(timeslice?: number) { this.calls.push(`start ${timeslice}`); this.state = 'recording' }
  pause() { this.calls.push('pause'); this.state = 'paused' }
  resume() { this.calls.push('resume'); this.state = 'recording' }
  stop() {
    this.calls.push('stop')
    this.state = 'inactive'
    this.ondataavailable?.({ data: new Blob(['opus-bytes']) })
    this.onstop?.()
  }
}

class FakeAudioContext {
  static last: FakeAudioContext | undefined
  readonly connected: MediaStream[] = []
  closed = false
  readonly destination = { stream: { id: 'mixed' } as unknown as MediaStream }
  constructor() { FakeAudioContext.last = this }
  createMediaStreamDestination() { return this.destination }
  createMediaStreamSource(stream: MediaStream) {
    return { connect: () => this.connected.push(stream), disconnect: () => undefined }
  }
  async close() { this.closed = true }
}

const stream = (id: string, tracks = 1) => ({ id, getAudioTracks: () => Array.from({ length: tracks }, () => ({})) }) as unknown as MediaStream
const STREAMS = { local: stream('mic'), remote: stream('remote') }

function setup(mode: RecordingMode) {
  let clock = 1_000_000
  const states: [string, RecordingState][] = []
  const finished: FinishedRecording[] = []
  const errors: string[] = []
  const started: string[] = []
  const chunks: [string, number, number][] = []
  const controller = createRecordingController({
    onStarted: ({ callId, part, createdAt }) => started.push(`${callId} part ${part} at ${createdAt}`),
    onChunk: (callId, part, _chunk, durationMs) => chunks.push([callId, part, durationMs]),
    media: browserMedia({ AudioContext: FakeAudioContext, MediaRecorder: FakeRecorder } as unknown as MediaConstructors),
    now: () => clock,
    mode: () => mode,
    onState: (callId, state) => states.push([callId, state]),
    onFinished: (recording) => finished.push(recording),
    onError: (callId) => errors.push(callId),
  })
  return { controller, states, finished, errors, started, chunks, advance: (ms: number) => { clock += ms } }
}

describe('recording controller', () => {
  it('auto: starts at the answer with both sides mixed into WebM/Opus, stops and hands the file over at the end', async () => {
    const r = setup('auto')
    r.controller.answered('c1', STREAMS, false)
    expect(FakeAudioContext.last!.connected).toEqual([STREAMS.local, STREAMS.remote])
    expect(FakeRecorder.last!.stream).toBe(FakeAudioContext.last!.destination.stream)
    expect(FakeRecorder.last!.options.mimeType).toBe('audio/webm;codecs=opus')
    expect(r.controller.state('c1')).toBe('recording')
    r.advance(12_000)
    r.controller.ended('c1')
    expect(FakeRecorder.last!.calls).toEqual(['start 1000', 'stop'])
    expect(r.states).toEqual([['c1', 'recording'], ['c1', 'done']])
    expect(r.finished).toHaveLength(1)
    expect(r.finished[0]).toMatchObject({ callId: 'c1', mimeType: 'audio/webm;codecs=opus', durationMs: 12_000, createdAt: 1_000_000 })
    expect(await r.finished[0]!.blob.text()).toBe('opus-bytes')
    expect(FakeAudioContext.last!.closed).toBe(true)
  })

  it('pauses on hold and resumes on unhold; the time on hold is not in the duration', () => {
    const r = setup('auto')
    r.controller.answered('c1', STREAMS, false)
    r.advance(5_000)
    r.controller.held('c1', true)
    expect(r.controller.state('c1')).toBe('paused')
    r.advance(30_000)
    r.controller.held('c1', false)
    r.advance(3_000)
    r.controller.ended('c1')
    expect(FakeRecorder.last!.calls).toEqual(['start 1000', 'pause', 'resume', 'stop'])
    expect(r.states.map(([, s]) => s)).toEqual(['recording', 'paused', 'recording', 'done'])
    expect(r.finished[0]!.durationMs).toBe(8_000)
  })

  it('manual: nothing at the answer; the button starts, and pressed again finishes the file', () => {
    const r = setup('manual')
    r.controller.answered('c1', STREAMS, false)
    expect(r.controller.state('c1')).toBeUndefined()
    r.controller.toggle('c1', STREAMS, false)
    expect(r.controller.state('c1')).toBe('recording')
    r.advance(4_000)
    r.controller.toggle('c1', STREAMS, false)
    expect(r.controller.state('c1')).toBe('done')
    expect(r.finished).toHaveLength(1)
    r.controller.toggle('c1', STREAMS, false) // one recording per call
    r.controller.ended('c1')
    expect(r.finished).toHaveLength(1)
  })

  it('off records nothing, not even with the button', () => {
    const r = setup('off')
    r.controller.answered('c1', STREAMS, false)
    r.controller.toggle('c1', STREAMS, false)
    expect(r.states).toEqual([])
  })

  it('a call answered while held starts paused; a side without audio adds nothing to the mix', () => {
    const r = setup('auto')
    r.controller.answered('c1', { local: stream('mic', 0), remote: STREAMS.remote }, true)
    expect(FakeAudioContext.last!.connected).toEqual([STREAMS.remote])
    expect(r.controller.state('c1')).toBe('paused')
    expect(FakeRecorder.last!.calls).toEqual(['start 1000', 'pause'])
  })

  it('without the call\'s audio it tells of the error and records nothing', () => {
    const r = setup('auto')
    r.controller.answered('c1', undefined, false)
    expect(r.errors).toEqual(['c1'])
    expect(r.controller.state('c1')).toBeUndefined()
  })

  it('stopAll finishes every recording (the page goes away)', () => {
    const r = setup('auto')
    r.controller.answered('c1', STREAMS, false)
    r.controller.answered('c2', STREAMS, false)
    r.controller.stopAll()
    expect(r.finished.map((f) => f.callId)).toEqual(['c1', 'c2'])
    expect(r.finished.map((f) => f.end)).toEqual(['left', 'left'])
  })

  it('each part says why it was finished: the call\'s end, the agent\'s button', () => {
    const r = setup('manual')
    r.controller.toggle('c1', STREAMS, false)
    r.controller.toggle('c1', STREAMS, false)
    const a = setup('auto')
    a.controller.answered('c2', STREAMS, false)
    a.controller.ended('c2')
    expect([r.finished[0]!.end, a.finished[0]!.end]).toEqual(['agent', 'ended'])
    expect(a.finished[0]!.part).toBe(1)
  })

  it('a call taken back after a reload records on as the given part, also in manual mode; each chunk is handed over as it comes with the time so far', () => {
    const r = setup('manual')
    r.controller.resumed('c1', STREAMS, false, 2)
    expect(r.controller.state('c1')).toBe('recording')
    expect(r.started).toEqual(['c1 part 2 at 1000000'])
    r.advance(1_000)
    FakeRecorder.last!.ondataavailable?.({ data: new Blob(['chunk-1']) })
    r.advance(1_000)
    FakeRecorder.last!.ondataavailable?.({ data: new Blob(['chunk-2']) })
    expect(r.chunks).toEqual([['c1', 2, 1_000], ['c1', 2, 2_000]])
    r.controller.ended('c1')
    expect(r.finished[0]).toMatchObject({ callId: 'c1', part: 2, end: 'ended', durationMs: 2_000 })
  })

  it('a call taken back held starts its part paused; off records no part', () => {
    const r = setup('auto')
    r.controller.resumed('c1', STREAMS, true, 3)
    expect(r.controller.state('c1')).toBe('paused')
    expect(r.controller.active('c1')).toBe(true)
    const off = setup('off')
    off.controller.resumed('c1', STREAMS, false, 2)
    expect(off.started).toEqual([])
  })
})
