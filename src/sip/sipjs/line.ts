import {
  Registerer,
  RegistererState,
  SIPExtension,
  UserAgent,
  type Invitation,
  type SessionDescriptionHandlerFactory,
} from 'sip.js'
import type { TimerSet } from '../clock'
import { registrationStateOf, type LineFacts } from '../registration-state'
import type { RegistrationStatus, SoftphoneConfig } from '../softphone'
import { describe } from './call'
import { hashSafe, type TransportConstructor } from './hash-safe-transport'
import { warmUpParser } from './parser-warm-up'

/** Reconnect delays after the socket dropped: quick first, then at most every 30 s. */
export const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]

export interface LineOptions {
  /** The raw transport class (sip.js's WebSocket one in the browser); the line makes it `#`-safe. */
  transportConstructor: TransportConstructor
  sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory
  timers: TimerSet
  onInvite(invitation: Invitation): void
  /** Every change of what the agent sees of the line. */
  onRegistration(status: RegistrationStatus): void
}

/**
 * The line: sip.js's user agent, its transport and registerer, our own back-off reconnect,
 * and the facts that decide the registration state (`registrationStateOf`).
 */
export class Line {
  readonly ua: UserAgent
  private readonly registerer: Registerer
  private facts: LineFacts = { transport: 'disconnected', registerer: 'initial', wanted: false, everRegistered: false, rejected: false }
  private reason: string | undefined
  private cancelReconnect: (() => void) | undefined
  private attempt = 0

  constructor(private readonly config: SoftphoneConfig, private readonly options: LineOptions) {
    const uri = UserAgent.makeURI(`sip:${config.user}@${config.domain}`)
    if (!uri) throw new Error(`Invalid SIP address: ${config.user}@${config.domain}`)
    this.ua = new UserAgent({
      uri,
      transportConstructor: hashSafe(options.transportConstructor),
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
      this.publish()
    })
  }

  get registration(): RegistrationStatus {
    return { state: registrationStateOf(this.facts), reason: this.reason }
  }

  async start(): Promise<void> {
    this.facts = { ...this.facts, wanted: true, rejected: false, transport: 'connecting' }
    this.publish()
    try {
      await this.ua.start()
    } catch (error) {
      this.reason = describe(error)
      this.scheduleReconnect()
    }
  }

  /** No more reconnecting: the first step of stopping (the softphone clears the timers). */
  release(): void {
    this.facts.wanted = false
    this.cancelReconnect?.()
  }

  /** Sends the un-REGISTER (synchronously, before the returned promise settles) when registered. */
  unregister(): Promise<unknown> | undefined {
    if (this.facts.registerer !== 'registered') return undefined
    return this.registerer.unregister().catch(() => undefined)
  }

  async disconnect(): Promise<void> {
    await this.ua.stop().catch(() => undefined)
    this.publish()
  }

  private onConnect(): void {
    this.facts.transport = 'connected'
    this.attempt = 0
    this.cancelReconnect?.()
    this.registerer.register({
      requestDelegate: {
        // sip.js's Registerer stays "Registered" across a dropped socket, so its state change
        // does not fire again after a reconnect: the 200 to this REGISTER is what tells us the
        // (possibly restarted) registrar knows us again.
        onAccept: () => {
          const first = !this.facts.everRegistered
          this.facts.registerer = 'registered'
          this.facts.everRegistered = true
          this.reason = undefined
          this.publish()
          // Once per page, in a task of its own after the registration showed.
          if (first) this.options.timers.after(0, () => warmUpParser(this.ua, this.config.domain))
        },
        onReject: (response) => {
          const { statusCode, reasonPhrase } = response.message
          this.reason = `${statusCode} ${reasonPhrase}`
          // 401/407 are answered by sip.js with credentials; a final rejection means they were wrong.
          this.facts.rejected = true
          this.publish()
        },
      },
    }).catch((error: unknown) => {
      this.reason = describe(error)
      this.publish()
    })
    this.publish()
  }

  private onDisconnect(error?: Error): void {
    this.facts.transport = 'disconnected'
    if (this.facts.registerer === 'registered') this.facts.registerer = 'unregistered'
    if (error) this.reason = describe(error)
    this.publish()
    if (this.facts.wanted) this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    this.cancelReconnect?.()
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 30000
    this.attempt += 1
    this.facts.transport = 'connecting'
    this.publish()
    this.cancelReconnect = this.options.timers.after(delay, () => {
      if (!this.facts.wanted) return
      this.ua.reconnect().catch((error: unknown) => {
        this.reason = describe(error)
        this.scheduleReconnect()
      })
    })
  }

  private publish(): void {
    this.options.onRegistration(this.registration)
  }
}
