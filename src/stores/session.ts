import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { usePorts } from '@/ports/ports'
import { createSoftphone } from '@/sip'
import { cloneJson, sameJson } from '@/settings/paths'
import { isSipConfigured, type Settings } from '@/settings/settings'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { referrerOrigin, useDialConsentStore } from './dial-consent'
import { useLineStore, type SoftphoneFactory } from './line'
import { usePhonebooksStore } from './phonebooks'
import { useSettingsStore, type ChangeResult } from './settings'

/** What a settings change needs restarted. */
interface Restart {
  /** The SIP account changed: register again (the CTI engine too, it derives from sip.*). */
  line: boolean
  /** `cti` or `agent` changed: build the engine again. */
  cti: boolean
}

/**
 * Start-up: settings (saved, then provisioned by URL), then the line. Later changes of the
 * settings (screens, import) restart what they affect; popup, audio, call and language
 * settings are read live by their stores and need nothing here.
 */
export const useSessionStore = defineStore('session', () => {
  const settingsStore = useSettingsStore()
  const line = useLineStore()
  const calls = useCallsStore()
  const cti = useCtiStore()
  const phonebooks = usePhonebooksStore()
  const history = useHistoryStore()
  const ports = usePorts()
  const configured = ref(false)
  /**
   * `busy`: another tab of this browser has the line (found at start); `moved`: another tab took
   * it over from this one. Either way this tab shows why it does not ring, and can take it back.
   */
  const elsewhere = ref<false | 'busy' | 'moved'>(false)
  /** A `?dial=` number this tab passed to the phone's tab (a `tel:` link opened a new tab). */
  const handedOff = ref<string>()

  // Closing the tab (or the browser) unregisters and ends calls with BYE, so the PBX stops
  // sending calls to a contact nobody answers and the other party is not left in silence.
  // The messages go out synchronously in `pagehide`; what follows an await is best effort.
  ports.leaveGuard.onLeave(() => {
    if (elsewhere.value) return
    cti.stop()
    phonebooks.stop()
    void line.disconnect()
  })

  // The phone's tab dials what other tabs of this browser were asked to dial.
  // Each asks the agent first unless IT trusts the page that asked (`dial-consent.ts`).
  const dialConsent = useDialConsentStore()
  ports.lineLock.onDialHandOff((target, from) => {
    if (!elsewhere.value) void dialConsent.approve(target, from).then((ok) => ok && calls.dial(target))
  })
  // A frozen, hidden or sleeping page, or a network change: the line's timers may not have run
  // (or ran on the old network). Check the line at once, and renew an expired CRM login.
  // The agent switching back to the phone's tab is frequent: that alone checks at most every 30 s.
  let visibleCheckAt = -Infinity
  void ports.lifecycle().then((lifecycle) => {
    lifecycle.onWake((reason) => {
      if (elsewhere.value || !configured.value) return
      if (reason === 'visible') {
        if (ports.clock.now() - visibleCheckAt < 30_000) return
        visibleCheckAt = ports.clock.now()
      }
      line.verify()
      cti.wake()
    })
    lifecycle.onOffline(() => {
      if (!elsewhere.value && configured.value) line.verify()
    })
  })

  /** A restart waiting for the calls in progress to end: re-registering would drop them. */
  const pending = ref<Restart>({ line: false, cti: false })
  let factory: SoftphoneFactory = createSoftphone

  async function start(softphoneFactory: SoftphoneFactory = createSoftphone): Promise<void> {
    factory = softphoneFactory
    await settingsStore.load()
    // Retention and the missed-call badge; never waited for: the line does not depend on it.
    void history.start()
    if (!(await ports.lineLock.acquire(lineLost))) {
      elsewhere.value = 'busy'
      const target = line.takePendingDial()
      if (target) {
        ports.lineLock.handOffDial(target, referrerOrigin(ports.location.referrer))
        handedOff.value = target
      }
      return
    }
    await startLine()
  }

  /** The agent moves the phone into this tab. */
  async function useHere(): Promise<void> {
    await ports.lineLock.takeOver(lineLost)
    elsewhere.value = false
    await startLine()
  }

  async function lineLost(): Promise<void> {
    elsewhere.value = 'moved'
    cti.stop()
    phonebooks.stop()
    // Unregisters before the other tab registers: they share this browser's SIP contact.
    await line.disconnect()
    ports.lineLock.released()
  }

  async function startLine(): Promise<void> {
    const { sip } = settingsStore.settings
    configured.value = isSipConfigured(sip)
    if (!configured.value) {
      cti.stop()
      phonebooks.stop()
      await line.disconnect()
      return
    }
    // The engine, the call reader and the phonebooks are ready before the line: no call can ring
    // past them (a first start waits a few seconds at most for the shared phonebook).
    await Promise.all([cti.start(), phonebooks.start()])
    await line.connect({
      server: sip.server,
      domain: sip.domain,
      user: sip.user,
      password: sip.password,
      authUser: sip.authUser || undefined,
      displayName: sip.displayName,
      contactName: settingsStore.device.contactName,
      viaHost: settingsStore.device.viaHost,
      iceServers: sip.iceServers,
      // A cap for STUN/TURN gathering; without servers the INVITE leaves after the host candidates.
      iceGatheringTimeoutMs: 1500,
      registerExpires: sip.registerExpires,
      keepAliveSeconds: sip.keepAliveSeconds,
    }, factory)
  }

  /** Saves an edited settings document and restarts what it changed. */
  function applySettings(next: Settings): Promise<ChangeResult> {
    return changeAndRestart(() => settingsStore.update(next))
  }

  /** Imports an exported settings file and restarts what it changed. */
  function importSettings(text: string): Promise<ChangeResult> {
    return changeAndRestart(() => settingsStore.importText(text))
  }

  async function changeAndRestart(change: () => Promise<ChangeResult>): Promise<ChangeResult> {
    const before = cloneJson(settingsStore.settings)
    const result = await change()
    if (!result.ok) return result
    const after = settingsStore.settings
    const line = !sameJson(before.sip, after.sip)
    const restart = { line, cti: line || !sameJson(before.cti, after.cti) || !sameJson(before.agent, after.agent) }
    // Phonebooks apply at once: a call in progress keeps the names it was read with.
    if (!sameJson(before.phonebooks, after.phonebooks) && configured.value && !elsewhere.value) void phonebooks.start()
    if (calls.active.length > 0) pending.value = { line: pending.value.line || restart.line, cti: pending.value.cti || restart.cti }
    else await run(restart)
    return result
  }

  async function run(restart: Restart): Promise<void> {
    if (elsewhere.value) return
    if (restart.line) await startLine()
    else if (restart.cti && configured.value) await cti.start()
  }

  watch(() => calls.active.length, (count) => {
    if (count > 0 || (!pending.value.line && !pending.value.cti)) return
    const restart = pending.value
    pending.value = { line: false, cti: false }
    void run(restart)
  })

  return { configured, pending, elsewhere, handedOff, start, useHere, applySettings, importSettings }
})
