import { defineStore } from 'pinia'
import { ref } from 'vue'
import { usePorts } from '@/ports/ports'
import { defaultSettings, parseSettings, type FieldError, type Settings } from '@/settings/settings'

const SETTINGS_KEY = 'tsunagu.settings'
const DEVICE_KEY = 'tsunagu.device'

/** Per-browser identity used as the SIP contact, so a reload replaces its own registration. */
export interface DeviceIdentity {
  contactName: string
  viaHost: string
}

export type LoadProblem =
  | { kind: 'provisioning-fetch'; url: string; message: string }
  | { kind: 'provisioning-invalid'; url: string; errors: FieldError[] }
  | { kind: 'storage'; message: string }

/**
 * Settings as saved in this browser, with provisioning by URL applied on start.
 * A provisioning document that cannot be loaded or is invalid keeps the saved settings
 * and says why.
 */
export const useSettingsStore = defineStore('settings', () => {
  const ports = usePorts()
  const settings = ref<Settings>(defaultSettings())
  const device = ref<DeviceIdentity>({ contactName: '', viaHost: '' })
  const loaded = ref(false)
  const problems = ref<LoadProblem[]>([])

  async function load(): Promise<void> {
    const saved = await ports.storage.get<unknown>(SETTINGS_KEY).catch(() => undefined)
    if (saved !== undefined) {
      const parsed = parseSettings(saved)
      if (parsed.ok) settings.value = parsed.settings
    }
    device.value = await loadDevice()
    const configUrl = new URL(ports.location.href).searchParams.get('config')
    if (configUrl) await provisionFrom(configUrl)
    loaded.value = true
  }

  async function provisionFrom(url: string): Promise<void> {
    let doc: unknown
    try {
      const response = await ports.fetch(url, { cache: 'no-store' })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      doc = await response.json()
    } catch (error) {
      problems.value.push({ kind: 'provisioning-fetch', url, message: error instanceof Error ? error.message : String(error) })
      return
    }
    const parsed = parseSettings(doc, settings.value)
    if (!parsed.ok) {
      problems.value.push({ kind: 'provisioning-invalid', url, errors: parsed.errors })
      return
    }
    settings.value = parsed.settings
    // If saving fails the phone still works with the provisioned settings for this session.
    await save()
  }

  async function loadDevice(): Promise<DeviceIdentity> {
    const saved = await ports.storage.get<DeviceIdentity>(DEVICE_KEY).catch(() => undefined)
    if (saved?.contactName && saved.viaHost) return saved
    const id = randomToken()
    const identity = { contactName: id, viaHost: `${id}.invalid` }
    await ports.storage.set(DEVICE_KEY, identity).catch(() => undefined)
    return identity
  }

  /** The agent's CTI login, saved for the next start (password only when remembered). */
  async function saveAgent(agent: Settings['agent']): Promise<void> {
    settings.value = { ...settings.value, agent: { ...agent } }
    await save()
  }

  async function save(): Promise<void> {
    try {
      await ports.storage.set(SETTINGS_KEY, settings.value)
    } catch (error) {
      problems.value.push({ kind: 'storage', message: error instanceof Error ? error.message : String(error) })
    }
  }

  return { settings, device, loaded, problems, load, save, saveAgent }
})

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('')
}
