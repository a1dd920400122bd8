import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { mergeMessages } from '@/i18n'
import { usePorts } from '@/ports/ports'
import { createSoftphone, preloadSoftphone, type SoftphoneConfig } from '@/sip'
import type { leaderRelay } from './tab-line'
import { cloneJson, sameJson } from '@/settings/paths'
import { isSipConfigured, type Settings } from '@/settings/settings'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { referrerOrigin, useDialConsentStore } from './dial-consent'
import { useLineStore, type SoftphoneFactory } from './line'
import { useOutboxStore } from './outbox'
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
  const outbox = useOutboxStore()
  const ports = usePorts()
  const configured = ref(false)
  /**
   * `busy`: another tab of this browser has the line (found at start); `moved`: another tab took
   * it over from this one. Either way this tab follows that tab's line (below) and can take it.
   */
  const elsewhere = ref<false | 'busy' | 'moved'>(false)
  /**
   * `leader`: this tab holds the line (registration, CRM session, CTI engine, history). `follower`:
   * another tab does; this one shows that tab's line through a `RemoteSoftphone` and answers,
   * dials, holds and hangs up through it, and waits in the queue for the line: when the leader's
   * tab closes or crashes, the first follower in the queue takes the line by itself.
   * Undefined until the start decided.
   */
  const role = ref<'leader' | 'follower'>()
  /** The leader's relay of its softphone to the followers. */
  let relay: ReturnType<typeof leaderRelay> | undefined
  /** A follower's place in the queue for the line. */
  let cancelWait: (() => void) | undefined
  /** A `?dial=` number this tab passed to the phone's tab (a `tel:` link opened a new tab). */
  const handedOff = ref<string>()

  /** Keeps calls across a reload (issue 12): loaded with the line, see `resume.ts`. */
  let resume: { leave(): boolean; ready(): Promise<void>; handOver(): Promise<string[]>; willTakeBack(): Promise<ReadonlySet<string>> } | undefined

  // Closing the tab (or the browser) unregisters and ends calls with BYE, so the PBX stops
  // sending calls to a contact nobody answers and the other party is not left in silence.
  // The messages go out synchronously in `pagehide`; what follows an await is best effort.
  // A reload with resume on leaves the calls (and the registration) to the next page instead.
  ports.leaveGuard.onLeave(() => {
    if (role.value !== 'leader') return
    // A reload keeps the calls; else their ends are reported now, so the hang-up accesses leave
    // (keepalive) before the page is gone: the engine is not disposed, which would abort them.
    if (resume?.leave()) return
    outbox.stop()
    phonebooks.stop()
    void line.disconnect()
    // The followers hear it now; the first in the queue registers once this tab is gone.
    stopRelay()
  })

  // The phone's tab dials what other tabs of this browser were asked to dial.
  // Each asks the agent first unless IT trusts the page that asked (`dial-consent.ts`).
  const dialConsent = useDialConsentStore()
  ports.lineLock.onDialHandOff((target, from) => {
    if (elsewhere.value) return
    // The offer gets ready while the agent reads the question (or, trusted, as the dial starts).
    calls.readyToDial()
    void dialConsent.approve(target, from).then((ok) => ok && calls.dial(target))
  })
  // Another tab saved the settings (a follower's screens, its do-not-disturb switch): every tab
  // reads them again, and the line's tab restarts what they change, as for its own edits.
  ports.lineLock.onSettingsSaved(() => void changeAndRestart(() => settingsStore.reload()))
  // A frozen, hidden or sleeping page, or a network change: the line's timers may not have run
  // (or ran on the old network). Check the line at once, and renew an expired CRM login.
  // The agent switching back to the phone's tab is frequent: that alone checks at most every 30 s.
  let visibleCheckAt = -Infinity
  void ports.lifecycle().then((lifecycle) => {
    lifecycle.onWake((reason) => {
      if (role.value !== 'leader' || !configured.value) return
      if (reason === 'visible') {
        if (ports.clock.now() - visibleCheckAt < 30_000) return
        visibleCheckAt = ports.clock.now()
      }
      line.verify()
      cti.wake()
    })
    lifecycle.onOffline(() => {
      if (role.value === 'leader' && configured.value) line.verify()
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
      await follow()
      return
    }
    await lead()
  }

  /** The agent moves the phone into this tab. */
  async function useHere(): Promise<void> {
    leaveQueue()
    await ports.lineLock.takeOver(lineLost)
    await lead()
  }

  async function lead(): Promise<void> {
    leaveQueue()
    // The old leader's calls (this tab's view of them) are not this line's: none is replayed.
    // Gone before the tab says it leads: its registration shown is then this tab's own.
    await line.disconnect()
    calls.view = false
    elsewhere.value = false
    role.value = 'leader'
    await startLine()
  }

  /** This tab shows the leader's line and queues for it (see `role`). */
  async function follow(): Promise<void> {
    role.value = 'follower'
    calls.view = true
    leaveQueue()
    cancelWait = ports.lineLock.wait(() => void lead(), lineLost)
    const { sip } = settingsStore.settings
    configured.value = isSipConfigured(sip)
    // Calls are read here as in the leader (popup, names); the CTI accesses run there only.
    await Promise.all([cti.start({ readerOnly: true }), phonebooks.start()])
    const { followerPhone } = await import('./tab-line')
    if (role.value !== 'follower') return
    await line.connect(sipConfig(), async () => followerPhone(ports.lineLock.relay, ports.lineLock.tabId, calls, { cti, history }))
    // A take-over then registers without waiting for sip.js to load.
    void preloadSoftphone()
  }

  // The CRM's answer about a call goes from the line's tab to the others' popups, after this tab's
  // own popup has painted it (one message for the changes of a frame).
  let relaying = false
  watch(() => calls.calls, () => {
    if (!relay || relaying) return
    relaying = true
    ports.visibility.afterPaint(() => {
      relaying = false
      relay?.crmChanged(calls.calls)
    })
  })

  function leaveQueue(): void {
    cancelWait?.()
    cancelWait = undefined
  }

  async function lineLost(): Promise<void> {
    elsewhere.value = 'moved'
    // The calls in progress go with the line (resume on): the tab that took it rejoins them.
    const leaving = (await resume?.handOver()) ?? []
    outbox.stop()
    cti.stop()
    phonebooks.stop()
    // Unregisters before the other tab registers: they share this browser's SIP contact.
    await line.disconnect(leaving)
    stopRelay()
    ports.lineLock.released()
    await follow()
  }

  function stopRelay(): void {
    relay?.stop()
    relay = undefined
  }

  function sipConfig(): SoftphoneConfig {
    const { sip } = settingsStore.settings
    return {
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
    }
  }

  async function startLine(): Promise<void> {
    // Before the line registers: the resume store looks for calls left by the page before.
    if (!resume) {
      const created = (await import('./resume')).createResume({ ports, calls, line, settingsStore, mergeMessages })
      resume = created
      cti.setTakenBack(() => created.willTakeBack())
    }
    // Also when this tab led before: the tab it takes the line from may have left calls.
    await resume.ready()
    const { sip } = settingsStore.settings
    configured.value = isSipConfigured(sip)
    if (!configured.value) {
      cti.stop()
      phonebooks.stop()
      await line.disconnect()
      stopRelay()
      return
    }
    // The engine, the call reader and the phonebooks are ready before the line: no call can ring
    // past them (a first start waits a few seconds at most for the shared phonebook).
    await Promise.all([cti.start(), phonebooks.start()])
    // What the CRM is still owed (a page that went away mid-delivery) is sent from the tab with the line.
    void outbox.use().then((o) => o.start(() => role.value === 'leader')).catch(() => undefined)
    const { leaderRelay } = await import('./tab-line')
    await line.connect(sipConfig(), async (config) => {
      const phone = await factory(config)
      // Before `start()`: the followers see this line from its first registration on.
      stopRelay()
      relay = leaderRelay(phone, ports.lineLock.relay, { cti, history })
      return phone
    })
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
    if (!sameJson(before.phonebooks, after.phonebooks) && configured.value) void phonebooks.start()
    if (calls.active.length > 0) pending.value = { line: pending.value.line || restart.line, cti: pending.value.cti || restart.cti }
    else await run(restart)
    return result
  }

  async function run(restart: Restart): Promise<void> {
    // A follower reads its calls with the new rules; the line is the leader's to restart.
    if (role.value === 'follower' && restart.cti) await cti.start({ readerOnly: true })
    if (role.value !== 'leader') return
    if (restart.line) await startLine()
    else if (restart.cti && configured.value) await cti.start()
  }

  watch(() => calls.active.length, (count) => {
    if (count > 0 || (!pending.value.line && !pending.value.cti)) return
    const restart = pending.value
    pending.value = { line: false, cti: false }
    void run(restart)
  })

  return { configured, pending, elsewhere, role, handedOff, start, useHere, applySettings, importSettings, mergeMessages }
})
