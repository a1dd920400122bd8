import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { CallReading, ReadingFacts, SearchState } from '@/cti'
import { usePorts } from '@/ports/ports'
import type { CallInfo, DtmfMethod, Softphone, TransferResult } from '@/sip'
import { TypedEmitter } from '@/sip/typed-emitter'
import { useSettingsStore } from './settings'

/** What the CRM told us about a call (the CTI engine's search), as the call card and popup show it. */
export interface CrmState {
  readonly searchState: SearchState
  /** Values the search extracted (NAME, COMPANY, …): plain text, never HTML. */
  readonly values: Readonly<Record<string, string>>
  readonly searchFailed: boolean
  /** The last CRM tab the browser refused to open for this call. */
  readonly blockedUrl?: string
}

/**
 * One call as the app knows it: the softphone's snapshot (state, times, hold, mute), the one
 * reading of who is who (made once when the call appeared), and what the CRM said. Immutable;
 * replaced on each change.
 */
export interface Call {
  readonly id: string
  readonly sip: CallInfo
  readonly reading: CallReading
  readonly crm: CrmState
}

/** Call lifecycle for other stores (CTI, history): emitted after the call list changed. */
export interface CallEvents {
  /**
   * An incoming call's INVITE was read before the SIP stack handled it (its popup renders now):
   * `added` with the same id and reading follows, or `withdrawn` when it became no call.
   */
  arriving: (call: Call) => void
  withdrawn: (callId: string) => void
  added: (call: Call) => void
  answered: (call: Call) => void
  ended: (call: Call) => void
  /** An incoming call do-not-disturb refused: never in `calls`, already ended (for the history). */
  rejected: (call: Call) => void
  /** A call an earlier page of the phone had is this page's again (issue 12, `resume.ts`): no `added`/`answered`. */
  resumed: (call: Call) => void
}

/** Turns the softphone's report of a new call into its reading (set by the CTI store at start). */
export type CallReader = (facts: ReadingFacts) => CallReading

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
  /** A call of the page before a reload could not be taken back (issue 12): offer to call back. */
  | { id: number; kind: 'resume-failed'; number: string; reason?: string }
  /** The size cap removed this call's recording before the CRM got it (issue 10 §4; texts load with the recorder). */
  | { id: number; kind: 'recording-lost'; number: string }

const NO_CRM: CrmState = Object.freeze({ searchState: 'idle', values: Object.freeze({}), searchFailed: false })

/** The softphone's facts of a call, in the terms the reading takes. */
/** The made-up incoming call `rehearse` reads (see there). */
const REHEARSAL_CALL: CallInfo = {
  id: 'rehearsal',
  direction: 'in',
  state: 'ringing',
  remoteUser: '0312345678#1#2',
  remoteDisplayName: 'Rehearsal',
  localUser: '',
  headers: { privacy: 'none' },
  startedAt: 0,
  held: false,
  muted: false,
  remoteHeld: false,
}

export function factsOf(call: CallInfo, ownUser: string): ReadingFacts {
  const common = { callId: call.id, headers: call.headers, ...(call.replaces ? { replaces: true } : {}) }
  return call.direction === 'in'
    ? { ...common, direction: 'in', fromUser: call.remoteUser, displayName: call.remoteDisplayName, calledUser: call.localUser }
    : { ...common, direction: 'out', fromUser: ownUser, displayName: '', calledUser: call.remoteUser }
}

/**
 * The calls of the line, and the call handling rules: answering or resuming one call holds
 * the others (call waiting), auto-answer, the ringer, transfers, DTMF.
 *
 * The softphone is attached by the line store (`attach`) and kept as a plain object: sip.js
 * instances and MediaStreams never become Vue proxies. A new call is read once
 * ({@link CallReader}) and then only its softphone snapshot and CRM state change.
 *
 * Ring path: the call is in `calls` (so the popup renders in this task's microtask flush)
 * before anything else happens; the ringer and the leave guard follow after the render
 * (`flush: 'post'`), and listeners of `added` (the CTI engine) defer their work the same way.
 */
export const useCallsStore = defineStore('calls', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const calls = shallowRef<Call[]>([])
  const lastError = ref<string>()
  /** Consultation call id → the call being transferred (attended transfer in progress). */
  const consultations = ref<Record<string, string>>({})
  const dtmf = ref<Record<string, DtmfLog>>({})
  const notices = ref<PhoneNotice[]>([])
  const events = new TypedEmitter<CallEvents>()
  /**
   * This tab shows the line of another tab (`session.ts`: a follower). The calls are that tab's:
   * it records them, runs their CTI accesses and auto-answers them, so here the call events
   * reach no other store and nothing is scheduled; answering, hold, dialling work as ever.
   */
  const view = ref(false)
  const autoAnswerTimers = new Map<string, unknown>()
  let phone: Softphone | undefined
  let reader: CallReader | undefined
  let unsubscribe: (() => void)[] = []
  let noticeSeq = 0
  /** The resume store's: a call the softphone announces that an earlier page had (issue 12). */
  let adopt: ((info: CallInfo) => Call | undefined) | undefined

  /**
   * Incoming calls whose INVITE was read but not yet handled by the SIP stack (`callArriving`):
   * the popup shows them in the INVITE's own task; a moment later each becomes a call in `calls`
   * (same id, same reading) or goes away. Nothing else looks at them.
   */
  const arriving = shallowRef<Call[]>([])
  /** Waiters for an arriving call to become a call (true) or be withdrawn (false). */
  const arrivalWaiters = new Map<string, ((isCall: boolean) => void)[]>()
  const ringing = computed(() => calls.value.filter((c) => c.sip.direction === 'in' && c.sip.state === 'ringing' && !c.sip.replaces))
  const active = computed(() => calls.value.filter((c) => c.sip.state !== 'ended'))
  /**
   * The call list's copy of `active`, one painted frame behind: a new call's row (Vuetify list
   * item and buttons) is not rendered in the frame that must show the incoming popup.
   */
  const listed = shallowRef<Call[]>([])
  let listing = false
  watch(active, () => {
    if (listing) return
    listing = true
    ports.visibility.afterPaint(() => {
      listing = false
      listed.value = active.value
    })
  })
  const callSettings = computed(() => settingsStore.settings.call)

  // After the render: the popup must not wait for the audio graph or the browser's leave guard.
  // A tab showing another tab's line (`view`) stays silent: the line's tab rings.
  watch(() => ringing.value.length > 0 && !view.value, (ring) => (ring ? ports.ringer.start() : ports.ringer.stop()), { flush: 'post' })
  // Closing or reloading the tab would drop the calls: the browser asks first while any is up
  // (not in a `view`: its calls go on in the line's tab).
  watch(() => active.value.length > 0 && !view.value, (busy) => ports.leaveGuard.set(busy), { flush: 'post' })

  function setReader(next: CallReader): void {
    reader = next
    rehearse()
  }

  /**
   * Reads a made-up call and forgets it, when no call is up: at start-up and from time to time
   * while idle (`plugins/rehearse.ts`), so the first real call's reading does not run the reader's
   * code (number parsing, phonebook keys) for the first time, or after the JavaScript engine
   * dropped it. The reader is pure; nothing is kept. The made-up reading when it ran (the CTI
   * store rehearses its search with it), undefined while a call is up or without a reader.
   */
  function rehearse(): CallReading | undefined {
    if (!reader || calls.value.length > 0 || arriving.value.length > 0) return undefined
    const user = settingsStore.settings.sip.user
    try {
      return reader(factsOf({ ...REHEARSAL_CALL, localUser: user }, user))
    } catch {
      // A reader that fails here fails on the real call too, where it is reported.
      return undefined
    }
  }

  /** Takes the calls of a (new) softphone; the line store calls this before `start()`. */
  function attach(next: Softphone): void {
    detach()
    phone = next
    unsubscribe = [
      next.on('callArriving', onCallArriving),
      next.on('callArrivalWithdrawn', (id) => settleArrival(id, false)),
      next.on('callAdded', onCallAdded),
      next.on('callUpdated', onCallUpdated),
      next.on('remoteStream', (callId, stream) => ports.remoteAudio.play(callId, stream)),
      next.on('referred', (_callId, _newCallId, target) => notify({ kind: 'referred', number: target })),
      next.on('rejectedByDnd', (info) => {
        if (reader) events.emit('rejected', { id: info.id, sip: info, reading: reader(factsOf(info, settingsStore.settings.sip.user)), crm: NO_CRM })
      }),
    ]
  }

  /** Forgets the softphone and its calls (it is being stopped). */
  function detach(): void {
    for (const off of unsubscribe) off()
    unsubscribe = []
    phone = undefined
    // The softphone's end of these calls reaches no listener now: their audio goes with them.
    for (const call of calls.value) ports.remoteAudio.stop(call.id)
    calls.value = []
    for (const call of arriving.value) settleArrival(call.id, false)
    consultations.value = {}
    dtmf.value = {}
    for (const timer of autoAnswerTimers.values()) ports.clock.clearTimeout(timer)
    autoAnswerTimers.clear()
  }

  /** The ring path: an INVITE read before the SIP stack handles it; the popup renders it now. */
  function onCallArriving(info: CallInfo): void {
    if (!reader || view.value) return
    const reading = reader(factsOf(info, settingsStore.settings.sip.user))
    ports.marks.mark('tsunagu:call-read')
    const call: Call = { id: info.id, sip: info, reading, crm: NO_CRM }
    arriving.value = [...arriving.value, call]
    ports.marks.mark('tsunagu:call-added')
    events.emit('arriving', call)
  }

  /** An arriving call became a call (`isCall`) or was withdrawn: it leaves `arriving`, its waiters hear. */
  function settleArrival(callId: string, isCall: boolean): Call | undefined {
    const early = arriving.value.find((c) => c.id === callId)
    if (early) arriving.value = arriving.value.filter((c) => c !== early)
    for (const wake of arrivalWaiters.get(callId) ?? []) wake(isCall)
    arrivalWaiters.delete(callId)
    if (early && !isCall) events.emit('withdrawn', callId)
    return early
  }

  /** False when `callId` was an arriving call that came to nothing; waits while it is arriving. */
  function arrived(callId: string): Promise<boolean> {
    if (!arriving.value.some((c) => c.id === callId)) return Promise.resolve(true)
    return new Promise((resolve) => arrivalWaiters.set(callId, [...(arrivalWaiters.get(callId) ?? []), resolve]))
  }

  function onCallAdded(info: CallInfo): void {
    const adopted = adopt?.(info)
    if (adopted) {
      calls.value = [...calls.value, adopted]
      events.emit('resumed', adopted)
      return
    }
    if (!reader) throw new Error('calls: no call reader set before the line started')
    // A call read on arrival keeps that reading (one reading per call: its {ID} among others).
    const early = settleArrival(info.id, true)
    const reading = early?.reading ?? reader(factsOf(info, settingsStore.settings.sip.user))
    if (!early) ports.marks.mark('tsunagu:call-read')
    // The engine reports nothing of an arriving call (its search may have started): CRM news begins here.
    const call: Call = { id: info.id, sip: info, reading, crm: NO_CRM }
    calls.value = [...calls.value, call]
    if (!early) ports.marks.mark('tsunagu:call-added')
    if (view.value) return
    events.emit('added', call)
    scheduleAutoAnswer(call)
  }

  function onCallUpdated(info: CallInfo): void {
    const before = calls.value.find((c) => c.id === info.id)
    // A call we never announced (e.g. one that ended before `callAdded` reached us) stays silent.
    if (!before) return
    const call: Call = { ...before, sip: info }
    calls.value = info.state === 'ended'
      ? calls.value.filter((c) => c.id !== info.id)
      : calls.value.map((c) => (c.id === info.id ? call : c))
    if (info.state !== 'ringing') cancelAutoAnswer(info.id)
    if (info.transfer === 'failed' && before.sip.transfer !== 'failed') {
      notify({ kind: 'transfer-failed', number: before.reading.remote })
    }
    if (info.state === 'active' && before.sip.state !== 'active' && !view.value && !before.sip.rejoining) events.emit('answered', call)
    if (info.state === 'ended') {
      ports.remoteAudio.stop(info.id)
      forgetCall(info.id)
      if (!view.value) events.emit('ended', call)
    }
  }

  /** The CTI engine's news about a call (search result, error, a blocked tab). */
  function setCrm(callId: string, crm: CrmState): void {
    if (!calls.value.some((c) => c.id === callId)) return
    calls.value = calls.value.map((c) => (c.id === callId ? { ...c, crm } : c))
  }

  function forgetCall(callId: string): void {
    const { [callId]: _gone, ...rest } = consultations.value
    consultations.value = rest
    const { [callId]: _log, ...keep } = dtmf.value
    dtmf.value = keep
  }

  /** Auto-answer only when the agent is free: a waiting call while talking is the agent's choice. */
  function scheduleAutoAnswer(call: Call): void {
    const seconds = callSettings.value.autoAnswerSeconds
    // A call that replaces one of ours is answered by the softphone itself.
    if (call.sip.direction !== 'in' || call.sip.replaces || seconds <= 0) return
    autoAnswerTimers.set(call.id, ports.clock.setTimeout(() => {
      autoAnswerTimers.delete(call.id)
      const busy = active.value.some((c) => c.id !== call.id && c.sip.state !== 'ringing')
      if (!busy && ringing.value.some((c) => c.id === call.id)) void answer(call.id)
    }, seconds * 1000))
  }

  function cancelAutoAnswer(callId: string): void {
    ports.clock.clearTimeout(autoAnswerTimers.get(callId))
    autoAnswerTimers.delete(callId)
  }

  /** The agent is at the dial pad (focus, a key): the line may get a call's offer ready. */
  function readyToDial(): void {
    phone?.readyToDial()
  }

  async function dial(target: string): Promise<boolean> {
    ports.marks.mark('tsunagu:dial')
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
    const others = calls.value.filter((c) => c.id !== keep && c.sip.state === 'active' && !c.sip.held)
    await Promise.all(others.map((c) => phone?.hold(c.id)))
  }

  /** Call waiting: the call in progress goes on hold before the new one is answered. */
  async function answer(callId: string): Promise<void> {
    if (!(await arrived(callId))) return
    cancelAutoAnswer(callId)
    await holdOthers(callId)
    await phone?.answer(callId)
  }

  const decline = async (callId: string) => {
    if (await arrived(callId)) await phone?.decline(callId)
  }
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
    if (call.sip.muted) phone?.unmute(callId)
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

  function notify(notice: { kind: PhoneNotice['kind']; number: string; reason?: string }): void {
    noticeSeq += 1
    notices.value = [...notices.value, { ...notice, id: noticeSeq } as PhoneNotice]
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  return {
    calls, arriving, ringing, active, listed, lastError, consultations, dtmf, notices, view,
    setReader, rehearse, attach, detach, setCrm,
    readyToDial, dial, answer, decline, hangup, hold, resume, toggleMute, sendDtmf,
    transfer, consult, completeTransfer, dismiss, notify,
    /** For the resume store (issue 12): the softphone, adopting calls, reporting calls of an earlier page. */
    softphone: () => phone,
    setAdopter: (next: typeof adopt) => { adopt = next },
    announce: (event: 'resumed' | 'ended', call: Call) => events.emit(event, call),
    onCall: events.on.bind(events) as TypedEmitter<CallEvents>['on'],
    /**
     * After the render of each change of the calls (added, answered, held, CRM values …; each
     * replaces the list): the unsubscribe function. Not Pinia's `$subscribe`, whose deep watch
     * walks the whole store at every change, on the ring path too.
     */
    onCallsChange: (listener: () => void): (() => void) => watch(calls, () => listener(), { flush: 'post' }),
    /** A call's audio, both sides (the recorder's): never reactive. */
    streams: (callId: string) => phone?.callStreams(callId),
  }
})
