import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { usePorts } from '@/ports/ports'
import type { CallInfo, DtmfMethod, RegistrationStatus, Softphone, SoftphoneConfig, TransferResult } from '@/sip'
import { dialTargetOf } from '@/sip/dial-target'
import { TypedEmitter } from '@/sip/typed-emitter'
import { referrerOrigin, useDialConsentStore } from './dial-consent'
import { useSettingsStore } from './settings'

/** Call lifecycle events for other stores (CTI, history): one source, no watchers on snapshots. */
export interface CallEvents {
  added: (call: CallInfo) => void
  answered: (call: CallInfo) => void
  ended: (call: CallInfo) => void
}

export type SoftphoneFactory = (config: SoftphoneConfig) => Promise<Softphone>

/** What the DTMF keypad shows for a call: the digits sent so far and how they went out. */
export interface DtmfLog {
  sent: string
  method?: DtmfMethod
  error?: string
}

/** Something the agent should know about that is no call state (shown until dismissed). */
export type PhoneNotice =
  | { id: number; kind: 'transfer-failed'; number: string }
  | { id: number; kind: 'referred'; number: string }

/**
 * The line and its calls. Holds the `Softphone` as a plain (non-reactive) object: sip.js
 * instances and MediaStreams never become Vue proxies. Calls are immutable snapshots
 * replaced on each update.
 *
 * Call handling rules live here: answering or resuming one call holds the others (call
 * waiting), do-not-disturb and the microphone follow the settings, auto-answer, click-to-dial.
 */
export const usePhoneStore = defineStore('phone', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const dialConsent = useDialConsentStore()
  const registration = ref<RegistrationStatus>({ state: 'unregistered' })
  const calls = shallowRef<CallInfo[]>([])
  const lastError = ref<string>()
  /** Consultation call id → the call being transferred (attended transfer in progress). */
  const consultations = ref<Record<string, string>>({})
  const dtmf = ref<Record<string, DtmfLog>>({})
  const notices = ref<PhoneNotice[]>([])
  const events = new TypedEmitter<CallEvents>()
  const autoAnswerTimers = new Map<string, ReturnType<typeof setTimeout>>()
  let phone: Softphone | undefined
  let unsubscribe: (() => void)[] = []
  let noticeSeq = 0
  /** `?dial=` of the page's URL, dialled once the line is registered. */
  let pendingDial = dialTargetOf(new URL(ports.location.href).searchParams.get('dial'))
  let handlersOffered = false

  const ringing = computed(() => calls.value.filter((c) => c.direction === 'in' && c.state === 'ringing' && !c.replaces))
  const active = computed(() => calls.value.filter((c) => c.state !== 'ended'))
  // Closing or reloading the tab would drop the calls: the browser asks first while any is up.
  watch(() => active.value.length > 0, (busy) => ports.leaveGuard.set(busy))
  const callSettings = computed(() => settingsStore.settings.call)

  watch(() => callSettings.value.dnd, (on) => phone?.setDoNotDisturb(on))
  watch(() => settingsStore.settings.audio.input, (deviceId) => void phone?.setMicrophone(deviceId))
  // Speakers follow the settings, whoever changed them (device picker, settings screen, provisioning).
  // The ringtone may go to its own device (a loudspeaker) while the call plays in the headset.
  watch(() => [settingsStore.settings.audio.output, settingsStore.settings.audio.ringer] as const, ([output, ringer]) => {
    void ports.remoteAudio.setOutput(output)
    void ports.ringer.setOutput(ringer || output)
  }, { immediate: true })
  watch(() => registration.value.state, (state) => {
    if (state === 'registered') void onRegistered()
  })

  async function connect(config: SoftphoneConfig, factory: SoftphoneFactory): Promise<void> {
    await disconnect()
    const next = await factory(config)
    phone = next
    next.setDoNotDisturb(callSettings.value.dnd)
    void next.setMicrophone(settingsStore.settings.audio.input)
    unsubscribe = [
      next.on('registration', (status) => { registration.value = status }),
      next.on('callAdded', onCallAdded),
      next.on('callUpdated', onCallUpdated),
      next.on('remoteStream', (callId, stream) => ports.remoteAudio.play(callId, stream)),
      next.on('referred', (_callId, _newCallId, target) => notify({ kind: 'referred', number: target })),
    ]
    registration.value = next.registration
    await next.start()
  }

  async function disconnect(): Promise<void> {
    for (const off of unsubscribe) off()
    unsubscribe = []
    const old = phone
    phone = undefined
    if (old) await old.stop()
    calls.value = []
    for (const timer of autoAnswerTimers.values()) clearTimeout(timer)
    autoAnswerTimers.clear()
    ports.ringer.stop()
    registration.value = { state: 'unregistered' }
  }

  /** The `?dial=` target this tab cannot dial itself (another tab has the line): taken once. */
  function takePendingDial(): string | undefined {
    const target = pendingDial
    pendingDial = undefined
    if (target) ports.clickToDial.forgetDialParameter()
    return target
  }

  async function onRegistered(): Promise<void> {
    if (!handlersOffered) {
      handlersOffered = true
      ports.clickToDial.registerHandlers()
    }
    const target = pendingDial
    if (!target) return
    pendingDial = undefined
    ports.clickToDial.forgetDialParameter()
    if (await dialConsent.approve(target, referrerOrigin(ports.location.referrer))) await dial(target)
  }

  function onCallAdded(call: CallInfo): void {
    performance.mark('tsunagu:call-added')
    calls.value = [...calls.value, call]
    // Listeners first: the CTI engine sends the CRM search from here, and every millisecond
    // before that request leaves is added to the time the agent waits for the name.
    events.emit('added', call)
    updateRinger()
    scheduleAutoAnswer(call)
  }

  function onCallUpdated(call: CallInfo): void {
    const before = calls.value.find((c) => c.id === call.id)
    // A call we never announced (e.g. one that ended before `callAdded` reached us) stays silent.
    if (!before) return
    calls.value = call.state === 'ended'
      ? calls.value.filter((c) => c.id !== call.id)
      : calls.value.map((c) => (c.id === call.id ? call : c))
    updateRinger()
    if (call.state !== 'ringing') cancelAutoAnswer(call.id)
    if (call.transfer === 'failed' && before.transfer !== 'failed') {
      notify({ kind: 'transfer-failed', number: call.remoteUser })
    }
    if (call.state === 'active' && before.state !== 'active') events.emit('answered', call)
    if (call.state === 'ended') {
      ports.remoteAudio.stop(call.id)
      forgetCall(call.id)
      events.emit('ended', call)
    }
  }

  function forgetCall(callId: string): void {
    const { [callId]: _gone, ...rest } = consultations.value
    consultations.value = rest
    const { [callId]: _log, ...keep } = dtmf.value
    dtmf.value = keep
  }

  function updateRinger(): void {
    if (ringing.value.length > 0) ports.ringer.start()
    else ports.ringer.stop()
  }

  /** Auto-answer only when the agent is free: a waiting call while talking is the agent's choice. */
  function scheduleAutoAnswer(call: CallInfo): void {
    const seconds = callSettings.value.autoAnswerSeconds
    // A call that replaces one of ours is answered by the softphone itself.
    if (call.direction !== 'in' || call.replaces || seconds <= 0) return
    autoAnswerTimers.set(call.id, setTimeout(() => {
      autoAnswerTimers.delete(call.id)
      const busy = active.value.some((c) => c.id !== call.id && c.state !== 'ringing')
      if (!busy && ringing.value.some((c) => c.id === call.id)) void answer(call.id)
    }, seconds * 1000))
  }

  function cancelAutoAnswer(callId: string): void {
    clearTimeout(autoAnswerTimers.get(callId))
    autoAnswerTimers.delete(callId)
  }

  async function dial(target: string): Promise<boolean> {
    performance.mark('tsunagu:dial')
    lastError.value = undefined
    if (!phone) {
      lastError.value = 'not-registered'
      return false
    }
    // A new call while talking: the other party waits on hold, as with answering a second call.
    await holdOthers(undefined)
    const result = await phone.dial(target)
    if (!result.ok) lastError.value = result.reason
    return result.ok
  }

  /** Puts every answered call except `keep` on hold. */
  async function holdOthers(keep: string | undefined): Promise<void> {
    const others = calls.value.filter((c) => c.id !== keep && c.state === 'active' && !c.held)
    await Promise.all(others.map((c) => phone?.hold(c.id)))
  }

  /** Call waiting: the call in progress goes on hold before the new one is answered. */
  async function answer(callId: string): Promise<void> {
    cancelAutoAnswer(callId)
    await holdOthers(callId)
    await phone?.answer(callId)
  }

  const decline = (callId: string) => phone?.decline(callId)
  const hangup = (callId: string) => phone?.hangup(callId)

  async function hold(callId: string): Promise<boolean> {
    return (await phone?.hold(callId)) ?? false
  }

  /** Resuming one call holds the others: the agent talks to one party at a time. */
  async function resume(callId: string): Promise<boolean> {
    await holdOthers(callId)
    return (await phone?.unhold(callId)) ?? false
  }

  function toggleMute(callId: string): void {
    const call = calls.value.find((c) => c.id === callId)
    if (!call) return
    if (call.muted) phone?.unmute(callId)
    else phone?.mute(callId)
  }

  async function sendDtmf(callId: string, digits: string): Promise<void> {
    if (!phone) return
    const before = dtmf.value[callId]?.sent ?? ''
    dtmf.value = { ...dtmf.value, [callId]: { sent: before + digits } }
    const result = await phone.sendDtmf(callId, digits)
    const log = dtmf.value[callId]
    if (!log) return
    dtmf.value = { ...dtmf.value, [callId]: result.ok ? { ...log, method: result.method } : { ...log, error: result.reason } }
  }

  /** Blind transfer: the other party is sent to `target`; our call ends when it answers. */
  async function transfer(callId: string, target: string): Promise<TransferResult> {
    if (!phone) return { ok: false, reason: 'not-registered' }
    return phone.transfer(callId, target.trim())
  }

  /** Attended transfer, step 1: the party waits on hold while the agent calls `target`. */
  async function consult(callId: string, target: string): Promise<boolean> {
    if (!phone) return false
    await phone.hold(callId)
    const result = await phone.dial(target.trim())
    if (!result.ok) {
      lastError.value = result.reason
      return false
    }
    consultations.value = { ...consultations.value, [result.callId]: callId }
    return true
  }

  /** Attended transfer, step 2: the waiting party and the consulted one are connected; we leave. */
  async function completeTransfer(consultCallId: string): Promise<TransferResult> {
    const original = consultations.value[consultCallId]
    if (!phone || !original) return { ok: false, reason: 'no-consultation' }
    return phone.attendedTransfer(original, consultCallId)
  }

  /** Do-not-disturb from the phone screen; IT may have locked it. */
  const dndLocked = computed(() => settingsStore.isLocked('call.dnd'))
  async function setDoNotDisturb(on: boolean): Promise<void> {
    if (dndLocked.value || callSettings.value.dnd === on) return
    settingsStore.settings = { ...settingsStore.settings, call: { ...settingsStore.settings.call, dnd: on } }
    await settingsStore.save()
  }

  function notify(notice: Omit<PhoneNotice, 'id'>): void {
    noticeSeq += 1
    notices.value = [...notices.value, { ...notice, id: noticeSeq } as PhoneNotice]
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  return {
    registration, calls, ringing, active, lastError, consultations, dtmf, notices, dndLocked,
    connect, disconnect, dial, answer, decline, hangup, hold, resume, toggleMute, sendDtmf,
    transfer, consult, completeTransfer, setDoNotDisturb, dismiss, takePendingDial,
    onCall: events.on.bind(events) as TypedEmitter<CallEvents>['on'],
  }
})
