import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
} from 'sip.js'
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web'
import { isAnonymousUser } from '../caller-uri'
import { registrationStateOf, type LineFacts } from '../registration-state'
import type {
  CallInfo,
  EndReason,
  RegistrationStatus,
  Softphone,
  SoftphoneConfig,
  SoftphoneEvents,
} from '../softphone'
import { TypedEmitter } from '../typed-emitter'
import { fastIceFactory } from './fast-ice'
import { HashSafeTransport } from './hash-safe-transport'

const AUDIO_ONLY = { constraints: { audio: true, video: false } }
/** Reconnect delays after the socket dropped: quick first, then at most every 30 s. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]

interface CallRecord {
  info: CallInfo
  session: Session
  /** Set before we act, so the terminal state can say who ended the call. */
  localEnd?: EndReason
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
  private attempt = 0
  private seq = 0

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
      logLevel: 'warn',
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') console.warn(`[sip.js ${category}] ${content}`)
      },
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
    for (const id of [...this.calls.keys()]) await this.hangup(id).catch(() => undefined)
    if (this.facts.registerer === 'registered') {
      await this.registerer.unregister().catch(() => undefined)
    }
    await this.ua.stop().catch(() => undefined)
    this.publishRegistration()
  }

  async dial(target: string): Promise<{ ok: true; callId: string } | { ok: false; reason: string }> {
    const cleaned = target.trim()
    const uri = UserAgent.makeURI(cleaned.includes('@') ? `sip:${cleaned.replace(/^sips?:/, '')}` : `sip:${cleaned}@${this.config.domain}`)
    if (!cleaned || !uri) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    if (this.registration.state !== 'registered') return { ok: false, reason: 'not-registered' }
    const inviter = new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: AUDIO_ONLY, earlyMedia: true })
    const info: CallInfo = {
      id: this.newCallId(),
      direction: 'out',
      state: 'dialing',
      remoteUser: uri.user ?? cleaned,
      remoteDisplayName: '',
      localUser: this.config.user,
      headers: {},
      anonymous: false,
      startedAt: Date.now(),
    }
    this.track(info, inviter)
    inviter.invite({
      requestDelegate: {
        onReject: () => {
          const record = this.calls.get(info.id)
          if (record) record.localEnd ??= 'rejected'
        },
      },
    }).catch((error: unknown) => {
      const record = this.calls.get(info.id)
      if (record) {
        record.localEnd = 'failed'
        this.finish(record)
      }
      console.warn('INVITE failed', describe(error))
    })
    return { ok: true, callId: info.id }
  }

  async answer(callId: string): Promise<void> {
    const record = this.calls.get(callId)
    if (!(record?.session instanceof Invitation) || record.info.state !== 'ringing') return
    await record.session.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY })
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
        record.localEnd = 'hangup-local'
        await session.bye()
        break
      default:
        break
    }
  }

  private onInvite(invitation: Invitation): void {
    const request = invitation.request
    const headers: Record<string, string> = {}
    for (const [name, values] of Object.entries(request.headers)) {
      const first = values[0]
      if (first) headers[name.toLowerCase()] = first.raw
    }
    const fromUser = invitation.remoteIdentity.uri.user ?? ''
    const info: CallInfo = {
      id: this.newCallId(),
      direction: 'in',
      state: 'ringing',
      remoteUser: fromUser,
      remoteDisplayName: invitation.remoteIdentity.displayName ?? '',
      localUser: request.to.uri.user ?? '',
      headers,
      anonymous: isAnonymousUser(fromUser) || /(^|[;,\s])id([;,\s]|$)/i.test(headers['privacy'] ?? ''),
      startedAt: Date.now(),
    }
    this.track(info, invitation)
    invitation.delegate = {
      onCancel: () => {
        const record = this.calls.get(info.id)
        if (record) record.localEnd ??= 'cancelled'
      },
    }
    // sip.js sends 100 Trying and 180 Ringing by itself (sendInitialProvisionalResponse).
  }

  private track(info: CallInfo, session: Session): void {
    const record: CallRecord = { info, session }
    this.calls.set(info.id, record)
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        record.info = { ...record.info, state: 'active', answeredAt: Date.now() }
        this.events.emit('callUpdated', record.info)
        const sdh = session.sessionDescriptionHandler as SessionDescriptionHandler | undefined
        if (sdh) this.events.emit('remoteStream', info.id, sdh.remoteMediaStream)
      } else if (state === SessionState.Terminated) {
        this.finish(record)
      }
    })
    this.events.emit('callAdded', info)
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
