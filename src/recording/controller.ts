/**
 * The recorder of calls (issue 10 §4): both sides of a call mixed (Web Audio) into one
 * MediaRecorder, `audio/webm;codecs=opus` (Chromium's MediaRecorder writes no Ogg).
 *
 * ```
 *            auto: answered
 *            manual: toggle            held                 ended / manual toggle
 *  (none) ─────────────────► recording ◄────► paused ──────────────────────────► done
 *                                      unheld                     (the file goes to onFinished)
 * ```
 *
 * - `auto` starts at the answer; `manual` starts and stops on the agent's button (one recording
 *   per call: after a stop the call is `done`). `off` records nothing.
 * - A call on hold (ours) is paused, not recorded: the time on hold is not in the file nor in
 *   its duration. A call answered while held starts paused.
 * - The end of the call (or `stopAll`, the page going away) finishes the file.
 * - Parts (issue 12): a call resumed on a new page records on as part 2 (3, …), started with
 *   `resumed`; each part is its own file. Each chunk (one a second) goes to `onChunk` as it
 *   comes, and a part's start to `onStarted`, so the app keeps the part as it goes and a page
 *   that goes away without finishing it leaves it to the next one.
 *
 * The browser's media objects come through {@link RecordingMedia} (`browserMedia` builds it
 * from the AudioContext and MediaRecorder constructors), so tests run it with fakes; time
 * through `now`.
 */

import type { PartEnd } from './parts'

export type RecordingMode = 'off' | 'auto' | 'manual'
export type RecordingState = 'recording' | 'paused' | 'done'

export const RECORDING_MIME = 'audio/webm;codecs=opus'
/** MediaRecorder hands its data over once a second: a crash loses at most that (plus what is unstored). */
export const TIMESLICE_MS = 1000

export interface CallStreams {
  readonly local: MediaStream
  readonly remote: MediaStream
}

/** What the controller uses of a MediaRecorder. */
export interface RecorderLike {
  readonly state: 'inactive' | 'recording' | 'paused'
  readonly mimeType: string
  start(timeslice?: number): void
  pause(): void
  resume(): void
  stop(): void
  ondataavailable: ((event: { readonly data: Blob }) => void) | null
  onstop: (() => void) | null
}

export interface RecordingMedia {
  /** One stream with both sides of the call, and how to release what mixing it took. */
  mix(streams: CallStreams): { readonly stream: MediaStream; close(): void }
  recorder(stream: MediaStream, mimeType: string): RecorderLike
}

export interface FinishedRecording {
  readonly callId: string
  /** 1-based part of the call's recording. */
  readonly part: number
  /** Why it was finished: the agent's button, the call's end, the page going away (`stopAll`). */
  readonly end: PartEnd
  readonly blob: Blob
  readonly mimeType: string
  /** Time recorded, holds excluded. */
  readonly durationMs: number
  /** When the recording started (epoch ms). */
  readonly createdAt: number
}

export interface RecordingControllerOptions {
  readonly media: RecordingMedia
  readonly now: () => number
  readonly mode: () => RecordingMode
  /** Every change of a call's recording state (the card's indicator and button). */
  readonly onState: (callId: string, state: RecordingState) => void
  readonly onFinished: (recording: FinishedRecording) => void
  /** A part started recording (before its first chunk). */
  readonly onStarted?: (part: { readonly callId: string; readonly part: number; readonly mimeType: string; readonly createdAt: number }) => void
  /** A chunk of a part, with the time recorded so far (holds excluded). */
  readonly onChunk?: (callId: string, part: number, chunk: Blob, durationMs: number) => void
  /** Recording could not start (no audio yet, a browser that refuses): the agent is told. */
  readonly onError?: (callId: string, error: unknown) => void
}

export interface RecordingController {
  /** The call was answered: `auto` starts recording. */
  answered(callId: string, streams: CallStreams | undefined, held: boolean): void
  /** A call taken back from an earlier page (issue 12) records on as `part` (any mode but off). */
  resumed(callId: string, streams: CallStreams | undefined, held: boolean, part: number): void
  /** The manual button: starts, or finishes the recording of the call. */
  toggle(callId: string, streams: CallStreams | undefined, held: boolean): void
  /** The call went on hold (ours) or came back. */
  held(callId: string, held: boolean): void
  /** The call ended: its file is finished. */
  ended(callId: string): void
  /** Finishes every recording (the page goes away, the line stops). */
  stopAll(): void
  state(callId: string): RecordingState | undefined
  /** A recording of the call is running (recording or paused). */
  active(callId: string): boolean
}

interface Active {
  readonly part: number
  readonly recorder: RecorderLike
  readonly release: () => void
  readonly chunks: Blob[]
  readonly createdAt: number
  /** Recorded time before the current segment. */
  recordedMs: number
  /** Start of the segment being recorded; undefined while paused. */
  segmentFrom?: number
  end: PartEnd
}

export function createRecordingController(options: RecordingControllerOptions): RecordingController {
  const { media, now } = options
  const active = new Map<string, Active>()
  const states = new Map<string, RecordingState>()

  const setState = (callId: string, state: RecordingState) => {
    states.set(callId, state)
    options.onState(callId, state)
  }

  function start(callId: string, streams: CallStreams | undefined, held: boolean, part = 1): void {
    if (states.has(callId)) return
    if (!streams) {
      options.onError?.(callId, new Error('no audio for the call yet'))
      return
    }
    try {
      const mixed = media.mix(streams)
      const recorder = media.recorder(mixed.stream, RECORDING_MIME)
      const at = now()
      const entry: Active = { part, recorder, release: () => mixed.close(), chunks: [], createdAt: at, recordedMs: 0, segmentFrom: held ? undefined : at, end: 'ended' }
      recorder.ondataavailable = (event) => {
        if (event.data.size === 0) return
        entry.chunks.push(event.data)
        const sofar = entry.recordedMs + (entry.segmentFrom === undefined ? 0 : now() - entry.segmentFrom)
        options.onChunk?.(callId, part, event.data, sofar)
      }
      recorder.onstop = () => finish(callId, entry)
      options.onStarted?.({ callId, part, mimeType: recorder.mimeType || RECORDING_MIME, createdAt: at })
      recorder.start(TIMESLICE_MS)
      if (held) recorder.pause()
      active.set(callId, entry)
      setState(callId, held ? 'paused' : 'recording')
    } catch (error) {
      options.onError?.(callId, error)
    }
  }

  function finish(callId: string, entry: Active): void {
    entry.release()
    const mimeType = entry.recorder.mimeType || RECORDING_MIME
    options.onFinished({
      callId, part: entry.part, end: entry.end, blob: new Blob(entry.chunks, { type: mimeType }), mimeType, durationMs: entry.recordedMs, createdAt: entry.createdAt,
    })
  }

  function stop(callId: string, end: PartEnd): void {
    const entry = active.get(callId)
    if (!entry) return
    active.delete(callId)
    entry.end = end
    if (entry.segmentFrom !== undefined) entry.recordedMs += now() - entry.segmentFrom
    entry.segmentFrom = undefined
    setState(callId, 'done')
    // `onstop` follows the last `dataavailable`: the file is whole when `finish` runs.
    if (entry.recorder.state !== 'inactive') entry.recorder.stop()
    else finish(callId, entry)
  }

  return {
    answered(callId, streams, held) {
      if (options.mode() === 'auto') start(callId, streams, held)
    },
    resumed(callId, streams, held, part) {
      if (options.mode() !== 'off') start(callId, streams, held, part)
    },
    toggle(callId, streams, held) {
      if (options.mode() === 'off') return
      if (active.has(callId)) stop(callId, 'agent')
      else start(callId, streams, held)
    },
    held(callId, held) {
      const entry = active.get(callId)
      if (!entry) return
      if (held && entry.segmentFrom !== undefined) {
        entry.recordedMs += now() - entry.segmentFrom
        entry.segmentFrom = undefined
        if (entry.recorder.state === 'recording') entry.recorder.pause()
        setState(callId, 'paused')
      } else if (!held && entry.segmentFrom === undefined) {
        entry.segmentFrom = now()
        if (entry.recorder.state === 'paused') entry.recorder.resume()
        setState(callId, 'recording')
      }
    },
    ended: (callId) => stop(callId, 'ended'),
    stopAll() {
      for (const callId of [...active.keys()]) stop(callId, 'left')
    },
    state: (callId) => states.get(callId),
    active: (callId) => active.has(callId),
  }
}

/** The browser's constructors the mixer and recorder need (injected: tests pass fakes). */
export interface MediaConstructors {
  readonly AudioContext: new () => Pick<AudioContext, 'createMediaStreamSource' | 'createMediaStreamDestination' | 'close'>
  readonly MediaRecorder: new (stream: MediaStream, options: MediaRecorderOptions) => RecorderLike
}

/**
 * Mixing with Web Audio: a source per side (a side without an audio track adds nothing) into one
 * destination, whose stream the MediaRecorder records.
 */
export function browserMedia(ctors: MediaConstructors): RecordingMedia {
  return {
    mix({ local, remote }) {
      const context = new ctors.AudioContext()
      const destination = context.createMediaStreamDestination()
      const sources = [local, remote]
        .filter((stream) => stream.getAudioTracks().length > 0)
        .map((stream) => {
          const source = context.createMediaStreamSource(stream)
          source.connect(destination)
          return source
        })
      return {
        stream: destination.stream,
        close() {
          for (const source of sources) source.disconnect()
          void context.close().catch(() => undefined)
        },
      }
    },
    recorder: (stream, mimeType) => new ctors.MediaRecorder(stream, { mimeType, audioBitsPerSecond: 32_000 }),
  }
}
