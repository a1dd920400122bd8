import { Invitation, Inviter, UserAgent, Web, type Session, type SessionDescriptionHandlerFactory, type URI } from 'sip.js'
import { realClock, TimerSet, type Clock } from '../clock'
import { normalizeDtmf } from '../dtmf'
import { isHoldOffer } from '../sdp-direction'
import type {
  CallInfo,
  DialogState,
  DtmfResult,
  RejoinResult,
  RegistrationStatus,
  Softphone,
  SoftphoneConfig,
  SoftphoneEvents,
  TransferResult,
} from '../softphone'
import { TypedEmitter } from '../typed-emitter'
import { Call, describe, incomingCallInfo, incomingRequestInfo, outgoingCallInfo, type CallHost, type MediaOptions } from './call'
import { fastIceFactory, handlerConfiguration } from './fast-ice'
import { messageChannelTask, type TransportConstructor } from './hash-safe-transport'
import { Line } from './line'
import { dialogStateOf, REJOIN_TIMEOUT_MS, rejoinInviter, sendStoredBye } from './rejoin'
import { SPARE_WAIT_MS, SpareOffers } from './spare-offer'
import { parseInvitePreview } from './invite-preview'
import { sampleInvite } from './parser-warm-up'
import { Transfers } from './transfer'
import { adoptUnsentTrack } from './unsent-track'

/** Seams for tests; each defaults to what the phone uses in the browser. */
export interface SipJsSoftphoneOptions {
  /** The raw sip.js transport class (default: sip.js's WebSocket transport); it is made `#`-safe either way. */
  transportConstructor?: TransportConstructor
  /** Default: sip.js's web handler with the quick ICE settle (`fast-ice.ts`). */
  sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory
  /** Our timers (reconnect back-off, transfer waits, ICE settle) and timestamps. Default: the real clock. */
  clock?: Clock
  /**
   * Show a new call's INVITE before sip.js handles it (`previewInvite`). Default on. (It was off
   * for a while after soaks stopped on a call with no popup; traced since: that call's INVITE
   * never reached the page's transport, see lab/soak.mjs's account of each sipp.)
   */
  previewInvites?: boolean
  /** Runs work in a task of its own (the ring path hands sip.js a new INVITE this way). Default: a MessageChannel task. */
  nextTask?: (work: () => void) => void
  /**
   * Keep a spare offer for the next call we place while the agent is at the dial pad
   * (`readyToDial`, `spare-offer.ts`): it took dial → INVITE from p50 42 ms to 5 ms here. Only on
   * demand: an idle spare peer connection keeps Chromium's WebRTC network thread busy (idle CPU
   * 0.48 % of a core against the 0.2 % budget). Off by default (the unit tests' fakes).
   */
  spareOffers?: boolean
}

/** Headers sip.js requires of every request; without one it drops the message (RFC 3261 §8.1.1). */
const MANDATORY = ['from', 'to', 'call-id', 'cseq', 'via']

/**
 * sip.js behind our `Softphone` interface: a thin facade over the line (`line.ts`: user
 * agent, registration, reconnect), the calls (`call.ts`: one session each) and transfers
 * (`transfer.ts`: REFER and Replaces both ways). Only `src/sip/sipjs` knows sip.js's classes.
 */
export class SipJsSoftphone implements Softphone {
  private readonly events = new TypedEmitter<SoftphoneEvents>()
  private readonly calls = new Map<string, Call>()
  private readonly clock: Clock
  /** Every timer of ours; `stop()` clears them, so nothing fires after it. */
  private readonly timers: TimerSet
  /** The line's own timers (probe tick, registration refresh and expiry, back-off), cleared with the rest by `stop()`. */
  private readonly lineTimers: TimerSet
  private readonly line: Line
  private readonly transfers: Transfers
  private readonly callHost: CallHost
  private seq = 0
  /** SIP Call-ID → the call id and time given to a previewed INVITE (`callArriving`) until sip.js hands us its Invitation. */
  private readonly previews = new Map<string, { id: string; startedAt: number }>()
  /** The offer made in advance for the next call we place; absent with a test's own media handler. */
  private readonly spares: SpareOffers | undefined
  /** Sessions of calls we place from the dial pad: the ones the spare offer may go to. */
  private readonly dialled = new WeakSet<Session>()
  private microphone = ''
  private doNotDisturb = false

  constructor(private readonly config: SoftphoneConfig, options: SipJsSoftphoneOptions = {}) {
    this.clock = options.clock ?? realClock
    this.timers = new TimerSet(this.clock)
    this.lineTimers = new TimerSet(this.clock)
    const mediaOptions = () => this.mediaOptions()
    this.callHost = {
      clock: this.clock,
      events: this.events,
      mediaOptions,
      // A call taken over by its rejoin (same id) must not drop the new one from the list.
      forget: (call) => this.calls.get(call.id) === call && this.calls.delete(call.id),
      referred: (call, referral) => this.transfers.onRefer(call, referral),
    }
    this.transfers = new Transfers({
      timers: this.timers,
      events: this.events,
      mediaOptions,
      calls: () => this.calls.values(),
      startCall: (inviter, remoteUser, extra) => this.startCall(inviter, remoteUser, extra),
    })
    if (options.spareOffers && !options.sessionDescriptionHandlerFactory && typeof RTCPeerConnection === 'function') {
      const configuration = handlerConfiguration({ peerConnectionConfiguration: { iceServers: config.iceServers } })
      this.spares = new SpareOffers({
        createPeerConnection: () => new RTCPeerConnection(configuration.peerConnectionConfiguration),
        createStream: () => new MediaStream(),
        timers: this.timers,
        now: () => this.clock.now(),
        gatheringTimeoutMs: config.iceGatheringTimeoutMs,
        hasIceServers: config.iceServers.length > 0,
      })
    }
    this.line = new Line(config, {
      transportConstructor: options.transportConstructor ?? Web.Transport,
      sessionDescriptionHandlerFactory: options.sessionDescriptionHandlerFactory
        ?? fastIceFactory(
          config.iceServers.length > 0,
          this.timers,
          (session, error) => this.onMicrophoneFailure(session, error),
          (session) => (this.dialled.has(session) ? this.spares?.take() : undefined),
        ),
      timers: this.lineTimers,
      onInvite: (invitation) => this.onInvite(invitation),
      receiveHooks: {
        ...(options.previewInvites === false ? {} : { initialInvite: (message: string) => this.previewInvite(message) }),
        nextTask: options.nextTask ?? messageChannelTask,
      },
      onRegistration: (status) => {
        if (status.state === 'registered') this.spares?.prepare()
        this.events.emit('registration', status)
        this.recoverCalls(status)
      },
      onProbe: () => this.rehearse(),
      onRestored: () => {
        // A new connection may mean a new network: the spare's candidates would be the old one's.
        this.spares?.renew()
        this.events.emit('lineRestored')
      },
    })
  }

  get registration(): RegistrationStatus {
    return this.line.registration
  }

  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void {
    return this.events.on(event, listener)
  }

  start(): Promise<void> {
    return this.line.start()
  }

  verify(): void {
    // A wake-up (resume, online, a clock jump, the tab shown again): the network may have changed
    // while we slept; a spare made in the last minute is kept (the agent may be about to dial).
    this.spares?.renew(60_000)
    this.line.verify()
  }

  async stop(): Promise<void> {
    this.line.release()
    this.previews.clear()
    this.spares?.stop()
    this.timers.clear()
    this.lineTimers.clear()
    // Everything is sent before the first await: when the page is closing (pagehide) only
    // what leaves synchronously is sure to reach the PBX.
    const goodbyes: Promise<unknown>[] = [...this.calls.keys()].map((id) => this.hangup(id).catch(() => undefined))
    const unregistered = this.line.unregister()
    if (unregistered) goodbyes.push(unregistered)
    this.transfers.stop()
    await Promise.all(goodbyes)
    await this.line.disconnect()
  }

  async stopLeaving(callIds: readonly string[]): Promise<void> {
    for (const id of callIds) {
      const call = this.calls.get(id)
      if (call?.established) call.leave()
    }
    await this.stop()
  }

  readyToDial(): void {
    if (this.registration.state === 'registered') this.spares?.want()
  }

  async dial(target: string): Promise<{ ok: true; callId: string } | { ok: false; reason: string }> {
    const cleaned = target.trim()
    const uri = this.targetUri(cleaned)
    if (!cleaned || !uri) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    if (this.registration.state !== 'registered') return { ok: false, reason: 'not-registered' }
    // A spare being made is ready sooner than a peer connection of the call's own (spare-offer.ts).
    await this.spares?.whenPrepared(SPARE_WAIT_MS)
    if (this.registration.state !== 'registered') return { ok: false, reason: 'not-registered' }
    const inviter = new Inviter(this.line.ua, uri, { sessionDescriptionHandlerOptions: this.mediaOptions(), earlyMedia: true })
    this.dialled.add(inviter)
    const call = this.startCall(inviter, uri.user ?? cleaned, {})
    return { ok: true, callId: call.id }
  }

  async answer(callId: string): Promise<void> {
    await this.calls.get(callId)?.answer()
  }

  async decline(callId: string): Promise<void> {
    await this.calls.get(callId)?.decline()
  }

  async hangup(callId: string): Promise<void> {
    await this.calls.get(callId)?.hangup()
  }

  async hold(callId: string): Promise<boolean> {
    return (await this.calls.get(callId)?.setHold(true)) ?? false
  }

  async unhold(callId: string): Promise<boolean> {
    return (await this.calls.get(callId)?.setHold(false)) ?? false
  }

  mute(callId: string): void {
    this.calls.get(callId)?.setMuted(true)
  }

  unmute(callId: string): void {
    this.calls.get(callId)?.setMuted(false)
  }

  async sendDtmf(callId: string, digits: string): Promise<DtmfResult> {
    const call = this.calls.get(callId)
    if (!call) return normalizeDtmf(digits) ? { ok: false, reason: 'no-call' } : { ok: false, reason: `not DTMF: ${digits}` }
    return call.sendDtmf(digits)
  }

  async transfer(callId: string, target: string): Promise<TransferResult> {
    const uri = this.targetUri(target.trim())
    if (!uri) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    return this.transfers.blind(this.calls.get(callId), uri)
  }

  attendedTransfer(callId: string, consultCallId: string): Promise<TransferResult> {
    return this.transfers.attended(this.calls.get(callId), this.calls.get(consultCallId))
  }

  async setMicrophone(deviceId: string): Promise<void> {
    if (deviceId === this.microphone) return
    this.microphone = deviceId
    // Calls in progress switch too: a new track replaces the old one on the same sender.
    for (const call of this.calls.values()) {
      try {
        await call.switchMicrophone(this.mediaOptions().constraints)
      } catch (error) {
        console.warn('could not switch the microphone', describe(error))
      }
    }
  }

  callStreams(callId: string): { local: MediaStream; remote: MediaStream } | undefined {
    const call = this.calls.get(callId)
    const media = call?.established ? call.media : undefined
    return media ? { local: media.localMediaStream, remote: media.remoteMediaStream } : undefined
  }

  setDoNotDisturb(on: boolean): void {
    this.doNotDisturb = on
  }

  /**
   * A lost connection during a call: the established calls show `reconnecting`; once the line is
   * registered again, each renegotiates its media with an ICE restart (`Call.restartIce`).
   */
  private recoverCalls(status: RegistrationStatus): void {
    if (status.state === 'reconnecting' || status.state === 'connecting') {
      for (const call of this.calls.values()) if (call.established && !call.info.reconnecting) call.patch({ reconnecting: true })
    } else if (status.state === 'registered') {
      for (const call of this.calls.values()) if (call.info.reconnecting) void call.restartIce()
    }
  }

  dialogOf(callId: string): DialogState | undefined {
    const call = this.calls.get(callId)
    return call?.established ? dialogStateOf(call.session) : undefined
  }

  rejoin(dialog: DialogState, info: CallInfo): Promise<RejoinResult> {
    if (this.registration.state !== 'registered') return Promise.resolve({ ok: false, reason: 'not-registered' })
    // A call the agent had on hold comes back held: the new leg offers sendonly (no re-INVITE after).
    const held = info.held
    const inviter = rejoinInviter(this.line.ua, dialog, { ...this.mediaOptions(), hold: held })
    if (!inviter) return Promise.resolve({ ok: false, reason: `not a SIP address: ${dialog.remoteUri}` })
    const call = new Call({ ...info, state: 'dialing', rejoining: true, held, muted: false, remoteHeld: false }, inviter, this.callHost)
    // Later re-INVITEs (the agent resumes the call) start from that state.
    inviter.sessionDescriptionHandlerOptionsReInvite = { ...this.mediaOptions(), hold: held } as typeof inviter.sessionDescriptionHandlerOptionsReInvite
    // Until the other side accepts, however the attempt ends (sip.js may end the session
    // before it reports the rejection) the call ends `failed`, not as an answered call's hang-up.
    call.localEnd = 'failed'
    this.calls.set(call.id, call)
    this.events.emit('callAdded', call.info)
    return new Promise<RejoinResult>((resolve) => {
      const fail = (reason: string) => resolve({ ok: false, reason })
      const cancelTimeout = this.timers.after(REJOIN_TIMEOUT_MS, () => {
        fail('timeout')
        void inviter.cancel().catch(() => undefined)
        call.finish()
      })
      inviter.invite({
        requestDelegate: {
          onAccept: (response) => {
            cancelTimeout()
            call.localEnd = undefined
            // The answer says whether the other side still holds us (sendonly, or inactive to our sendonly).
            if (isHoldOffer(response.message.body ?? '')) call.patch({ remoteHeld: true })
            resolve({ ok: true })
          },
          onReject: (response) => {
            cancelTimeout()
            fail(`${response.message.statusCode} ${response.message.reasonPhrase}`)
          },
        },
      }).catch((error: unknown) => {
        cancelTimeout()
        fail(describe(error))
        call.finish()
      })
    })
  }

  endDialog(dialog: DialogState): Promise<boolean> {
    if (this.registration.state !== 'registered') return Promise.resolve(false)
    return sendStoredBye(this.line.ua, dialog, this.timers)
  }

  /**
   * The ring path, first half: a new call's INVITE, read with sip.js's own parser (the lines it
   * needs: `invite-preview.ts`) into the same
   * snapshot its Invitation will give (`incomingRequestInfo`), is announced as `callArriving`
   * before sip.js's transaction layer sees it; the app renders the popup in this task and sip.js
   * gets the message in the next (`hash-safe-transport.ts`). `onInvite` then gives the call the
   * id and start time chosen here, so `callAdded` carries the same facts; an INVITE that never
   * became an Invitation is withdrawn. Not previewed: do-not-disturb (rejected unseen), an INVITE
   * with Replaces (a transfer or a rejoin, never a popup), a retransmission, anything unparsable.
   */
  private previewInvite(message: string): (() => void) | undefined {
    if (this.doNotDisturb) return undefined
    const request = parseInvitePreview(message, this.line.ua.getLogger('sip.Parser'))
    if (!request || request.method !== 'INVITE') return undefined
    if (MANDATORY.some((name) => !request.hasHeader(name)) || !request.from || !request.to) return undefined
    if (request.hasHeader('replaces')) return undefined
    const sipCallId = request.callId
    if (this.previews.has(sipCallId) || this.hasIncoming(sipCallId)) return undefined
    const preview = { id: this.newCallId(), startedAt: this.clock.now() }
    this.previews.set(sipCallId, preview)
    globalThis.performance?.mark?.('tsunagu:sip-call')
    this.events.emit('callArriving', incomingRequestInfo(request, preview.id, preview.startedAt))
    return () => {
      if (this.previews.get(sipCallId) !== preview) return
      this.previews.delete(sipCallId)
      this.events.emit('callArrivalWithdrawn', preview.id)
    }
  }

  /**
   * Runs the first half of the ring path on a made-up INVITE while the line is idle, with each
   * liveness probe: sip.js's parser and the preview's snapshot (`previewInvite`), nothing kept or
   * sent. The JavaScript engine drops the compiled code of functions that did not run for a while
   * (measured here: the first call after 90 s idle reached the popup 10–19 ms after its INVITE, the
   * calls after it 4–8 ms), so the first call after a quiet spell would compile it again.
   */
  private rehearse(): void {
    if (this.calls.size > 0 || this.previews.size > 0) return
    const request = parseInvitePreview(sampleInvite(this.config.domain, 0), this.line.ua.getLogger('sip.Parser'))
    if (request) incomingRequestInfo(request, 'rehearsal', 0)
  }

  private hasIncoming(sipCallId: string): boolean {
    for (const call of this.calls.values()) {
      if (call.session instanceof Invitation && call.session.request.callId === sipCallId) return true
    }
    return false
  }

  private onInvite(invitation: Invitation): void {
    if (this.doNotDisturb && !invitation.replacee) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined)
      const now = this.clock.now()
      this.events.emit('rejectedByDnd', { ...incomingCallInfo(invitation, this.newCallId(), now), state: 'ended', endedAt: now, endReason: 'rejected' })
      return
    }
    const replaced = this.transfers.replacedBy(invitation)
    if (replaced && this.isRejoin(invitation, replaced)) {
      this.takeBack(invitation, replaced)
      return
    }
    // The id and start time the popup already shows (`previewInvite`), if it was previewed.
    const preview = this.previews.get(invitation.request.callId)
    this.previews.delete(invitation.request.callId)
    const call = new Call(incomingCallInfo(invitation, preview?.id ?? this.newCallId(), preview?.startedAt ?? this.clock.now(), replaced?.id), invitation, this.callHost)
    this.calls.set(call.id, call)
    // The bench reads INVITE at the transport (`tsunagu:invite`) → the preview (`tsunagu:sip-call`)
    // → the store and the popup; this mark is when sip.js's Invitation exists.
    globalThis.performance?.mark?.('tsunagu:sip-invitation')
    this.events.emit('callAdded', call.info)
    if (replaced) {
      this.transfers.takeOver(invitation, replaced)
      return
    }
    // 180 Ringing goes out right after this task's microtasks: after the app rendered the popup
    // (its render is already queued by `callAdded`), still before anything else can arrive.
    queueMicrotask(() => {
      if (call.info.state === 'ringing') void invitation.progress().catch(() => undefined)
    })
  }

  /** A call we placed went out before its microphone (`early-offer.ts`), which then failed: it ends. */
  private onMicrophoneFailure(session: Session, error: unknown): void {
    const call = [...this.calls.values()].find((c) => c.session === session)
    console.warn('no microphone for the call', describe(error))
    if (!call) return
    call.localEnd = 'failed'
    void call.hangup().catch(() => undefined).finally(() => call.finish())
  }

  /**
   * The other party's phone came back on a new page and replaces its own dialog with us (issue
   * 12), as opposed to an attended transfer, where a third party replaces it: the same remote user.
   */
  private isRejoin(invitation: Invitation, replaced: Call): boolean {
    const user = invitation.remoteIdentity.uri.user
    return replaced.established && user !== undefined && user === replaced.info.remoteUser
  }

  /** Same call, new leg: the new session takes the call's id, the old leg leaves without a word. */
  private takeBack(invitation: Invitation, replaced: Call): void {
    // The new leg's offer says whether the other side still holds us (it rejoins as it was).
    const call = new Call({ ...replaced.info, remoteHeld: isHoldOffer(invitation.request.body ?? '') }, invitation, this.callHost)
    this.calls.set(call.id, call)
    replaced.superseded = true
    // A call we hold stays held on the new leg: the answer says so (sendonly, or inactive to a sendonly offer).
    const media = { ...this.mediaOptions(), hold: replaced.info.held }
    invitation.sessionDescriptionHandlerOptionsReInvite = media as typeof invitation.sessionDescriptionHandlerOptionsReInvite
    void invitation.accept({ sessionDescriptionHandlerOptions: media })
      // Taken back held by the other side (a sendonly offer): our microphone is put where the offer negotiated.
      .then(() => adoptUnsentTrack(call.media?.peerConnection))
      .catch((error: unknown) => {
        console.warn('could not accept the rejoining call', describe(error))
      })
  }

  private startCall(inviter: Inviter, remoteUser: string, extra: Partial<CallInfo>): Call {
    const info = { ...outgoingCallInfo(this.newCallId(), remoteUser, this.config.user, this.clock.now()), ...extra }
    const call = new Call(info, inviter, this.callHost)
    this.calls.set(call.id, call)
    this.events.emit('callAdded', call.info)
    inviter.invite({
      requestDelegate: {
        onReject: () => {
          call.localEnd ??= 'rejected'
        },
      },
    }).catch((error: unknown) => {
      call.localEnd = 'failed'
      call.finish()
      console.warn('INVITE failed', describe(error))
    })
    return call
  }

  /**
   * Audio only, from the chosen microphone. `deviceId` without `exact` is a preference: when
   * the saved device is unplugged, the call still gets the default microphone instead of failing.
   */
  private mediaOptions(): MediaOptions {
    return { constraints: { audio: this.microphone ? { deviceId: this.microphone } : true, video: false } }
  }

  private targetUri(target: string): URI | undefined {
    if (!target) return undefined
    return UserAgent.makeURI(target.includes('@') ? `sip:${target.replace(/^sips?:/, '')}` : `sip:${target}@${this.config.domain}`)
  }

  private newCallId(): string {
    this.seq += 1
    return `c${this.clock.now().toString(36)}-${this.seq}`
  }
}
