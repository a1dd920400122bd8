import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { usePorts } from '@/ports/ports'
import { documentHash } from '@/settings/document-hash'
import { applyLocks, isLocked, lockedValuesOf, type LockedValue } from '@/settings/locks'
import { cloneJson, getPath, sameJson, setPath } from '@/settings/paths'
import type { Deployment } from '@/settings/deploy'
import { defaultDeployment } from '@/settings/deploy-defaults'
import { applyProvisioning, provisioningSource, type ProvisioningSource } from '@/settings/provisioning'
import type { Refusal } from '@/settings/trust'
import { CURRENT_VERSION, defaultSettings, parseSettings, type FieldError, type Settings } from '@/settings/settings'
import { readStoredRecord, STORE_SCHEMA, type ProvisioningState, type StoredRecord } from '@/settings/stored-record'
import { validateDocument } from '@/settings/validate'

export const SETTINGS_KEY = 'tsunagu.settings'
/** Where an unreadable record is copied before the agent chooses to replace it. */
export const UNREADABLE_KEY = 'tsunagu.settings.unreadable'
const DEVICE_KEY = 'tsunagu.device'

/** Per-browser identity used as the SIP contact, so a reload replaces its own registration. */
export interface DeviceIdentity {
  contactName: string
  viaHost: string
}

export type LoadProblem =
  | { kind: 'provisioning-fetch'; url: string; message: string }
  | { kind: 'provisioning-invalid'; url: string; errors: FieldError[] }
  /** The source may not provision this phone (`trust.ts`): nothing was fetched, applied or saved. */
  | { kind: 'provisioning-refused'; url: string; refusal: Refusal }
  /** A less trusted document than IT's locks: applied except these locked keys (`locked` = the lock list). */
  | { kind: 'provisioning-kept-locked'; url: string; paths: string[] }
  /** deploy.json is there but unusable: the defaults apply (the strictest). */
  | { kind: 'deploy-invalid'; url: string; message: string }
  | { kind: 'storage'; message: string }

/** `deploy.json` next to `index.html` (the app's base URL). */
export function deploymentUrl(pageHref: string): string {
  return new URL(`${import.meta.env.BASE_URL}deploy.json`, pageHref).href
}

/**
 * Whether the record saved in this browser could be read. `newer` and `corrupt` records are
 * kept as they are: nothing is written over them until the agent chooses to replace them.
 */
export type SavedState =
  | { kind: 'ok' }
  | { kind: 'newer'; schema: number }
  | { kind: 'corrupt'; errors: FieldError[] }

export type ChangeResult = { ok: true; keptLocked: string[] } | { ok: false; errors: FieldError[] }

/**
 * Settings as saved in this browser, with provisioning by URL applied on start.
 * A provisioning document that cannot be loaded or is invalid keeps the saved settings
 * and says why. Every change (screens, import, agent login) goes through here, and locked keys
 * are laid over each of them.
 */
export const useSettingsStore = defineStore('settings', () => {
  const ports = usePorts()
  const settings = ref<Settings>(defaultSettings())
  const device = ref<DeviceIdentity>({ contactName: '', viaHost: '' })
  const loaded = ref(false)
  const problems = ref<LoadProblem[]>([])
  const saved = shallowRef<SavedState>({ kind: 'ok' })
  const provisioning = shallowRef<ProvisioningState>()
  /** The operator's policy from deploy.json (the defaults until loaded, and when absent). */
  const deployment = shallowRef<Deployment>(defaultDeployment())
  // The unreadable record as read, for the copy made before replacing it (never reactive).
  let unreadable: unknown

  const locked = computed(() => settings.value.locked)
  /** Fixed values of the locked keys; from before provisioning state existed: the saved values. */
  const lockValues = computed<LockedValue[]>(() => provisioning.value?.locked ?? lockedValuesOf(settings.value, settings.value.locked))

  async function load(): Promise<void> {
    let raw: unknown
    try {
      raw = await ports.storage.get<unknown>(SETTINGS_KEY)
    } catch (error) {
      problems.value.push({ kind: 'storage', message: messageOf(error) })
    }
    const read = readStoredRecord(raw)
    if (read.kind === 'ok') {
      settings.value = read.record.settings
      provisioning.value = read.record.provisioning
    } else if (read.kind === 'newer' || read.kind === 'corrupt') {
      unreadable = raw
      saved.value = read.kind === 'newer' ? { kind: 'newer', schema: read.schema } : { kind: 'corrupt', errors: read.errors }
    }
    device.value = await loadDevice()
    const deployUrl = deploymentUrl(ports.location.href)
    // The deployment file's schema and the signature checks load with the start, not the first paint.
    const { loadDeployment } = await import('@/settings/deploy')
    const deploy = await loadDeployment(ports.fetch, deployUrl)
    deployment.value = deploy.deployment
    if (deploy.problem) problems.value.push({ kind: 'deploy-invalid', url: deployUrl, message: deploy.problem })
    const source = provisioningSource(ports.location.href)
    if (source) await provisionFrom(source)
    else settings.value = applyLocks(settings.value, lockValues.value)
    // An upgraded record is written back in the current schema.
    if (read.kind === 'ok' && read.upgradedFrom !== undefined) await save()
    loaded.value = true
  }

  async function provisionFrom(source: ProvisioningSource): Promise<void> {
    const label = source.kind === 'url' ? source.url : source.label
    const keepSaved = () => { settings.value = applyLocks(settings.value, lockValues.value) }
    if (source.kind === 'inline-invalid') {
      problems.value.push({ kind: 'provisioning-fetch', url: label, message: source.message })
      keepSaved()
      return
    }
    // Trust first: a refused source is never fetched, and nothing is applied or saved.
    const { admitSource } = await import('@/settings/trust')
    const admitted = await admitSource(source, ports.location.href, deployment.value, crypto.subtle)
    if (!admitted.ok) {
      problems.value.push({ kind: 'provisioning-refused', url: label, refusal: admitted.refusal })
      keepSaved()
      return
    }
    let doc: unknown
    try {
      if (admitted.kind === 'inline') doc = JSON.parse(admitted.text)
      else {
        // No redirects: a listed origin must not hand the phone to another one.
        const response = await ports.fetch(admitted.url, { cache: 'no-store', redirect: 'error' })
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        doc = await response.json()
      }
    } catch (error) {
      problems.value.push({ kind: 'provisioning-fetch', url: label, message: messageOf(error) })
      settings.value = applyLocks(settings.value, lockValues.value)
      return
    }
    const parsed = parseSettings(doc, settings.value)
    if (!parsed.ok) {
      problems.value.push({ kind: 'provisioning-invalid', url: label, errors: parsed.errors })
      settings.value = applyLocks(settings.value, lockValues.value)
      return
    }
    const applied = applyProvisioning(settings.value, doc as Record<string, unknown>, await documentHash(doc), label, provisioning.value, new Date(), admitted.trust)
    if (applied.keptLocked.length) problems.value.push({ kind: 'provisioning-kept-locked', url: label, paths: applied.keptLocked })
    settings.value = applied.settings
    provisioning.value = applied.provisioning
    // If saving fails the phone still works with the provisioned settings for this session.
    await save()
  }

  async function loadDevice(): Promise<DeviceIdentity> {
    const stored = await ports.storage.get<DeviceIdentity>(DEVICE_KEY).catch(() => undefined)
    if (stored?.contactName && stored.viaHost) return stored
    const id = randomToken()
    const identity = { contactName: id, viaHost: `${id}.invalid` }
    await ports.storage.set(DEVICE_KEY, identity).catch(() => undefined)
    return identity
  }

  /**
   * Replaces the settings with an edited document (the settings screens). Checked strictly;
   * locked keys and the lock list are kept as IT set them.
   */
  async function update(next: Settings): Promise<ChangeResult> {
    const { errors } = validateDocument(next, { cti: 'strict' })
    if (errors.length) return { ok: false, errors }
    settings.value = applyLocks({ ...cloneJson(next), version: CURRENT_VERSION, locked: [...settings.value.locked] }, lockValues.value)
    await save()
    return { ok: true, keptLocked: [] }
  }

  /** Lays an exported file over the settings; anything wrong changes nothing. */
  async function importText(text: string): Promise<ChangeResult> {
    // Import and export load with the backup screen's first use, not with the first paint.
    const { importDocument } = await import('@/settings/transfer')
    const result = importDocument(settings.value, text, lockValues.value)
    if (!result.ok) return result
    settings.value = result.settings
    await save()
    return { ok: true, keptLocked: result.keptLocked }
  }

  async function exportText(withPasswords: boolean): Promise<string> {
    const { exportDocument } = await import('@/settings/transfer')
    return exportDocument(settings.value, withPasswords)
  }

  /** The agent's CTI login, saved for the next start (password only when remembered). */
  async function saveAgent(agent: Settings['agent']): Promise<void> {
    settings.value = applyLocks({ ...settings.value, agent: { ...agent } }, lockValues.value)
    await save()
  }

  /** The UI language alone (applied at once by the screens, whatever else is being edited). */
  async function setLanguage(language: Settings['ui']['language']): Promise<void> {
    if (isLocked(locked.value, 'ui.language')) return
    settings.value = { ...settings.value, ui: { ...settings.value.ui, language } }
    await save()
  }

  /** One key the agent may change (not locked), saved at once; false when locked or unchanged. */
  async function setValue(path: string, value: unknown): Promise<boolean> {
    if (isLocked(locked.value, path) || sameJson(getPath(settings.value, path), value)) return false
    settings.value = setPath(settings.value, path, cloneJson(value))
    await save()
    return true
  }

  /** The agent's microphone or speaker choice (device menu, settings), unless IT locked it. */
  async function chooseAudio(role: keyof Settings['audio'], deviceId: string): Promise<void> {
    await setValue(`audio.${role}`, deviceId)
  }

  /** Saves the export as a dated file (passwords only when asked for). */
  async function downloadExport(withPasswords: boolean, now = new Date()): Promise<void> {
    ports.files.save(`tsunagu-settings-${now.toISOString().slice(0, 10)}.json`, await exportText(withPasswords), 'application/json')
  }

  /** Signing out forgets a remembered password, so the next person at this desk must log in. */
  async function forgetAgentPassword(): Promise<void> {
    if (!settings.value.agent.password || isLocked(locked.value, 'agent.password')) return
    await saveAgent({ ...settings.value.agent, password: '' })
  }

  async function save(): Promise<void> {
    // A record this phone cannot read stays as it is until the agent replaces it.
    if (saved.value.kind !== 'ok') return
    const record: StoredRecord = { schema: STORE_SCHEMA, settings: settings.value }
    if (provisioning.value) record.provisioning = provisioning.value
    try {
      await ports.storage.set(SETTINGS_KEY, record)
      // The phone's other tabs of this browser read it again (`reload`).
      ports.lineLock.settingsSaved()
    } catch (error) {
      problems.value.push({ kind: 'storage', message: messageOf(error) })
    }
  }

  /**
   * Another tab of this browser saved the settings: take the saved record as it is now (no
   * provisioning fetch: that tab applied it). A record this tab cannot read changes nothing.
   */
  async function reload(): Promise<ChangeResult> {
    const read = readStoredRecord(await ports.storage.get<unknown>(SETTINGS_KEY).catch(() => undefined))
    if (read.kind !== 'ok') return { ok: false, errors: [] }
    provisioning.value = read.record.provisioning
    settings.value = applyLocks(read.record.settings, lockValues.value)
    return { ok: true, keptLocked: [] }
  }

  /** The agent chose to start over: the unreadable record is copied aside, then replaced. */
  async function replaceUnreadable(): Promise<void> {
    if (saved.value.kind === 'ok') return
    try {
      await ports.storage.set(UNREADABLE_KEY, unreadable)
    } catch (error) {
      problems.value.push({ kind: 'storage', message: messageOf(error) })
      return
    }
    saved.value = { kind: 'ok' }
    await save()
  }

  return {
    settings, device, loaded, problems, saved, provisioning, locked, deployment,
    load, reload, save, saveAgent, setLanguage, setValue, chooseAudio, forgetAgentPassword, update, importText, exportText, downloadExport, replaceUnreadable,
    isLocked: (path: string) => isLocked(locked.value, path),
  }
})

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('')
}
