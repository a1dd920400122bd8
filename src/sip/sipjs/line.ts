import {
  Core,
  SIPExtension,
  TransportState,
  UserAgent,
  type Invitation,
  type SessionDescriptionHandlerFactory,
} from 'sip.js'
import type { TimerSet } from '../clock'
import { registrationStateOf, type LineFacts } from '../registration-state'
import type { RegistrationStatus, SoftphoneConfig } from '../softphone'
import { describe } from './call'
import { abandonTransport, hashSafe, type ReceiveHooks, type TransportConstructor } from './hash-safe-transport'
import { warmUpParser } from './parser-warm-up'

/** Reconnect delays after the socket dropped: quick first, then at most every 30 s. */
export const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]

/** Default seconds between liveness probes (OPTIONS to the registrar) when the config names none. */
export const DEFAULT_KEEP_ALIVE_SECONDS = 25

/** The longest a probe (OPTIONS or REGISTER) waits for the registrar's answer. */
const MAX_ANSWER_MS = 10_000

/**
 * How late a timer of ours may fire before we take it that the page was frozen or the machine
 * slept (Chrome's intensive throttling aligns timers of a hidden page to whole minutes).
 */
const LATE_MS = 5_000

/**
 * A hung WebSocket handshake (the PBX's kernel accepted the connection, the PBX does not run) is
 * kept this long: the PBX answers it the moment it runs again, sooner than any back-off retry.
 */
const CONNECTION_TIMEOUT_S = 20

const ALLOW = 'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER'

export interface LineOptions {
  /** The raw transport class (sip.js's WebSocket one in the browser); the line makes it `#`-safe. */
  transportConstructor: TransportConstructor
  sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory
  timers: TimerSet
  onInvite(invitation: Invitation): void
  /** The ring path's hook before sip.js parses a new call's INVITE (`hash-safe-transport.ts`). */
  receiveHooks?: ReceiveHooks
  /** Every change of what the agent sees of the line. */
  onRegistration(status: RegistrationStatus): void
  /** The line was lost (socket closed or dead) and is back: a new connection and the registrar's 200 on it. */
  onRestored?(): void
  /** Each liveness probe sent (every keepAlive s while connected): the softphone's idle rehearsal rides on it. */
  onProbe?(): void
}

/**
 * The line: sip.js's user agent and transport, and our own registration, liveness probe and
 * back-off reconnect.
 *
 * Why the registration is ours and not sip.js's `Registerer`: the Registerer keeps saying
 * "Registered" over a dead socket, and after a transport loss it refuses to send a new REGISTER
 * until the lost one times out ("REGISTER request already in progress", SIP.js #1071/#894), so a
 * phone that reconnected rang again but showed "not registered". Here the registrar's 200 is the
 * only thing that makes the line `registered`, and a REGISTER lost with its socket is forgotten
 * (its late answer is ignored) instead of blocking the next one.
 *
 * ```
 *  every keepAlive s: OPTIONS sip:domain ──any answer──► alive
 *                          └─ no answer in min(keepAlive, 10 s) ─► dead: drop the socket, reconnect (back-off)
 *  REGISTER 200 (expires E) ─► registered until now + E; refreshed at E/2 (late timers included)
 *  a timer ≥ 5 s late (frozen page, sleep, clock jump), verify() ─► REGISTER now; no answer ─► dead
 * ```
 */
export class Line {
  readonly ua: UserAgent
  private facts: LineFacts = { transport: 'disconnected', registerer: 'initial', wanted: false, everRegistered: false, rejected: false }
  private reason: string | undefined
  private published = ''
  private cancelReconnect: (() => void) | undefined
  private attempt = 0
  /** Each connection attempt; a stale attempt's failure is ignored. */
  private connectSeq = 0
  private readonly registerRequest: Core.OutgoingRequestMessage
  private expires: number
  /** Wall-clock time (our clock) until which the registrar holds our contact. */
  private registeredUntil = 0
  /** Each REGISTER and probe; answers of an older one are ignored. */
  private probeSeq = 0
  private cancelAnswerWait: (() => void) | undefined
  private cancelRefresh: (() => void) | undefined
  private cancelExpiry: (() => void) | undefined
  private cancelTick: (() => void) | undefined
  private tickDueAt = 0
  /** The line had been registered and was lost since: the next 200 is a restoration. */
  private lost = false
  /** Set while we drop the socket ourselves, so its disconnect event does not schedule a second reconnect. */
  private dropping = false
  private readonly keepAliveMs: number
  private readonly answerMs: number

  constructor(private readonly config: SoftphoneConfig, private readonly options: LineOptions) {
    const uri = UserAgent.makeURI(`sip:${config.user}@${config.domain}`)
    if (!uri) throw new Error(`Invalid SIP address: ${config.user}@${config.domain}`)
    this.keepAliveMs = Math.max(1, config.keepAliveSeconds ?? DEFAULT_KEEP_ALIVE_SECONDS) * 1000
    // Three quarters of the interval: a probe sent just after the line died is answered or given up
    // within 1.75 intervals of the death, inside the promised 2 even with late timers.
    this.answerMs = Math.min(this.keepAliveMs * 0.75, MAX_ANSWER_MS)
    this.expires = config.registerExpires
    this.ua = new UserAgent({
      uri,
      transportConstructor: hashSafe(options.transportConstructor, options.receiveHooks),
      transportOptions: { server: config.server, traceSip: false, connectionTimeout: CONNECTION_TIMEOUT_S },
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
      sessionDescriptionHandlerFactory: options.sessionDescriptionHandlerFactory,
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: config.iceServers },
        iceGatheringTimeout: config.iceGatheringTimeoutMs,
      },
      delegate: {
        onConnect: () => this.onConnect(),
        onDisconnect: (error) => this.onDisconnect(error),
        onInvite: (invitation) => options.onInvite(invitation),
      },
    })
    const registrar = this.registrarUri()
    // One Call-ID for all our registrations (RFC 3261 §10.2), CSeq counting up: a REGISTER that
    // was stuck on a dead socket and reaches the registrar late cannot overwrite a newer binding.
    this.registerRequest = this.ua.userAgentCore.makeOutgoingRequestMessage('REGISTER', registrar, uri, uri, {}, [])
  }

  get registration(): RegistrationStatus {
    return { state: registrationStateOf(this.facts), reason: this.reason }
  }

  async start(): Promise<void> {
    this.facts = { ...this.facts, wanted: true, rejected: false, transport: 'connecting' }
    this.publish()
    this.scheduleTick()
    const seq = ++this.connectSeq
    try {
      await this.ua.start()
    } catch (error) {
      if (seq !== this.connectSeq || !this.facts.wanted) return
      this.reason = describe(error)
      this.scheduleReconnect()
    }
  }

  /**
   * Checks the line now (the page resumed, the network came back, the clock jumped): a REGISTER
   * on a connected socket (its 200 is the answer; none within the probe time drops the socket),
   * or a connection attempt at once instead of waiting out the back-off.
   */
  verify(): void {
    if (!this.facts.wanted || this.facts.rejected) return
    this.checkExpiry()
    if (this.facts.transport === 'connected') {
      this.register()
      return
    }
    this.attempt = 0
    this.connectNow()
  }

  /** No more reconnecting or probing: the first step of stopping (the softphone clears the timers). */
  release(): void {
    this.facts.wanted = false
    this.cancelReconnect?.()
    this.stopLineTimers()
    this.cancelTick?.()
    this.connectSeq += 1
    this.probeSeq += 1
  }

  /** Sends the un-REGISTER (synchronously, before the returned promise settles) when registered. */
  unregister(): Promise<unknown> | undefined {
    if (this.facts.registerer !== 'registered' || this.facts.transport !== 'connected') return undefined
    this.probeSeq += 1
    this.sendRegister(0, {})
    this.facts.registerer = 'unregistered'
    return Promise.resolve()
  }

  async disconnect(): Promise<void> {
    await this.ua.stop().catch(() => undefined)
    this.publish()
  }

  private registrarUri(): Core.URI {
    const registrar = this.ua.configuration.uri.clone()
    registrar.user = undefined
    return registrar
  }

  private onConnect(): void {
    this.facts.transport = 'connected'
    this.cancelReconnect?.()
    this.register()
    this.publish()
  }

  private onDisconnect(error?: Error): void {
    // We dropped the socket ourselves (lineDead, connectNow): they decide what comes next.
    if (this.dropping) return
    this.facts.transport = 'disconnected'
    this.loseRegistration()
    if (error) this.reason = describe(error)
    this.publish()
    if (this.facts.wanted) this.scheduleReconnect()
  }

  /** Sends a REGISTER; its 200 is the only thing that makes the line registered. */
  private register(): void {
    const seq = ++this.probeSeq
    this.waitForAnswer(seq, 'REGISTER')
    this.sendRegister(this.expires, {
      onAccept: (response) => {
        if (seq !== this.probeSeq || !this.facts.wanted) return
        this.cancelAnswerWait?.()
        this.onRegistered(response.message)
      },
      onReject: (response) => {
        if (seq !== this.probeSeq || !this.facts.wanted) return
        this.cancelAnswerWait?.()
        this.onRegisterRejected(response.message)
      },
      onRedirect: (response) => {
        if (seq !== this.probeSeq || !this.facts.wanted) return
        this.cancelAnswerWait?.()
        this.onRegisterRejected(response.message)
      },
    })
  }

  private sendRegister(expires: number, delegate: Core.OutgoingRequestDelegate): void {
    const request = this.registerRequest
    request.cseq += 1
    request.setHeader('cseq', `${request.cseq} REGISTER`)
    request.extraHeaders = [`Contact: ${this.ua.contact.toString({ register: true })};expires=${expires}`, ALLOW]
    try {
      this.ua.userAgentCore.register(request, delegate)
    } catch (error) {
      // Not connected after all: the disconnect handler reconnects.
      this.reason = describe(error)
    }
  }

  private onRegistered(message: Core.IncomingResponseMessage): void {
    const granted = this.grantedExpires(message)
    if (granted === undefined || granted <= 0) {
      // A 200 that does not list our contact: the registrar does not know us.
      this.reason = 'the registrar did not list our contact'
      this.lineDead(this.reason)
      return
    }
    const first = !this.facts.everRegistered
    const restored = this.lost
    this.lost = false
    this.facts.registerer = 'registered'
    this.facts.everRegistered = true
    this.reason = undefined
    this.attempt = 0
    this.registeredUntil = this.options.timers.clock.now() + granted * 1000
    this.cancelRefresh?.()
    this.cancelExpiry?.()
    // Half the granted time: a refresh that a throttled or frozen page runs late still lands in time.
    this.cancelRefresh = this.options.timers.after(granted * 500, () => this.register())
    this.cancelExpiry = this.options.timers.after(granted * 1000, () => this.checkExpiry())
    this.publish()
    if (restored) this.options.onRestored?.()
    // Once per page, in a task of its own after the registration showed.
    if (first) this.options.timers.after(0, () => warmUpParser(this.ua, this.config.domain))
  }

  private onRegisterRejected(message: Core.IncomingResponseMessage): void {
    const statusCode = message.statusCode ?? 0
    const { reasonPhrase } = message
    this.reason = `${statusCode} ${reasonPhrase}`
    if (statusCode === 423) {
      const min = Number(message.getHeader('min-expires'))
      if (Number.isFinite(min) && min > this.expires) {
        this.expires = min
        this.register()
        return
      }
    }
    if (statusCode === 408 || statusCode >= 500) {
      // No answer from the registrar, or it is in trouble: connect again, with back-off.
      this.lineDead(this.reason)
      return
    }
    // 401/407 were answered by sip.js with credentials; a final rejection means they were wrong.
    this.loseRegistration()
    this.facts.rejected = true
    this.publish()
  }

  /** The expires the registrar granted our contact (RFC 3261 §10.2.4), if it lists it. */
  private grantedExpires(message: Core.IncomingResponseMessage): number | undefined {
    const ours = this.ua.contact.uri.user
    const count = message.getHeaders('contact').length
    for (let i = 0; i < count; i += 1) {
      const contact = message.parseHeader('contact', i) as Core.NameAddrHeader | undefined
      if (!contact || contact.uri.user !== ours) continue
      const param = contact.getParam('expires')
      if (param !== undefined) return Number(param)
      const header = message.getHeader('expires')
      return header === undefined ? this.expires : Number(header)
    }
    return undefined
  }

  /** The probe: any final answer to OPTIONS proves the connection and the registrar's SIP stack run. */
  private probe(): void {
    if (this.facts.transport !== 'connected' || this.cancelAnswerWait) return
    const seq = ++this.probeSeq
    this.waitForAnswer(seq, 'OPTIONS')
    const uri = this.ua.configuration.uri
    const request = this.ua.userAgentCore.makeOutgoingRequestMessage('OPTIONS', this.registrarUri(), uri, uri, {}, [])
    const answered = () => {
      if (seq !== this.probeSeq) return
      this.cancelAnswerWait?.()
    }
    try {
      this.ua.userAgentCore.request(request, { onAccept: answered, onReject: answered, onRedirect: answered })
    } catch (error) {
      this.reason = describe(error)
    }
    this.options.onProbe?.()
  }

  private waitForAnswer(seq: number, what: string): void {
    this.cancelAnswerWait?.()
    const timer = this.options.timers.after(this.answerMs, () => {
      if (this.cancelAnswerWait === cancel) this.cancelAnswerWait = undefined
      if (seq === this.probeSeq && this.facts.wanted) this.lineDead(`no answer to ${what} within ${this.answerMs / 1000} s`)
    })
    const cancel = (): void => {
      timer()
      if (this.cancelAnswerWait === cancel) this.cancelAnswerWait = undefined
    }
    this.cancelAnswerWait = cancel
  }

  /** The periodic tick: the probe, and the watch for a page that was frozen or a machine that slept. */
  private scheduleTick(): void {
    this.cancelTick?.()
    this.tickDueAt = this.options.timers.clock.now() + this.keepAliveMs
    this.cancelTick = this.options.timers.after(this.keepAliveMs, () => {
      const late = this.options.timers.clock.now() - this.tickDueAt
      this.scheduleTick()
      if (late >= LATE_MS) this.verify()
      else {
        this.checkExpiry()
        this.probe()
      }
    })
  }

  /** Our clock says the registration ran out (a frozen page, a sleeping laptop): never show registered then. */
  private checkExpiry(): void {
    if (this.facts.registerer !== 'registered' || this.options.timers.clock.now() < this.registeredUntil) return
    this.facts.registerer = 'unregistered'
    this.reason = 'registration expired'
    this.publish()
    if (this.facts.transport === 'connected' && !this.cancelAnswerWait) this.register()
  }

  /** No answer on a socket that looks open (a hung PBX, a dead network path): drop it and reconnect. */
  private lineDead(reason: string): void {
    this.reason = reason
    this.loseRegistration()
    this.probeSeq += 1
    const wasUp = this.facts.transport !== 'disconnected'
    this.connectSeq += 1
    this.facts.transport = 'disconnected'
    // Closing the WebSocket politely would wait for the hung peer's close frame; the transport
    // forgets the socket at once (and reports the disconnect, which schedules the reconnect).
    if (wasUp) this.drop(reason)
    this.publish()
    if (this.facts.wanted) this.scheduleReconnect()
  }

  private loseRegistration(): void {
    if (this.facts.everRegistered) this.lost = true
    if (this.facts.registerer === 'registered') this.facts.registerer = 'unregistered'
    this.stopLineTimers()
  }

  private stopLineTimers(): void {
    this.cancelAnswerWait?.()
    this.cancelRefresh?.()
    this.cancelExpiry?.()
    this.cancelRefresh = undefined
    this.cancelExpiry = undefined
  }

  private drop(reason: string): void {
    this.dropping = true
    try {
      abandonTransport(this.ua.transport, new Error(reason))
    } finally {
      this.dropping = false
    }
  }

  private connectNow(): void {
    this.cancelReconnect?.()
    const seq = ++this.connectSeq
    // A connection attempt still hanging (e.g. on the network we just left) is dropped first.
    if (this.ua.transport.state !== TransportState.Disconnected) this.drop('reconnecting')
    this.facts.transport = 'connecting'
    this.publish()
    const startedAt = this.options.timers.clock.now()
    this.ua.reconnect().catch((error: unknown) => {
      if (seq !== this.connectSeq || !this.facts.wanted) return
      this.reason = describe(error)
      // A handshake that hung until its timeout: the PBX's host accepts connections but the PBX
      // does not answer (hung, or busy starting). Waiting longer between attempts only delays
      // the moment it answers again, and a hanging attempt costs it nothing: try again soon.
      if (this.options.timers.clock.now() - startedAt >= (CONNECTION_TIMEOUT_S - 1) * 1000) this.attempt = 0
      this.scheduleReconnect()
    })
  }

  private scheduleReconnect(): void {
    this.cancelReconnect?.()
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 30000
    this.attempt += 1
    this.facts.transport = 'connecting'
    this.publish()
    const cancel = this.options.timers.after(delay, () => {
      if (this.cancelReconnect === cancel) this.cancelReconnect = undefined
      if (this.facts.wanted) this.connectNow()
    })
    this.cancelReconnect = cancel
  }

  private publish(): void {
    const status = this.registration
    const key = `${status.state}\n${status.reason ?? ''}`
    if (key === this.published) return
    this.published = key
    this.options.onRegistration(status)
  }
}
