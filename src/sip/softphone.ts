/**
 * Our own telephony interface. Everything outside `src/sip` talks to a phone through
 * these types; `src/sip/sipjs` is the only implementation that touches sip.js, and
 * `fake-softphone.ts` serves store and component tests.
 */

/**
 * What the agent sees of the line.
 *
 * ```
 *  unregistered ──start()──► connecting ──REGISTER 200──► registered
 *                               │  ▲                          │
 *                     rejected  │  └──── reconnecting ◄───────┘ socket lost
 *                               ▼          (backoff)
 *                             failed
 * ```
 */
export type RegistrationState = 'unregistered' | 'connecting' | 'registered' | 'reconnecting' | 'failed'

export interface RegistrationStatus {
  state: RegistrationState
  /** Why the last attempt failed, in plain words (a SIP status line or a socket error). */
  reason?: string
}

export type CallDirection = 'in' | 'out'

/**
 * `ringing`: incoming, not answered yet. `dialing`: outgoing, INVITE sent, no answer yet.
 * `active`: media established. `ended`: final; the call is removed shortly after.
 */
export type CallState = 'ringing' | 'dialing' | 'active' | 'ended'

export type EndReason =
  | 'hangup-local'
  | 'hangup-remote'
  | 'declined'
  | 'cancelled'
  | 'rejected'
  | 'failed'
  | 'answered-elsewhere'
  /** Our leg ended because a transfer we made (blind or attended) succeeded. */
  | 'transferred'

export interface CallInfo {
  id: string
  direction: CallDirection
  state: CallState
  /**
   * The other party's SIP user exactly as it arrived, `#` codes included
   * (`0312345678#A1#B2`). Incoming: the From user. Outgoing: the number dialled.
   */
  remoteUser: string
  remoteDisplayName: string
  /** Incoming: the To user (never the Request-URI, which is a contact token). Outgoing: our own user. */
  localUser: string
  /**
   * Request headers of the initial INVITE, lower-cased names, first value of each. Whether the
   * caller withheld the number (From `anonymous`, `Privacy: id`) is decided once, from these and
   * `remoteUser`, by the call reading (`src/calls/reading.ts`), never here.
   */
  headers: Readonly<Record<string, string>>
  startedAt: number
  answeredAt?: number
  endedAt?: number
  endReason?: EndReason
  /** We put the call on hold: the other party accepted our sendonly/inactive re-INVITE. */
  held: boolean
  /** Our microphone is off for this call (no signalling: the track sends silence). */
  muted: boolean
  /** The other party put us on hold (its re-INVITE offered sendonly/inactive). */
  remoteHeld: boolean
  /** A transfer we started on this call: waiting for the result, or it failed (the call goes on). */
  transfer?: 'pending' | 'failed'
  /**
   * Incoming call that replaces one of ours (INVITE with Replaces: the other party completed an
   * attended transfer to us). It is answered by itself, without ringing or popup.
   */
  replaces?: string
  /** Outgoing call we placed because the other party of that call transferred us (REFER). */
  referredFrom?: string
  /**
   * The line's connection dropped during the call: true until the line is registered again and
   * the call's media was renegotiated (a re-INVITE with an ICE restart). Absent = never dropped.
   */
  reconnecting?: boolean
  /**
   * A call of an earlier page of the phone being taken over (INVITE with Replaces, issue 12):
   * `true` until the other side accepted; the call keeps its id and `answeredAt`.
   */
  rejoining?: boolean
}

/**
 * A confirmed dialog as SIP knows it (RFC 3261 §12), seen from our side: enough for another
 * page of the phone to replace it (INVITE with Replaces) or end it (BYE). URIs as strings.
 */
export interface DialogState {
  sipCallId: string
  localTag: string
  remoteTag: string
  localUri: string
  remoteUri: string
  /** The other party's Contact: where in-dialog requests go (through `routeSet`). */
  remoteTarget: string
  routeSet: string[]
  localSeq: number
}

export type RejoinResult = { ok: true } | { ok: false; reason: string }

/** How DTMF digits went out: RTP telephone-events (RFC 4733) or SIP INFO when those were not negotiated. */
export type DtmfMethod = 'rfc4733' | 'info'

export type DtmfResult = { ok: true; method: DtmfMethod } | { ok: false; reason: string }

/** A transfer's outcome: `ok` once the transfer target answered (our leg then ends). */
export type TransferResult = { ok: true } | { ok: false; reason: string }

export interface SoftphoneConfig {
  /** ws:// or wss:// URL of the PBX's SIP WebSocket. */
  server: string
  /** SIP domain of the account (`user@domain`). */
  domain: string
  user: string
  password: string
  /** Digest user name when it differs from `user`. */
  authUser?: string
  displayName: string
  /**
   * Stable per browser, saved with the settings, so a reload replaces its registration
   * instead of leaving a stale contact behind on the registrar.
   */
  contactName: string
  viaHost: string
  iceServers: RTCIceServer[]
  /**
   * Upper bound on ICE gathering before an offer or answer is sent. With STUN/TURN servers
   * gathering can take seconds; the INVITE must not wait for that.
   */
  iceGatheringTimeoutMs: number
  /** Seconds between registrations (the registrar may shorten it). */
  registerExpires: number
  /**
   * Seconds between liveness probes of the line (SIP OPTIONS to the registrar); a probe that gets
   * no answer within min(this, 10 s) counts the line dead. Default 25.
   */
  keepAliveSeconds?: number
}

export interface SoftphoneEvents {
  registration: (status: RegistrationStatus) => void
  /**
   * A new call's INVITE reached the page and was read, before the SIP stack handled it: what the
   * popup shows at once. `callAdded` with the same id and the same facts follows in a moment, or
   * `callArrivalWithdrawn` when the INVITE turned out to be no call (refused, unparsable). Only
   * for showing: nothing may be decided, sent or stored for an arriving call. Optional: a
   * softphone may announce a call with `callAdded` alone.
   */
  callArriving: (call: CallInfo) => void
  /** The INVITE announced by `callArriving` with this id became no call. */
  callArrivalWithdrawn: (callId: string) => void
  /** A call appeared (incoming INVITE or our own dial). */
  callAdded: (call: CallInfo) => void
  /** Any change of a call's state; `call` is a fresh snapshot. */
  callUpdated: (call: CallInfo) => void
  /** Remote audio for a call is available (or replaced). */
  remoteStream: (callId: string, stream: MediaStream) => void
  /**
   * The other party of `callId` transferred us (REFER): we accepted and are now calling
   * `target` as call `newCallId` (also announced by `callAdded`).
   */
  referred: (callId: string, newCallId: string, target: string) => void
  /**
   * An incoming call refused by do-not-disturb (486 at once, no ringing): never announced by
   * `callAdded`, reported once so the history can keep it (`rejected`). `call` is final:
   * state `ended`, `endReason` `rejected`, `endedAt` = `startedAt`.
   */
  rejectedByDnd: (call: CallInfo) => void
  /**
   * The line had been lost (socket closed, or found dead by the probe) and is back: a new
   * connection, and the registrar answered 200 on it. Calls in progress need their media
   * recovered now (ICE restart); fired after the `registration` event that shows `registered`.
   */
  lineRestored: () => void
}

export interface Softphone {
  readonly registration: RegistrationStatus
  /** Connects and registers; resolves when the first attempt has settled. Never rejects. */
  start(): Promise<void>
  /** Hangs up every call, unregisters and disconnects. */
  stop(): Promise<void>
  /**
   * Checks the line at once: the page was resumed or shown again, the network came back, or the
   * clock jumped. Re-registers (or reconnects without waiting for the back-off) when needed.
   */
  verify(): void
  /**
   * The agent is at the dial pad (it has the focus, a key was typed): a call may be placed in a
   * moment, so the softphone may prepare what every call we place needs (`spare-offer.ts`).
   * Cheap to call on every key; it lapses by itself.
   */
  readyToDial(): void
  /** Dials a number or SIP user; returns the new call's id, or a reason it could not start. */
  dial(target: string): Promise<{ ok: true; callId: string } | { ok: false; reason: string }>
  answer(callId: string): Promise<void>
  /** Rejects a ringing incoming call with 486 Busy Here. */
  decline(callId: string): Promise<void>
  /** Ends a call in any state: CANCEL, BYE or reject, whichever fits. */
  hangup(callId: string): Promise<void>
  /** re-INVITE with sendonly (inactive when the other side holds too); resolves false when refused. */
  hold(callId: string): Promise<boolean>
  /** re-INVITE back to sendrecv; resolves false when refused. */
  unhold(callId: string): Promise<boolean>
  /** Stops sending microphone audio on the call (local only, no signalling). */
  mute(callId: string): void
  unmute(callId: string): void
  /**
   * Sends digits (`0-9 * # A-D`): RFC 4733 telephone-events when negotiated, else one SIP INFO
   * (`application/dtmf-relay`) per digit. Digits sent quickly one after another keep their order.
   */
  sendDtmf(callId: string, digits: string): Promise<DtmfResult>
  /** Blind transfer: REFER the other party to `target`; our leg ends once the target answered. */
  transfer(callId: string, target: string): Promise<TransferResult>
  /**
   * Attended transfer: REFER the other party of `callId` to the party of `consultCallId` with
   * Replaces, so they talk to each other; both our legs end.
   */
  attendedTransfer(callId: string, consultCallId: string): Promise<TransferResult>
  /** Microphone for calls from now on (and the ones in progress); '' = the browser's default. */
  setMicrophone(deviceId: string): Promise<void>
  /** Do not disturb: incoming calls are rejected with 486 at once, before any ringing or `callAdded` (`rejectedByDnd`). */
  setDoNotDisturb(on: boolean): void
  /**
   * The audio of a call for recording: our microphone's stream and the other party's, once the
   * call is established (undefined before, after the end, and for unknown calls).
   */
  callStreams(callId: string): { local: MediaStream; remote: MediaStream } | undefined
  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void
  /** The confirmed dialog of an active call, to keep it across a reload (issue 12). */
  dialogOf?(callId: string): DialogState | undefined
  /**
   * Takes over a dialog an earlier page of ours left: an INVITE carrying Replaces to the other
   * party, announced as `callAdded` with `info` (its id kept, `rejoining: true`); resolves when
   * the other side answered, refused or did not answer in time (the call then ends `failed`).
   * A call with `info.held` comes back held (the new leg offers sendonly); `remoteHeld` follows
   * the other side's answer.
   */
  rejoin?(dialog: DialogState, info: CallInfo): Promise<RejoinResult>
  /** Ends a dialog an earlier page left, with a BYE built from its state; resolves on the answer or a timeout. */
  endDialog?(dialog: DialogState): Promise<boolean>
  /**
   * As `stop()`, except that the established calls named are left to another tab of ours, which
   * rejoins them (the line moved there during a call): no BYE for them, their media closes here.
   */
  stopLeaving?(callIds: readonly string[]): Promise<void>
}
