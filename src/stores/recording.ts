import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { AppRecording } from '@/recording/app-recording'
import type { RecordingState } from '@/recording/controller'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { useOutboxStore } from './outbox'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'

/**
 * Call recording (`recording.mode`): only this handle is in the start bundle. The recorder
 * (`src/recording/app-recording.ts`: Web Audio, MediaRecorder, the store, the upload) loads
 * when a call is answered in `auto` mode, a call is taken back after a reload (issue 12), or the
 * agent presses the record button.
 */
export const useRecordingStore = defineStore('recording', () => {
  const calls = useCallsStore()
  const settings = useSettingsStore()
  const states = ref<Record<string, RecordingState>>({})
  const lost = ref<string[]>([])
  let app: Promise<AppRecording> | undefined
  const use = () => (app ??= import('@/recording/app-recording').then((m) => {
    const cti = useCtiStore()
    return m.createAppRecording({ states, lost, calls, settings, history: useHistoryStore(), outbox: useOutboxStore(), engine: cti.engine, watch, mergeMessages: useSessionStore().mergeMessages })
  }))

  const on = () => settings.settings.recording.mode
  calls.onCall('answered', (call) => {
    if (on() === 'auto') void use().then((a) => a.answered(call))
  })
  // A call an earlier page had (issue 12) records on as its next part; an end reaches a loaded recorder.
  calls.onCall('resumed', (call) => {
    if (on() !== 'off') void use().then((a) => a.resumed(call))
  })
  calls.onCall('ended', (call) => void app?.then((a) => a.ended(call)))

  return {
    states, lost,
    toggle: (callId: string) => void use().then((a) => a.toggle(callId)),
    /** The call had a recording ({RECORDED} = 1). */
    recorded: (callId: string) => callId in states.value,
  }
})
