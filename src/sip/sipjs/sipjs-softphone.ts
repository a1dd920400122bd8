import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  SIPExtension,
  UserAgent,
  type Referral,
  type Session,
  type URI,
} from 'sip.js'
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web'
import { dtmfRelayBody, DTMF_DURATION_MS, DTMF_GAP_MS, normalizeDtmf } from '../dtmf'
import { registrationStateOf, type LineFacts } from '../registration-state'
import { isHoldOffer } from '../sdp-direction'
import type {
  CallInfo,
  DtmfResult,
  EndReason,
  RegistrationStatus,
  Softphone,
  SoftphoneConfig,
  SoftphoneEvents,
  TransferResult,
} from '../softphone'
import { TypedEmitter } from '../typed-emitter'
import { fastIceFactory } from './fast-ice'
import { HashSafeTransport } from './hash-safe-transport'
import { referTransfer } from './refer-transfer'

/** Reconnect delays after the socket dropped: quick first, then at most every 30 s. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]

/** After an attended transfer, how long the target has to end our consultation leg itself. */
const REPLACED_DIALOG_GRACE_MS = 5000

interface CallRecord {
  info: CallInfo
  session: Session
  /** Set before we act, so the terminal state can say who ended the call. */
  localEnd?: EndReason
  /** A hold or resume re-INVITE is in flight: sip.js refuses a second one (491 glare). */
  holdPending?: boolean
  /** INFO digits go out one after another: each waits for the previous one's transaction. */
  infoChain: Promise<unknown>
}

/** sip.js behind our `Softphone` interface. The only module that knows sip.js's classes. */
export class SipJsSoftphone implements Softphone {
  private readonly events = new TypedEmitter<SoftphoneEvents>()
  private readonly calls = new Map<string, CallRecord>()
  private readonly ua: UserAgent
  private readonly registerer: Registerer
  private facts: LineFacts = { transport: 'disconnected', registerer: 'initial', wanted: false, everRegistered: false, rejected: false }
  private reason: string | undefined
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  /** One-shot timers of calls in progress; `stop()` clears them, so nothing fires after it. */
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private attempt = 0
  private seq = 0
  private microphone = ''
  private doNotDisturb = false

  constructor(private readonly config: SoftphoneConfig) {
    const uri = UserAgent.makeURI(`sip:${config.user}@${config.domain}`)
    if (!uri) throw new Error(`Invalid SIP address: ${config.user}@${config.domain}`)
    this.ua = new UserAgent({
      uri,
      transportConstructor: HashSafeTransport,
      transportOptions: { server: config.server, traceSip: false },
      authorizationUsername: config.authUser || config.user,
      authorizationPassword: config.password,
      displayName: config.displayName,
      contactName: config.contactName,
      viaHost: config.viaHost,
      userAgentString: 'Tsunagu',
      // Our own back-off reconnects (see scheduleReconnect); two reconnect loops would race.
      reconnectionAttempts: 0,
      logLevel: 'warn',
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') console.warn(`[sip.js ${category}] ${content}`)
      },
      // We send 180 ourselves in onInvite: do-not-disturb must reject before anything rings,
      // and a call that replaces one of ours (attended transfer to us) is answered at once.
      sendInitialProvisionalResponse: false,
      // Lets the target of an attended transfer take over the consultation call (RFC 3891).
      sipExtensionReplaces: SIPExtension.Supported,
      sessionDescriptionHandlerFactory: fastIceFactory(config.iceServers.length > 0),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceGatheringTimeoutMs,
      },
      delegate: {
        onConnect: () => this.onConnect(),
        onDisconnect: (error) => this.onDisconnect(error),
        onInvite: (invitation) => this.onInvite(invitation),
      },
    })
    this.registerer = new Registerer(this.ua, { expires: config.registerExpires })
    this.registerer.stateChange.addListener((state) => {
      this.facts.registerer = ({
        [RegistererState.Initial]: 'initial',
        [RegistererState.Registered]: 'registered',
        [RegistererState.Unregistered]: 'unregistered',
        [RegistererState.Terminated]: 'terminated',
      } as const)[state]
      if (state === RegistererState.Registered) {
        this.facts.everRegistered = true
        this.reason = undefined
        this.attempt = 0
      }
      this.publishRegistration()
    })
  }

  get registration(): RegistrationStatus {
    return { state: registrationStateOf(this.facts), reason: this.reason }
  }

  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void {
    return this.events.on(event, listener)
  }

  async start(): Promise<void> {
    this.facts = { ...this.facts, wanted: true, rejected: false, transport: 'connecting' }
    this.publishRegistration()
    try {
      await this.ua.start()
    } catch (error) {
      this.reason = describe(error)
      this.scheduleReconnect()
    }
  }

  async stop(): Promise<void> {
    this.facts.wanted = false
    clearTimeout(this.reconnectTimer)
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    // Everything is sent before the first await: when the page is closing (pagehide) only
    // what leaves synchronously is sure to reach the PBX.
    const goodbyes: Promise<unknown>[] = [...this.calls.keys()].map((id) => this.hangup(id).catch(() => undefined))
    if (this.facts.registerer === 'registered') goodbyes.push(this.registerer.unregister().catch(() => undefined))
    await Promise.all(goodbyes)
    await this.ua.stop().catch(() => undefined)
    this.publishRegistration()
  }

  async dial(target: string): Promise<{ ok: true; callId: string } | { ok: false; reason: string }> {
    const cleaned = target.trim()
    const uri = this.targetUri(cleaned)
    if (!cleaned || !uri) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    if (this.registration.state !== 'registered') return { ok: false, reason: 'not-registered' }
    const inviter = new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: this.mediaOptions(), earlyMedia: true })
    const info = this.outgoingInfo(uri.user ?? cleaned)
    this.startInvite(info, inviter)
    return { ok: true, callId: info.id }
  }

  async answer(callId: string): Promise<void> {
    const record = this.calls.get(callId)
    if (!(record?.session instanceof Invitation) || record.info.state !== 'ringing') return
    await record.session.accept({ sessionDescriptionHandlerOptions: this.mediaOptions() })
  }

  async decline(callId: string): Promise<void> {
    const record = this.calls.get(callId)
    if (!(record?.session instanceof Invitation) || record.info.state !== 'ringing') return
    record.localEnd = 'declined'
    await record.session.reject({ statusCode: 486 })
  }

  async hangup(callId: string): Promise<void> {
    const record = this.calls.get(callId)
    if (!record) return
    const { session } = record
    switch (session.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) {
          record.localEnd = 'hangup-local'
          await session.cancel()
        } else if (session instanceof Invitation) {
          record.localEnd = 'declined'
          await session.reject({ statusCode: 486 })
        }
        break
      case SessionState.Established:
        record.localEnd ??= 'hangup-local'
        await session.bye()
        break
      default:
        break
    }
  }

  hold(callId: string): Promise<boolean> {
    return this.setHold(callId, true)
  }

  unhold(callId: string): Promise<boolean> {
    return this.setHold(callId, false)
  }

  mute(callId: string): void {
    this.setMuted(callId, true)
  }

  unmute(callId: string): void {
    this.setMuted(callId, false)
  }

  async sendDtmf(callId: string, digits: string): Promise<DtmfResult> {
    const record = this.calls.get(callId)
    const tones = normalizeDtmf(digits)
    if (!tones) return { ok: false, reason: `not DTMF: ${digits}` }
    if (!record || record.session.state !== SessionState.Established) return { ok: false, reason: 'no-call' }
    const dtmf = this.sdhOf(record)?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio' || s.dtmf)?.dtmf
    // canInsertDTMF is true only when telephone-event was negotiated with the other side.
    if (dtmf?.canInsertDTMF) {
      // insertDTMF replaces what is still queued: append, so quick key presses are all sent.
      dtmf.insertDTMF(dtmf.toneBuffer + tones, DTMF_DURATION_MS, DTMF_GAP_MS)
      return { ok: true, method: 'rfc4733' }
    }
    const sent = (record.infoChain = record.infoChain.then(async () => {
      for (const digit of tones) {
        await record.session.info({
          requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelayBody(digit) } },
        })
      }
    }))
    try {
      await sent
      return { ok: true, method: 'info' }
    } catch (error) {
      record.infoChain = Promise.resolve()
      return { ok: false, reason: describe(error) }
    }
  }

  async transfer(callId: string, target: string): Promise<TransferResult> {
    const record = this.calls.get(callId)
    const uri = this.targetUri(target.trim())
    if (!uri) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    return this.refer(record, uri)
  }

  async attendedTransfer(callId: string, consultCallId: string): Promise<TransferResult> {
    const consult = this.calls.get(consultCallId)
    const dialog = consult?.session.dialog
    if (!consult || !dialog || consult.session.state !== SessionState.Established) return { ok: false, reason: 'no-consultation-call' }
    // Refer-To names the target's address of record, not its Contact (sip.js's default): a
    // browser's Contact (`…@xyz.invalid;transport=ws`) is reachable only through the registrar.
    const referTo = consult.session.remoteIdentity.uri.clone()
    referTo.clearHeaders()
    referTo.setHeader('Replaces', encodeURIComponent(`${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`))
    const result = await this.refer(this.calls.get(callId), asNameAddr(referTo))
    if (result.ok) {
      consult.localEnd = 'transferred'
      // The target ends the replaced dialog itself (RFC 3891); end it here when it did not.
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        if (consult.session.state === SessionState.Established) void consult.session.bye().catch(() => undefined)
      }, REPLACED_DIALOG_GRACE_MS)
      this.timers.add(timer)
    }
    return result
  }

  async setMicrophone(deviceId: string): Promise<void> {
    if (deviceId === this.microphone) return
    this.microphone = deviceId
    // Calls in progress switch too: a new track replaces the old one on the same sender.
    for (const record of this.calls.values()) {
      const sdh = this.sdhOf(record)
      const sender = sdh?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio')
      if (!sdh || !sender) continue
      try {
        const stream = await navigator.mediaDevices.getUserMedia(this.mediaOptions().constraints)
        const track = stream.getAudioTracks()[0]
        if (!track) continue
        track.enabled = !record.info.held && !record.info.muted
        const old = sender.track
        await sender.replaceTrack(track)
        if (old) {
          sdh.localMediaStream.removeTrack(old)
          old.stop()
        }
        sdh.localMediaStream.addTrack(track)
      } catch (error) {
        console.warn('could not switch the microphone', describe(error))
      }
    }
  }

  setDoNotDisturb(on: boolean): void {
    this.doNotDisturb = on
  }

  private onInvite(invitation: Invitation): void {
    if (this.doNotDisturb && !invitation.replacee) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined)
      return
    }
    const request = invitation.request
    const headers: Record<string, string> = {}
    for (const [name, values] of Object.entries(request.headers)) {
      const first = values[0]
      if (first) headers[name.toLowerCase()] = first.raw
    }
    const fromUser = invitation.remoteIdentity.uri.user ?? ''
    const replaced = [...this.calls.values()].find((r) => r.session === invitation.replacee)
    const info: CallInfo = {
      id: this.newCallId(),
      direction: 'in',
      state: 'ringing',
      remoteUser: fromUser,
      remoteDisplayName: invitation.remoteIdentity.displayName ?? '',
      localUser: request.to.uri.user ?? '',
      headers,
      startedAt: Date.now(),
      held: false,
      muted: false,
      remoteHeld: false,
      ...(replaced ? { replaces: replaced.info.id } : {}),
    }
    const record = this.track(info, invitation)
    invitation.delegate = {
      ...this.inDialogDelegate(record),
      onCancel: (cancel) => {
        // `Reason: SIP;cause=200` — another phone of the group took the call (RFC 3326).
        const answeredElsewhere = /cause=200\b/.test(cancel.request.getHeader('reason') ?? '')
        record.localEnd ??= answeredElsewhere ? 'answered-elsewhere' : 'cancelled'
      },
    }
    if (replaced) {
      // The party we consulted with is being handed the transferee: take over without ringing.
      replaced.localEnd = 'transferred'
      void invitation.accept({ sessionDescriptionHandlerOptions: this.mediaOptions() }).catch((error: unknown) => {
        console.warn('could not accept the replacing call', describe(error))
      })
      return
    }
    void invitation.progress().catch(() => undefined)
  }

  /** Requests inside an established call that need our attention (remote hold, REFER). */
  private inDialogDelegate(record: CallRecord) {
    return {
      onInvite: (request: { body: string }, _response: unknown, statusCode: number) => {
        if (statusCode !== 200) return
        const remoteHeld = isHoldOffer(request.body)
        if (remoteHeld !== record.info.remoteHeld) this.patch(record, { remoteHeld })
      },
      onRefer: (referral: Referral) => this.onRefer(record, referral),
    }
  }

  /** The other party transfers us: accept, call the target, and report the progress back to them (NOTIFY). */
  private onRefer(record: CallRecord, referral: Referral): void {
    let target: string
    try {
      target = referral.referTo.uri.user ?? referral.referTo.uri.toString()
    } catch {
      void referral.reject().catch(() => undefined)
      return
    }
    void referral.accept().then(() => {
      const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: this.mediaOptions(), earlyMedia: true })
      const info = { ...this.outgoingInfo(target), referredFrom: record.info.id }
      this.startInvite(info, inviter)
      this.events.emit('referred', record.info.id, info.id, target)
    }).catch((error: unknown) => console.warn('REFER failed', describe(error)))
  }

  private async refer(record: CallRecord | undefined, referTo: URI): Promise<TransferResult> {
    if (!record || record.session.state !== SessionState.Established) return { ok: false, reason: 'no-call' }
    if (record.info.transfer === 'pending') return { ok: false, reason: 'transfer-pending' }
    this.patch(record, { transfer: 'pending' })
    const result = await referTransfer(record.session, referTo)
    if (!result.ok) {
      this.patch(record, { transfer: 'failed' })
      return result
    }
    record.localEnd = 'transferred'
    if (record.session.state === SessionState.Established) await record.session.bye().catch(() => undefined)
    return result
  }

  private async setHold(callId: string, hold: boolean): Promise<boolean> {
    const record = this.calls.get(callId)
    if (!record || record.session.state !== SessionState.Established) return false
    if (record.info.held === hold) return true
    if (record.holdPending) return false
    const { session } = record
    record.holdPending = true
    // sip.js's web handler offers sendonly (or inactive, when the other side holds too) with `hold`.
    session.sessionDescriptionHandlerOptionsReInvite = { ...this.mediaOptions(), hold } as typeof session.sessionDescriptionHandlerOptionsReInvite
    const accepted = await new Promise<boolean>((resolve) => {
      session.invite({
        requestDelegate: {
          onAccept: () => resolve(true),
          onReject: () => resolve(false),
        },
      }).catch(() => resolve(false))
    })
    record.holdPending = false
    if (!accepted) {
      // The other side refused: offer our previous state on the next re-INVITE.
      session.sessionDescriptionHandlerOptionsReInvite = { ...this.mediaOptions(), hold: record.info.held } as typeof session.sessionDescriptionHandlerOptionsReInvite
      return false
    }
    this.patch(record, { held: hold })
    this.applyTracks(record)
    return true
  }

  private setMuted(callId: string, muted: boolean): void {
    const record = this.calls.get(callId)
    if (!record || record.info.muted === muted) return
    this.patch(record, { muted })
    this.applyTracks(record)
  }

  /** On hold nothing plays or is sent; muted sends silence. */
  private applyTracks(record: CallRecord): void {
    const sdh = this.sdhOf(record)
    if (!sdh) return
    sdh.enableSenderTracks(!record.info.held && !record.info.muted)
    sdh.enableReceiverTracks(!record.info.held)
  }

  private sdhOf(record: CallRecord): SessionDescriptionHandler | undefined {
    return record.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined
  }

  /**
   * Audio only, from the chosen microphone. `deviceId` without `exact` is a preference: when
   * the saved device is unplugged, the call still gets the default microphone instead of failing.
   */
  private mediaOptions(): { constraints: MediaStreamConstraints } {
    return { constraints: { audio: this.microphone ? { deviceId: this.microphone } : true, video: false } }
  }

  private targetUri(target: string): URI | undefined {
    if (!target) return undefined
    return UserAgent.makeURI(target.includes('@') ? `sip:${target.replace(/^sips?:/, '')}` : `sip:${target}@${this.config.domain}`)
  }

  private outgoingInfo(remoteUser: string): CallInfo {
    return {
      id: this.newCallId(),
      direction: 'out',
      state: 'dialing',
      remoteUser,
      remoteDisplayName: '',
      localUser: this.config.user,
      headers: {},
      startedAt: Date.now(),
      held: false,
      muted: false,
      remoteHeld: false,
    }
  }

  private startInvite(info: CallInfo, inviter: Inviter): void {
    const record = this.track(info, inviter)
    inviter.delegate = this.inDialogDelegate(record)
    inviter.invite({
      requestDelegate: {
        onReject: () => {
          record.localEnd ??= 'rejected'
        },
      },
    }).catch((error: unknown) => {
      record.localEnd = 'failed'
      this.finish(record)
      console.warn('INVITE failed', describe(error))
    })
  }

  private track(info: CallInfo, session: Session): CallRecord {
    const record: CallRecord = { info, session, infoChain: Promise.resolve() }
    this.calls.set(info.id, record)
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        this.patch(record, { state: 'active', answeredAt: Date.now() })
        const sdh = this.sdhOf(record)
        if (sdh) this.events.emit('remoteStream', info.id, sdh.remoteMediaStream)
      } else if (state === SessionState.Terminated) {
        this.finish(record)
      }
    })
    this.events.emit('callAdded', info)
    return record
  }

  private patch(record: CallRecord, change: Partial<CallInfo>): void {
    if (record.info.state === 'ended') return
    record.info = { ...record.info, ...change }
    this.events.emit('callUpdated', record.info)
  }

  private finish(record: CallRecord): void {
    if (record.info.state === 'ended') return
    const wasAnswered = record.info.answeredAt !== undefined
    const endReason: EndReason = record.localEnd
      ?? (wasAnswered ? 'hangup-remote' : record.info.direction === 'in' ? 'cancelled' : 'rejected')
    record.info = { ...record.info, state: 'ended', endedAt: Date.now(), endReason }
    this.calls.delete(record.info.id)
    this.events.emit('callUpdated', record.info)
  }

  private onConnect(): void {
    this.facts.transport = 'connected'
    this.attempt = 0
    clearTimeout(this.reconnectTimer)
    this.registerer.register({
      requestDelegate: {
        // sip.js's Registerer stays "Registered" across a dropped socket, so its state change
        // does not fire again after a reconnect: the 200 to this REGISTER is what tells us the
        // (possibly restarted) registrar knows us again.
        onAccept: () => {
          this.facts.registerer = 'registered'
          this.facts.everRegistered = true
          this.reason = undefined
          this.publishRegistration()
        },
        onReject: (response) => {
          const { statusCode, reasonPhrase } = response.message
          this.reason = `${statusCode} ${reasonPhrase}`
          // 401/407 are answered by sip.js with credentials; a final rejection means they were wrong.
          this.facts.rejected = true
          this.publishRegistration()
        },
      },
    }).catch((error: unknown) => {
      this.reason = describe(error)
      this.publishRegistration()
    })
    this.publishRegistration()
  }

  private onDisconnect(error?: Error): void {
    this.facts.transport = 'disconnected'
    if (this.facts.registerer === 'registered') this.facts.registerer = 'unregistered'
    if (error) this.reason = describe(error)
    this.publishRegistration()
    if (this.facts.wanted) this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer)
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 30000
    this.attempt += 1
    this.facts.transport = 'connecting'
    this.publishRegistration()
    this.reconnectTimer = setTimeout(() => {
      if (!this.facts.wanted) return
      this.ua.reconnect().catch((error: unknown) => {
        this.reason = describe(error)
        this.scheduleReconnect()
      })
    }, delay)
  }

  private publishRegistration(): void {
    this.events.emit('registration', this.registration)
  }

  private newCallId(): string {
    this.seq += 1
    return `c${Date.now().toString(36)}-${this.seq}`
  }
}

/**
 * sip.js writes a URI's Refer-To bare; one carrying `?Replaces=` must be a name-addr (`<…>`,
 * RFC 3261 §20), or the receiving parser (sip.js's own included) drops the REFER. sip.js only
 * calls `toString()` on it, so a URI whose `toString` adds the brackets is enough.
 */
function asNameAddr(uri: URI): URI {
  const wrapped = Object.create(uri) as URI
  wrapped.toString = () => `<${uri.toString()}>`
  return wrapped
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
