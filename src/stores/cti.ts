import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AgentCredentials, AuthResult, AuthStatus, CallFacts, CallInfo as CtiCallInfo, CtiConfig, CtiEngine, CtiLogEntry } from '@/cti'
import { usePorts } from '@/ports/ports'
import type { CallInfo } from '@/sip'
import { readCtiConfig } from '@/settings/cti-check'
import type { FieldError } from '@/settings/settings'
import { usePhoneStore } from './phone'
import { useSettingsStore } from './settings'

/** Log entries kept in memory for the CTI log panel (oldest dropped first). */
const LOG_LIMIT = 500

/**
 * The CTI integration of this tab: builds the engine from the settings, feeds it the phone's
 * call events, and exposes what the popup and the CTI log show. The engine (pure
 * TypeScript, `src/cti`) decides everything; this store only wires it to the app.
 */
export const useCtiStore = defineStore('cti', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const phone = usePhoneStore()

  const config = shallowRef<CtiConfig>()
  const configErrors = ref<FieldError[]>([])
  const configWarnings = ref<FieldError[]>([])
  const auth = ref<AuthStatus>({ state: 'off' })
  const calls = shallowRef<Record<string, CtiCallInfo>>({})
  const log = shallowRef<CtiLogEntry[]>([])
  const loginOpen = ref(false)
  let engine: CtiEngine | undefined

  const isCustom = computed(() => config.value?.target === 'custom')

  phone.onCall('added', (call) => {
    if (!engine) return
    setInfo(engine.callStarted(factsOf(call, settingsStore.settings.sip.user)))
  })
  phone.onCall('answered', (call) => engine?.callAnswered(call.id))
  phone.onCall('ended', (call) => engine?.callEnded(call.id))

  /** Builds the engine from the saved/provisioned settings; asks for the agent login when needed. */
  async function start(): Promise<void> {
    stop()
    const { settings } = settingsStore
    // Loaded on start, not with the first paint: the engine and its number formats are ~40 KB.
    const [cti, normalized] = await Promise.all([import('@/cti'), readCtiConfig(settings)])
    if (!normalized.ok) {
      configErrors.value = normalized.errors
      return
    }
    configErrors.value = []
    configWarnings.value = normalized.warnings
    config.value = normalized.config
    const agent = settings.agent.id ? { id: settings.agent.id, password: settings.agent.password } : undefined
    engine = cti.createCtiEngine({
      config: normalized.config,
      ports: ports.cti,
      agent,
      log: (entry) => { log.value = [...log.value.slice(-(LOG_LIMIT - 1)), entry] },
    })
    engine.onUpdate(setInfo)
    engine.onAuthChange((status) => { auth.value = status })
    auth.value = engine.authStatus()
    if (normalized.config.target !== 'custom') return
    // Spec §1: the login screen pops up at each start, unless IT provisioned id and password.
    if (agent?.id && agent.password) void engine.login(agent)
    else loginOpen.value = true
  }

  function stop(): void {
    engine?.dispose()
    engine = undefined
    calls.value = {}
  }

  async function login(agent: AgentCredentials, remember: boolean): Promise<AuthResult | undefined> {
    if (!engine) return undefined
    await settingsStore.saveAgent({ id: agent.id, password: remember ? agent.password : '' })
    const result = await engine.login(agent)
    if (result.ok) loginOpen.value = false
    return result
  }

  function logout(): void {
    engine?.logout()
    loginOpen.value = isCustom.value
  }

  function popupClicked(callId: string): void {
    engine?.popupClicked(callId)
  }

  function setInfo(info: CtiCallInfo): void {
    if (info.ended) {
      const { [info.callId]: _done, ...rest } = calls.value
      calls.value = rest
    } else {
      calls.value = { ...calls.value, [info.callId]: info }
    }
  }

  return {
    config, configErrors, configWarnings, auth, calls, log, loginOpen, isCustom,
    start, stop, login, logout, popupClicked,
    clearLog: () => { log.value = [] },
  }
})

/** What the engine needs to know of a SIP call. */
export function factsOf(call: CallInfo, ownUser: string): CallFacts {
  return call.direction === 'in'
    ? {
        callId: call.id,
        direction: 'in',
        fromUser: call.remoteUser,
        displayName: call.remoteDisplayName,
        calledUser: call.localUser,
        headers: call.headers,
        anonymous: call.anonymous,
      }
    : {
        callId: call.id,
        direction: 'out',
        fromUser: ownUser,
        displayName: '',
        calledUser: call.remoteUser,
        headers: call.headers,
        anonymous: false,
      }
}
