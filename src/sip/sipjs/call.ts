import { Invitation, Inviter, SessionState, type Core, type Referral, type Session } from 'sip.js'
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web'
import type { Clock } from '../clock'
import { dtmfRelayBody, DTMF_DURATION_MS, DTMF_GAP_MS, normalizeDtmf } from '../dtmf'
import { isHoldOffer } from '../sdp-direction'
import type { CallInfo, DtmfResult, EndReason, SoftphoneEvents } from '../softphone'
import type { TypedEmitter } from '../typed-emitter'

/**
 * What we use of a session description handler beyond sip.js's own interface: the tracks
 * and the peer connection. sip.js's web handler has all of it; the unit tests' fake has a
 * stand-in of each.
 */
export type MediaHandler = Pick<
  SessionDescriptionHandler,
  'peerConnection' | 'localMediaStream' | 'remoteMediaStream' | 'enableSenderTracks' | 'enableReceiverTracks'
>

/** sip.js's session description handler options as we pass them (audio from the chosen microphone). */
export interface MediaOptions {
  constraints: MediaStreamConstraints
  /** Offer or answer as a call on hold (sip.js's web handler: sendonly, or inactive when the other side holds too). */
  hold?: boolean
}

/** What a call needs from the softphone that holds it. */
export interface CallHost {
  readonly clock: Clock
  readonly events: TypedEmitter<SoftphoneEvents>
  mediaOptions(): MediaOptions
  /** The call ended: drop it from the list of calls (before `callUpdated` announces the end). */
  forget(call: Call): void
  /** The other party sent REFER on this call (transfers us). */
  referred(call: Call, referral: Referral): void
}

/**
 * One sip.js session and what we know of it: our `CallInfo` snapshot, who ended it, the
 * re-INVITE and INFO sequencing. Every change of the snapshot goes out as `callUpdated`;
 * after `ended` nothing changes any more.
 */
export class Call {
  /** Set before we act, so the terminal state can say who ended the call. */
  localEnd?: EndReason
  /** Its dialog was replaced by the same call's new leg (a rejoin, issue 12): it ends without a word. */
  superseded = false
  /** A hold or resume re-INVITE is in flight: sip.js refuses a second one (491 glare). */
  private holdPending = false
  /**
   * INFO digits go out one after another, in the order pressed: each waits until the previous
   * one was handed to the transport (sip.js resolves `info()` when sent, not when answered).
   */
  private infoChain: Promise<unknown> = Promise.resolve()
  /** The ICE restart in flight after a reconnect (see `restartIce`). */
  private iceRestart: Promise<boolean> | undefined

  constructor(
    public info: CallInfo,
    readonly session: Session,
    private readonly host: CallHost,
  ) {
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        // A rejoined call (issue 12) keeps the answer time of the page that answered it.
        const { rejoining: _done, ...rest } = this.info
        this.info = rest
        this.patch({ state: 'active', answeredAt: this.info.answeredAt ?? host.clock.now() })
        // A leg that starts held (a call taken back as the agent left it, issue 12) sends and plays nothing.
        if (this.info.held) this.applyTracks()
        const media = this.media
        if (media) host.events.emit('remoteStream', info.id, media.remoteMediaStream)
      } else if (state === SessionState.Terminated) {
        this.finish()
      }
    })
    session.delegate = {
      // Requests inside the call that need our attention: remote hold, REFER.
      onInvite: (request: { body: string }, _response: unknown, statusCode: number) => {
        if (statusCode !== 200) return
        const remoteHeld = isHoldOffer(request.body)
        if (remoteHeld !== this.info.remoteHeld) this.patch({ remoteHeld })
      },
      onRefer: (referral: Referral) => host.referred(this, referral),
      ...(session instanceof Invitation
        ? {
            onCancel: (cancel: { request: { getHeader(name: string): string | undefined } }) => {
              // `Reason: SIP;cause=200` — another phone of the group took the call (RFC 3326).
              const answeredElsewhere = /cause=200\b/.test(cancel.request.getHeader('reason') ?? '')
              this.localEnd ??= answeredElsewhere ? 'answered-elsewhere' : 'cancelled'
            },
          }
        : {}),
    }
  }

  get id(): string {
    return this.info.id
  }

  get established(): boolean {
    return this.session.state === SessionState.Established
  }

  get media(): MediaHandler | undefined {
    return this.session.sessionDescriptionHandler as MediaHandler | undefined
  }

  async answer(): Promise<void> {
    if (!(this.session instanceof Invitation) || this.info.state !== 'ringing') return
    await this.session.accept({ sessionDescriptionHandlerOptions: this.host.mediaOptions() })
  }

  async decline(): Promise<void> {
    if (!(this.session instanceof Invitation) || this.info.state !== 'ringing') return
    this.localEnd = 'declined'
    await this.session.reject({ statusCode: 486 })
  }

  /** CANCEL, reject or BYE, whichever fits the session's state. */
  async hangup(): Promise<void> {
    const { session } = this
    switch (session.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) {
          this.localEnd ??= 'hangup-local'
          await session.cancel()
        } else if (session instanceof Invitation) {
          this.localEnd = 'declined'
          await session.reject({ statusCode: 486 })
        }
        break
      case SessionState.Established:
        this.localEnd ??= 'hangup-local'
        await session.bye()
        break
      default:
        break
    }
  }

  async setHold(hold: boolean): Promise<boolean> {
    if (!this.established) return false
    if (this.info.held === hold) return true
    if (this.holdPending) return false
    const { session } = this
    this.holdPending = true
    // sip.js's web handler offers sendonly (or inactive, when the other side holds too) with `hold`.
    session.sessionDescriptionHandlerOptionsReInvite = { ...this.host.mediaOptions(), hold } as typeof session.sessionDescriptionHandlerOptionsReInvite
    const accepted = await new Promise<boolean>((resolve) => {
      session.invite({
        requestDelegate: {
          onAccept: () => resolve(true),
          onReject: () => resolve(false),
        },
      }).catch(() => resolve(false))
    })
    this.holdPending = false
    if (!accepted) {
      // The other side refused: offer our previous state on the next re-INVITE.
      session.sessionDescriptionHandlerOptionsReInvite = { ...this.host.mediaOptions(), hold: this.info.held } as typeof session.sessionDescriptionHandlerOptionsReInvite
      return false
    }
    this.patch({ held: hold })
    this.applyTracks()
    return true
  }

  /**
   * After the line came back from a lost connection: a re-INVITE with an ICE restart (new ICE
   * credentials and candidates), so media recovers on whatever network the browser is on now.
   * Its Contact also tells the other side (target refresh) where our new connection is, so its
   * in-dialog requests stop going to the dead one. `reconnecting` ends with the answer either way:
   * refused, the call goes on with the media it has.
   */
  restartIce(): Promise<boolean> {
    // The line may say "registered" twice in a row (REGISTER 200 and the registerer's own state).
    this.iceRestart ??= this.renegotiateIce().finally(() => {
      this.iceRestart = undefined
    })
    return this.iceRestart
  }

  private async renegotiateIce(): Promise<boolean> {
    if (!this.established || this.holdPending) {
      this.patch({ reconnecting: false })
      return false
    }
    const { session } = this
    this.holdPending = true
    const options = { ...this.host.mediaOptions(), hold: this.info.held }
    session.sessionDescriptionHandlerOptionsReInvite = { ...options, offerOptions: { iceRestart: true } } as typeof session.sessionDescriptionHandlerOptionsReInvite
    const accepted = await new Promise<boolean>((resolve) => {
      session.invite({
        requestDelegate: {
          onAccept: () => resolve(true),
          onReject: () => resolve(false),
        },
      }).catch(() => resolve(false))
    })
    this.holdPending = false
    session.sessionDescriptionHandlerOptionsReInvite = options as typeof session.sessionDescriptionHandlerOptionsReInvite
    if (!accepted) console.warn('ICE restart after reconnect refused; the call goes on with its media as it is')
    this.patch({ reconnecting: false })
    return accepted
  }

  setMuted(muted: boolean): void {
    if (this.info.muted === muted) return
    this.patch({ muted })
    this.applyTracks()
  }

  async sendDtmf(digits: string): Promise<DtmfResult> {
    const tones = normalizeDtmf(digits)
    if (!tones) return { ok: false, reason: `not DTMF: ${digits}` }
    if (!this.established) return { ok: false, reason: 'no-call' }
    const dtmf = this.media?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio' || s.dtmf)?.dtmf
    // canInsertDTMF is true only when telephone-event was negotiated with the other side.
    if (dtmf?.canInsertDTMF) {
      // insertDTMF replaces what is still queued: append, so quick key presses are all sent.
      dtmf.insertDTMF(dtmf.toneBuffer + tones, DTMF_DURATION_MS, DTMF_GAP_MS)
      return { ok: true, method: 'rfc4733' }
    }
    const sent = (this.infoChain = this.infoChain.then(async () => {
      for (const digit of tones) {
        await this.session.info({
          requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: dtmfRelayBody(digit) } },
        })
      }
    }))
    try {
      await sent
      return { ok: true, method: 'info' }
    } catch (error) {
      this.infoChain = Promise.resolve()
      return { ok: false, reason: describe(error) }
    }
  }

  /** A new microphone track replaces the old one on the same sender (no re-INVITE). */
  async switchMicrophone(constraints: MediaStreamConstraints): Promise<void> {
    const media = this.media
    const sender = media?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio')
    if (!media || !sender) return
    const stream = await navigator.mediaDevices.getUserMedia(constraints)
    const track = stream.getAudioTracks()[0]
    if (!track) return
    track.enabled = !this.info.held && !this.info.muted
    const old = sender.track
    await sender.replaceTrack(track)
    if (old) {
      media.localMediaStream.removeTrack(old)
      old.stop()
    }
    media.localMediaStream.addTrack(track)
  }

  patch(change: Partial<CallInfo>): void {
    if (this.info.state === 'ended') return
    this.info = { ...this.info, ...change }
    this.host.events.emit('callUpdated', this.info)
  }

  /**
   * Another tab of ours takes this call over (issue 12: the line moved there during the call):
   * its media closes here and no BYE goes out. The session leaves its user agent, so the line's
   * `stop()` does not end it; the call ends here without a word.
   */
  leave(): void {
    this.superseded = true
    this.session.sessionDescriptionHandler?.close()
    // sip.js has no public way to drop a session without ending it (`dispose()` sends BYE).
    delete (this.session.userAgent as unknown as { _sessions: Record<string, Session> })._sessions[this.session.id]
    this.finish()
  }

  /** Final state: the reason is what we set before acting, else what the session's history says. */
  finish(): void {
    if (this.info.state === 'ended') return
    const wasAnswered = this.info.answeredAt !== undefined
    const endReason: EndReason = this.localEnd
      ?? (wasAnswered ? 'hangup-remote' : this.info.direction === 'in' ? 'cancelled' : 'rejected')
    this.info = { ...this.info, state: 'ended', endedAt: this.host.clock.now(), endReason }
    this.host.forget(this)
    if (this.superseded) return
    this.host.events.emit('callUpdated', this.info)
  }

  /** On hold nothing plays or is sent; muted sends silence. */
  private applyTracks(): void {
    const media = this.media
    if (!media) return
    media.enableSenderTracks(!this.info.held && !this.info.muted)
    media.enableReceiverTracks(!this.info.held)
  }
}

/** The snapshot of a new incoming call, from its INVITE. */
export function incomingCallInfo(invitation: Invitation, id: string, now: number, replaces?: string): CallInfo {
  return incomingRequestInfo(invitation.request, id, now, replaces)
}

/**
 * The snapshot of an incoming call from its INVITE as sip.js parsed it: the same for the preview
 * the ring path shows before sip.js's Invitation exists and for the Invitation itself.
 */
export function incomingRequestInfo(request: Core.IncomingRequestMessage, id: string, now: number, replaces?: string): CallInfo {
  const headers: Record<string, string> = {}
  for (const [name, values] of Object.entries(request.headers)) {
    const first = values[0]
    if (first) headers[name.toLowerCase()] = first.raw
  }
  return {
    id,
    direction: 'in',
    state: 'ringing',
    // What sip.js's Invitation calls its remoteIdentity: the From header.
    remoteUser: request.from.uri.user ?? '',
    remoteDisplayName: request.from.displayName ?? '',
    localUser: request.to.uri.user ?? '',
    headers,
    startedAt: now,
    held: false,
    muted: false,
    remoteHeld: false,
    ...(replaces ? { replaces } : {}),
  }
}

/** The snapshot of a call we place. */
export function outgoingCallInfo(id: string, remoteUser: string, localUser: string, now: number): CallInfo {
  return {
    id,
    direction: 'out',
    state: 'dialing',
    remoteUser,
    remoteDisplayName: '',
    localUser,
    headers: {},
    startedAt: now,
    held: false,
    muted: false,
    remoteHeld: false,
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
