/**
 * The call recorder of this page (issue 10 §4), loaded by `src/stores/recording.ts` when a call
 * is answered with `recording.mode` ≠ off, or the record button is pressed: it feeds the calls'
 * events to the controller (`./controller.ts`), keeps each part in the store as it is recorded
 * and stores each finished file under the cap (`./store.ts`), links it to the call's history
 * row, and owes the CRM its upload once the call ended (the `recording` access, one outbox entry
 * per part: `src/outbox/cti-delivery.ts` sends it). A call taken back after a reload or a crash
 * (issue 12) has the old page's part finished from its stored chunks and records on as the next
 * part (`./parts.ts`).
 */
import type { Ref, WatchSource } from 'vue'
import type { CtiEngine } from '@/cti'
import type { MessageTree } from '@/i18n'
import { callRecordFacts, recordingDeliveryId, type RecordingPayload } from '@/outbox/cti-delivery'
import { applyCallEvent } from '@/history/record'
import { recordingMedia } from '@/ports/browser/recording-media'
import type { Call, useCallsStore } from '@/stores/calls'
import type { useHistoryStore } from '@/stores/history'
import type { useOutboxStore } from '@/stores/outbox'
import type { useSettingsStore } from '@/stores/settings'
import { createRecordingController, type FinishedRecording, type RecordingController, type RecordingState } from './controller'
import { createLostNotice } from './lost-notice'
import { nextPart, recordingPartId, type KnownPart } from './parts'
import { recordings } from './shared'
import type { RecordingStore } from './store'

export interface AppRecording {
  answered(call: Call): void
  /** A call an earlier page had (issue 12): its parts so far are finished, and it records on as the next part. */
  resumed(call: Call): void
  ended(call: Call): void
  toggle(callId: string): void
  stopAll(): void
  /** The stored work queued so far (tests). */
  settled(): Promise<unknown>
}

/**
 * What the recorder works with, handed over by the store: no `vue`/`pinia` import of its own,
 * so this chunk does not pull Vue's runtime out of the start bundle's chunk.
 */
export interface RecordingView {
  /** Call id → its recording's state (the card's indicator and button). */
  readonly states: Ref<Record<string, RecordingState>>
  /** Calls whose recording was removed by the cap before the CRM got it (the agent is told). */
  readonly lost: Ref<string[]>
  readonly calls: ReturnType<typeof useCallsStore>
  readonly settings: ReturnType<typeof useSettingsStore>
  readonly history: ReturnType<typeof useHistoryStore>
  readonly outbox: ReturnType<typeof useOutboxStore>
  readonly engine: () => CtiEngine | undefined
  readonly watch: <T>(source: WatchSource<T>, callback: (value: T) => void) => unknown
  /** Merges texts loaded with this chunk into the app's (from the session store, which has `@/i18n`). */
  readonly mergeMessages: (messages: { en: MessageTree; ja: MessageTree }) => void
}

const MB = 1024 * 1024

export function createAppRecording(view: RecordingView): AppRecording {
  const { calls, settings: settingsStore, history: historyStore, outbox, watch } = view
  /** The ended calls, until their last part is stored (their upload needs the call's times). */
  const endedCalls = new Map<string, Call>()
  /** Calls taken back from an earlier page, and the part each records once its new leg is up. */
  const resuming = new Map<string, number>()
  const media = recordingMedia()
  const cap = () => settingsStore.settings.recording.maxMegabytes * MB
  /** Every write to the store, one after another: a part's chunks, its end, the uploads owed after it. */
  let work: Promise<unknown> = Promise.resolve()
  const queue = (task: (db: RecordingStore) => Promise<unknown>) => {
    work = work.then(async () => {
      const db = await recordings()
      if (db) await task(db)
    }).catch(() => undefined)
    return work
  }
  const noticeLost = createLostNotice({
    numberOf: async (callId) => (await (await historyStore.database())?.get(callId))?.remoteNumber,
    notify: (notice) => calls.notify(notice),
    mergeMessages: view.mergeMessages,
  })

  const controller: RecordingController | undefined = media && createRecordingController({
    media,
    now: () => Date.now(),
    mode: () => settingsStore.settings.recording.mode,
    onState: (callId, state) => { view.states.value = { ...view.states.value, [callId]: state } },
    onStarted: ({ callId, part, mimeType, createdAt }) =>
      void queue((db) => db.begin({ id: recordingPartId(callId, part), callId, part, mimeType, createdAt, durationMs: 0 })),
    onChunk: (callId, part, chunk, durationMs) => void queue((db) => db.append(recordingPartId(callId, part), chunk, durationMs)),
    onFinished: (recording) => {
      void queue((db) => store(db, recording))
      const call = endedCalls.get(recording.callId)
      if (call && recording.end === 'ended') void queue((db) => owe(db, call))
    },
  })

  async function store(db: RecordingStore, recording: FinishedRecording): Promise<void> {
    if (recording.blob.size === 0) return
    const id = recordingPartId(recording.callId, recording.part)
    const put = await db.put({ id, ...recording }, cap()).catch(() => undefined)
    if (put?.stored) await stored(recording.callId, id, put.lost)
  }

  async function stored(callId: string, id: string, lost: readonly string[]): Promise<void> {
    if (lost.length > 0) view.lost.value = [...view.lost.value, ...lost]
    void noticeLost(lost)
    await linkToHistory(callId, id)
  }

  /** The parts an earlier page left unfinished (reload, crash): finished from their stored chunks. */
  async function finishLeft(db: RecordingStore, callId?: string): Promise<void> {
    for (const live of await db.live(callId)) {
      if (controller?.active(live.callId)) continue
      const done = await db.finishLive(live.id, cap()).catch(() => undefined)
      if (done?.put.stored) await stored(live.callId, live.id, done.put.lost)
    }
  }

  /**
   * The upload owed for each stored part of an ended call: one outbox entry per part
   * (`recording:<callId>` for part 1, `recording:<callId>:<n>` after), each with its `{PART}`.
   */
  async function owe(db: RecordingStore, call: Call): Promise<void> {
    endedCalls.delete(call.id)
    const parts = (await db.partsOf(call.id)).filter((p) => !p.uploaded)
    if (parts.length === 0) return
    const delivery = view.engine()?.recordingUpload(call.id, callRecordFacts(call, true))
    if (!delivery) return
    const box = await outbox.use()
    for (const meta of parts) {
      const part = meta.part ?? 1
      const payload: RecordingPayload = { delivery: { ...delivery, record: { ...delivery.record, part } }, recordingId: meta.id }
      await box.enqueue(recordingDeliveryId(call.id, part), 'recording', payload).catch(() => undefined)
    }
  }

  /** The row's `recording` field (also after the end: its row is final by then). */
  async function linkToHistory(callId: string, recordingId: string): Promise<void> {
    const db = await historyStore.database()
    if (!db) return
    await historyStore.settled()
    const row = await db.get(callId)
    const next = row && applyCallEvent(row, { type: 'recording', recordingId })
    if (next) {
      await db.put(next)
      historyStore.written++
    }
  }

  const find = (callId: string) => calls.calls.find((c) => c.id === callId)
  const up = (call: Call | undefined) => call?.sip.state === 'active' && !call.sip.rejoining

  function startResumed(callId: string): void {
    const part = resuming.get(callId)
    const call = find(callId)
    if (part === undefined || !up(call)) return
    resuming.delete(callId)
    controller?.resumed(callId, calls.streams(callId), call!.sip.held, part)
  }

  if (controller) {
    watch(() => calls.calls.map((c) => [c.id, c.sip.held] as const), (now) => {
      for (const [callId, held] of now) controller.held(callId, held)
    })
    // A resumed call records its next part once its new leg is up.
    watch(() => calls.calls.filter((c) => resuming.has(c.id) && up(c)).map((c) => c.id), (ids) => {
      for (const id of ids) startResumed(id)
    })
    addEventListener('pagehide', () => controller.stopAll())
    // Parts a page that went away left unfinished (a call taken back finds its own done by then).
    void queue((db) => finishLeft(db))
  }

  return {
    answered(call) {
      controller?.answered(call.id, calls.streams(call.id), call.sip.held)
    },
    resumed(call) {
      void queue(async (db) => {
        const left = await db.live(call.id)
        await finishLeft(db, call.id)
        const known: KnownPart[] = [
          ...left.map((l) => ({ part: l.part, live: true })),
          ...(await db.partsOf(call.id)).map((m) => ({ part: m.part ?? 1, live: false, ...(m.end ? { end: m.end } : {}) })),
        ]
        const part = controller && nextPart(known, settingsStore.settings.recording.mode)
        // A call with parts already is a recorded call ({RECORDED} = 1), also if it records no more.
        if (known.length > 0 && !(call.id in view.states.value)) view.states.value = { ...view.states.value, [call.id]: 'done' }
        if (part === undefined) return
        resuming.set(call.id, part)
        startResumed(call.id)
      })
    },
    ended(call) {
      resuming.delete(call.id)
      if (controller?.active(call.id)) {
        endedCalls.set(call.id, call)
        controller.ended(call.id)
        return
      }
      // Nothing recording here (the call's parts are an earlier page's, or the agent stopped it): the uploads are owed now.
      void queue(async (db) => {
        await finishLeft(db, call.id)
        await owe(db, call)
      })
    },
    toggle(callId) {
      const call = find(callId)
      if (call?.sip.state === 'active') controller?.toggle(callId, calls.streams(callId), call.sip.held)
    },
    stopAll: () => controller?.stopAll(),
    settled: () => work,
  }
}
