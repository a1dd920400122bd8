import { defineStore } from 'pinia'
import { computed, nextTick, ref, shallowRef, watch } from 'vue'
import type { AgentCredentials, AuthResult, AuthStatus, CallInfo as CtiCallInfo, CallParties, CallReading, CtiConfig, CtiEngine, CtiLogEntry } from '@/cti'
import { usePorts } from '@/ports/ports'
import { readCtiConfig } from '@/settings/cti-check'
import type { FieldError } from '@/settings/settings'
import { useCallsStore, type Call } from './calls'
import { useHistoryStore } from './history'
import { useOutboxStore } from './outbox'
import { usePhonebooksStore } from './phonebooks'
import { useRecordingStore } from './recording'
import { useSettingsStore } from './settings'

/** Log entries kept in memory for the CTI log panel (oldest dropped first). */
const LOG_LIMIT = 500
const BLOCKED_TABS_KEPT = 3

/**
 * The CRM session of the tab that holds the line, as a tab without it uses it (`tab-cti.ts`):
 * each access still runs once, there; this tab only asks.
 */
export interface CtiRemote {
  openInCrm(callId: string): void
  openPast(callId: string, parties: CallParties, values: Readonly<Record<string, string>>): Promise<void>
  login(agent: AgentCredentials, remember: boolean): Promise<AuthResult | undefined>
  logout(): void
}

/**
 * The CTI integration of this tab: builds the engine from the settings, feeds it the calls'
 * events, and hands what the CRM said back to the calls store. The engine (pure TypeScript,
 * `src/cti`) decides everything; this store only wires it to the app.
 *
 * It also sets the calls store's reader at each start, from the same settings: a call is read
 * the same way whether or not the engine could be built (an invalid `cti` section still keeps
 * 9999 and untargeted calls from popping up).
 */
export const useCtiStore = defineStore('cti', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const calls = useCallsStore()
  const phonebooks = usePhonebooksStore()
  const outbox = useOutboxStore()
  const historyStore = useHistoryStore()
  const recording = useRecordingStore()

  const config = shallowRef<CtiConfig>()
  const configErrors = ref<FieldError[]>([])
  const configWarnings = ref<FieldError[]>([])
  const auth = ref<AuthStatus>({ state: 'off' })
  const log = shallowRef<CtiLogEntry[]>([])
  const loginOpen = ref(false)
  /**
   * CRM tabs the browser refused to open, offered as links. Kept after the call ended (the
   * agent may still want that customer's page) until opened or dismissed; the last few only.
   * `url` is the real URL (the link opens it), `label` the same with its secrets masked (shown).
   */
  const blockedTabs = ref<{ callId: string; url: string; label: string }[]>([])
  let engine: CtiEngine | undefined
  /** In a tab without the line: the line's tab's session (its `auth` is written here by `tab-cti.ts`). */
  let remote: CtiRemote | undefined
  /** The history access's wiring to the outbox (docs/cti-integration.md §8), loaded with the engine. */
  let history: { ended(call: Call, recorded?: boolean): void } | undefined
  /** The engine's module once `start` loaded it (the search rehearsal runs its code). */
  let ctiModule: typeof import('@/cti') | undefined
  /** A search rehearsal under way: one at a time. */
  let rehearsing = false
  /** The calls the resume logic will take back or end itself (set by the session store). */
  let takenBack: () => Promise<ReadonlySet<string>> = async () => new Set()

  const isCustom = computed(() => config.value?.target === 'custom')
  /** The CRM tab's name, so the fallback link opens into the same tab as the accesses do. */
  const crmTabName = computed(() => config.value?.tabName ?? 'tsunagu-crm')
  /** "Open in CRM" on a call card runs the click access: offered when one is configured. */
  const canOpenInCrm = computed(() => isCustom.value && config.value?.accesses.click.method !== 'none')

  // The engine hears of a call's events after the render that shows them (`nextTick` still runs
  // in the same task; callbacks keep the order of the events), with one exception: an arriving
  // call's search request is built and sent at once, just before the popup's render. The CRM's
  // answer is what the popup waits for: measured here (40 calls, A/B in one session), sending it
  // before the render showed the answer p50 1.8 ms / p95 3 ms sooner, for about 1 ms more to the
  // popup (still p95 well under its 8 ms). Sent on arrival, in the task that read the INVITE, not
  // after the SIP stack's own handling of it in the next task (2–6 ms later); ring waits for `added`.
  const later = (work: () => void) => void nextTick(work)
  calls.onCall('arriving', (call) => engine?.callArriving(call.reading))
  calls.onCall('withdrawn', (callId) => later(() => engine?.callWithdrawn(callId)))
  calls.onCall('added', (call) => later(() => engine?.callStarted(call.reading)))
  calls.onCall('answered', (call) => later(() => engine?.callAnswered(call.id)))
  calls.onCall('ended', (call) => later(() => {
    engine?.callEnded(call.id)
    history?.ended(call, recording.recorded(call.id))
  }))
  // A call of the page before a reload (issue 12): the same call, so no second ring or answer.
  calls.onCall('resumed', (call) => later(() => engine?.callResumed(call.reading, { answered: call.sip.answeredAt !== undefined, values: call.crm.values })))

  /**
   * Builds the engine from the saved/provisioned settings; asks for the agent login when needed.
   * `readerOnly`: a tab showing another tab's line (`session.ts`) reads its calls the same way
   * (popup, names) but has no engine and no CRM session of its own: each access runs once, there.
   * Its login, logout and "open in CRM" ask that tab (`remote`, set by `tab-cti.ts`).
   */
  async function start(options: { readerOnly?: boolean } = {}): Promise<void> {
    stop()
    const { settings } = settingsStore
    // Loaded on start, not with the first paint: the engine and its number formats are ~40 KB.
    const [cti, normalized, delivery, box] = await Promise.all([import('@/cti'), readCtiConfig(settings), import('@/outbox/cti-delivery'), outbox.use()])
    ctiModule = cti
    const rules = normalized.ok ? cti.readingRulesOf(normalized.config) : cti.lenientReadingRules(settings.cti, settings.sip.user)
    calls.setReader((facts) => cti.readCall(facts, rules, { random: ports.cti.random, nameFor: phonebooks.nameFor }))
    if (!normalized.ok) {
      configErrors.value = normalized.errors
      return
    }
    configErrors.value = []
    configWarnings.value = normalized.warnings
    config.value = normalized.config
    // The CRM status, login and "open in CRM" are the line's tab's (`remote`): it sends its `auth`.
    if (options.readerOnly) return
    const agent = settings.agent.id ? { id: settings.agent.id, password: settings.agent.password } : undefined
    engine = cti.createCtiEngine({
      config: normalized.config,
      ports: ports.cti,
      agent,
      log: (entry) => { log.value = [...log.value.slice(-(LOG_LIMIT - 1)), entry] },
    })
    // A cut-off row of a call this page takes back after a reload is no cut-off: its end comes.
    history = delivery.wireHistory(box, () => engine, historyStore.database, ports.cti.clock.now().getTime(), () => takenBack())
    delivery.wireRecordings(box, () => engine, () => settingsStore.settings.recording.keepLocal, () => ports.cti.clock.now().getTime())
    // What a tab closed mid-call recorded is finished and owed its upload too (issue 10), after
    // the resume logic said which calls it takes back (their real end owes theirs).
    void delivery.recoverRecordingsOf(box, () => engine, { history: historyStore, calls, settings: settingsStore }, () => takenBack(), ports.cti.clock.now().getTime())
    engine.onUpdate(crmUpdate)
    // Its search path compiled before the first call, not on it (then with each idle rehearsal).
    // (After this start, not a timer: it holds no clock the stores' timer checks would see.)
    void Promise.resolve().then(() => {
      const reading = calls.rehearse()
      if (reading) rehearse(reading)
    })
    engine.onAuthChange((status) => { auth.value = status })
    auth.value = engine.authStatus()
    if (normalized.config.target !== 'custom') return
    // docs/cti-integration.md §1: the login screen pops up at each start (prefilled with what
    // was saved), unless IT's provisioning document gave the agent's id and password.
    if (agent?.id && agent.password && settingsStore.provisioning?.providesAgent) void engine.login(agent).then((r) => r.ok && loggedIn())
    else loginOpen.value = true
  }

  /**
   * Runs the search of the calls store's made-up call (`rehearse`) through the engine's code,
   * answered at once, sending nothing (`cti/rehearsal.ts`): once the engine is made, and while
   * idle with the popup's rehearsal (`plugins/rehearse.ts`), so a real call's search path is
   * compiled. Only in the line's tab, with an engine; "no call up" is the calls store's rule: it
   * gives a reading only while there is none.
   */
  function rehearse(reading: CallReading): void {
    const current = config.value
    if (!engine || !current || !ctiModule || rehearsing) return
    rehearsing = true
    void ctiModule.rehearseSearch(current, reading, ports.cti).catch(() => false).finally(() => { rehearsing = false })
  }

  function stop(): void {
    engine?.dispose()
    engine = undefined
  }

  /** The page woke up (resume, online, sleep): a CRM login that expired meanwhile runs again now. */
  function wake(): void {
    engine?.wake()
  }

  async function login(agent: AgentCredentials, remember: boolean): Promise<AuthResult | undefined> {
    if (!engine && !remote) return undefined
    if (engine) await settingsStore.saveAgent({ id: agent.id, password: remember ? agent.password : '' })
    const result = engine ? await engine.login(agent) : await remote?.login(agent, remember)
    if (!result) return undefined
    if (result.ok) {
      loginOpen.value = false
      loggedIn()
    }
    return result
  }

  /** After the CRM login: the account phonebook's URL with this agent's `{AID}`/`{SID}`. */
  function loggedIn(): void {
    const template = settingsStore.settings.phonebooks.account
    phonebooks.setAccountSource(template ? () => engine?.expandUrl(template) : undefined)
  }

  function logout(): void {
    if (!engine) remote?.logout()
    phonebooks.setAccountSource(undefined)
    engine?.logout()
    loginOpen.value = isCustom.value
  }

  /** The popup body or its notification was clicked, or "open in CRM" on the call card. */
  function openInCrm(callId: string): void {
    later(() => (engine ? engine.popupClicked(callId) : remote?.openInCrm(callId)))
  }

  function dismissBlocked(callId: string): void {
    blockedTabs.value = blockedTabs.value.filter((b) => b.callId !== callId)
  }

  /**
   * The agent clicked a blocked tab's link: open it the way the accesses do (the one CRM tab,
   * whose opener cannot reach the phone). False when the browser refused again; the link's
   * own `rel="noopener"` navigation is the fallback then.
   */
  function openBlocked(callId: string): boolean {
    const blocked = blockedTabs.value.find((b) => b.callId === callId)
    dismissBlocked(callId)
    if (!blocked) return false
    try {
      return ports.cti.openTab(blocked.url, crmTabName.value).ok
    } catch {
      return false
    }
  }

  function crmUpdate(info: CtiCallInfo): void {
    const url = info.blockedUrl
    if (url !== undefined && !blockedTabs.value.some((b) => b.callId === info.callId && b.url === url)) {
      // The engine always masks the label; without one, show no URL rather than an unmasked one.
      const entry = { callId: info.callId, url, label: info.blockedLabel ?? '' }
      blockedTabs.value = [...blockedTabs.value.filter((b) => b.callId !== info.callId), entry].slice(-BLOCKED_TABS_KEPT)
    }
    calls.setCrm(info.callId, {
      searchState: info.searchState,
      values: info.values,
      searchFailed: info.searchState === 'failed',
      ...(info.blockedUrl === undefined ? {} : { blockedUrl: info.blockedUrl }),
    })
  }

  return {
    config, configErrors, configWarnings, auth, log, loginOpen, isCustom, blockedTabs, crmTabName, canOpenInCrm,
    start, stop, wake, login, logout, openInCrm, dismissBlocked, openBlocked,
    /** The engine in use, for lazy views that run an access themselves (the history's "open in CRM"). */
    engine: () => engine,
    clearLog: () => { log.value = [] },
    rehearse,
    /** Each change of the CRM login state: the unsubscribe function (not the store's deep `$subscribe`, which walks the log). */
    onAuth: (listener: (status: AuthStatus) => void): (() => void) => watch(auth, (status) => listener(status)),
    /** Which calls the resume logic reports itself (`stores/resume.ts`), for the history's cut-off rows. */
    setTakenBack: (find: () => Promise<ReadonlySet<string>>) => { takenBack = find },
    /** The line's tab's session, in a tab without the line (`tab-cti.ts`); undefined: none. */
    remote: () => remote,
    setRemote: (next: CtiRemote | undefined) => { remote = next },
  }
})
