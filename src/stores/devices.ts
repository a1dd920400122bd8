import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { usePorts, type AudioDevice } from '@/ports/ports'
import { useSettingsStore } from './settings'

export type AudioRole = 'input' | 'output' | 'ringer'

/**
 * The device picker's model: microphones and speakers the browser offers, the agent's choice
 * saved in `settings.audio.*` (so it survives reloads), and whether the ringtone can play yet.
 * Applying the choice to calls and the ringer is the phone store's job.
 */
export const useDevicesStore = defineStore('devices', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const devices = shallowRef<AudioDevice[]>([])
  /** Browsers keep audio locked until the page had a user gesture (autoplay policy). */
  const audioUnlocked = ref(ports.ringer.unlocked)
  ports.ringer.onUnlockChange((unlocked) => { audioUnlocked.value = unlocked })
  ports.audioDevices.onChange(() => void refresh())

  const inputs = computed(() => devices.value.filter((d) => d.kind === 'audioinput'))
  const outputs = computed(() => devices.value.filter((d) => d.kind === 'audiooutput'))
  /** Names are hidden until the site may use the microphone. */
  const labelsHidden = computed(() => devices.value.some((d) => !d.label))
  const canChooseOutput = ports.audioDevices.canChooseOutput
  const chosen = computed(() => settingsStore.settings.audio)

  async function refresh(): Promise<void> {
    devices.value = await ports.audioDevices.list().catch(() => [])
  }

  /** Asks for the microphone so the browser names the devices; false when the agent refused. */
  async function revealLabels(): Promise<boolean> {
    const allowed = await ports.audioDevices.revealLabels()
    await refresh()
    return allowed
  }

  /** IT's locks, as the settings store reads them (`audio` or `audio.<role>`). */
  function isLocked(role: AudioRole): boolean {
    return settingsStore.isLocked(`audio.${role}`)
  }

  async function choose(role: AudioRole, deviceId: string): Promise<void> {
    await settingsStore.chooseAudio(role, deviceId)
  }

  return { devices, inputs, outputs, labelsHidden, canChooseOutput, chosen, audioUnlocked, refresh, revealLabels, choose, isLocked }
})
