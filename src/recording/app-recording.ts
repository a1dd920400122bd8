/**
 * The call recorder of this page (issue 10 §4), loaded by `src/stores/recording.ts` when a call
 * is answered with `recording.mode` ≠ off, or the record button is pressed: it feeds the calls'
 * events to the controller (`./controller.ts`), stores each finished file under the cap
 * (`./store.ts`), links it to the call's history row, and owes the CRM its upload (the
 * `recording` access, through the outbox: `src/outbox/cti-delivery.ts` sends it).
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
import { recordings } from './shared'

export interface AppRecording {
  answered(call: Call): void
  toggle(callId: string): void
  stopAll(): void
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
  /** The ended calls, until their file is stored (its record needs the call's times). */
  const endedCalls = new Map<string, Call>()
  const media = recordingMedia()
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
    onFinished: (recording) => void store(recording),
  })

  async function store(recording: FinishedRecording): Promise<void> {
    const db = await recordings()
    if (!db || recording.blob.size === 0) return
    const id = `${recording.callId}`
    const put = await db.put({ id, ...recording }, settingsStore.settings.recording.maxMegabytes * MB).catch(() => undefined)
    if (!put?.stored) return
    if (put.lost.length > 0) view.lost.value = [...view.lost.value, ...put.lost]
    void noticeLost(put.lost)
    await linkToHistory(recording.callId, id)
    const call = endedCalls.get(recording.callId)
    endedCalls.delete(recording.callId)
    const delivery = call && view.engine()?.recordingUpload(call.id, callRecordFacts(call, true))
    if (delivery) {
      const payload: RecordingPayload = { delivery, recordingId: id }
      await (await outbox.use()).enqueue(recordingDeliveryId(call.id), 'recording', payload).catch(() => undefined)
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

  if (controller) {
    // The file follows the hang-up: its record is the ended call's (the calls store drops it then).
    calls.onCall('ended', (call) => {
      endedCalls.set(call.id, call)
      controller.ended(call.id)
    })
    watch(() => calls.calls.map((c) => [c.id, c.sip.held] as const), (now) => {
      for (const [callId, held] of now) controller.held(callId, held)
    })
    addEventListener('pagehide', () => controller.stopAll())
  }

  return {
    answered(call) {
      controller?.answered(call.id, calls.streams(call.id), call.sip.held)
    },
    toggle(callId) {
      const call = find(callId)
      if (call?.sip.state === 'active') controller?.toggle(callId, calls.streams(callId), call.sip.held)
    },
    stopAll: () => controller?.stopAll(),
  }
}
