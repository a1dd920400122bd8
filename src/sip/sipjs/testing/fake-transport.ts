import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js'
import type { TransportConstructor } from '../hash-safe-transport'
import { parseSip, type SipMessage } from './sip-messages'

/** Which sent messages to pick: a request method, a response status, the CSeq method, a dialog. */
export interface MessageFilter {
  method?: string
  status?: number
  cseq?: string
  callId?: string
}

/**
 * The network side of a fake sip.js transport: what the phone's user agent sent, and the
 * test's way to deliver messages to it (as raw text: it passes the same `#` escaping as in
 * the browser, see `hashSafe`) or to drop the socket. Give `transportConstructor` to
 * `SipJsSoftphone`; the user agent creates the transport itself.
 */
export class FakeSipNetwork {
  /** Every message the user agent sent, raw, in order. */
  readonly sent: string[] = []
  /** While true, connecting fails as a refused WebSocket does (the PBX is down). */
  refuseConnections = false
  /**
   * While true, connecting hangs as a WebSocket handshake to a hung PBX does (its kernel accepts
   * the connection, nobody answers): until `releaseHungConnection()` or the phone abandons it.
   */
  hangConnections = false
  /** Called with each message the user agent sends (after it is recorded). */
  onSend: ((message: SipMessage) => void) | undefined
  /** How often the user agent connected (first start and each reconnect). */
  connects = 0
  /** How often the phone gave up a socket (or a connection attempt) itself. */
  abandoned = 0
  private current: FakeTransport | undefined
  readonly transportConstructor: TransportConstructor

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const network = this
    this.transportConstructor = class extends FakeTransport {
      constructor() {
        super(network)
        network.current = this
      }
    }
  }

  get transport(): FakeTransport {
    if (!this.current) throw new Error('the user agent has not created its transport')
    return this.current
  }

  /** Parsed sent messages, optionally only requests of `method` (or responses, with `status`). */
  messages(filter: MessageFilter = {}): SipMessage[] {
    return this.sent.map(parseSip).filter((m) =>
      (filter.method === undefined || m.method === filter.method)
      && (filter.callId === undefined || m.headers['call-id']?.[0] === filter.callId)
      && (filter.status === undefined || m.status === filter.status)
      && (filter.cseq === undefined || (m.headers.cseq?.[0] ?? '').endsWith(` ${filter.cseq}`)))
  }

  last(filter: MessageFilter): SipMessage | undefined {
    return this.messages(filter).at(-1)
  }

  /** Hands raw text to the user agent, as if it came off the WebSocket. */
  deliver(raw: string): void {
    this.transport.receive(raw)
  }

  /** A hanging connection attempt gives up (sip.js's connection timeout). */
  failHungConnection(): void {
    this.transport.failHung()
  }

  /** The hung PBX runs again: a hanging connection attempt opens. */
  releaseHungConnection(): void {
    this.transport.releaseHung()
  }

  /** The socket closes under us (network loss, PBX restart). */
  drop(): void {
    this.transport.drop()
  }
}

/** sip.js's `Transport` over nothing: state machine as sip.js's WebSocket transport, messages through `FakeSipNetwork`. */
export class FakeTransport implements Transport {
  onConnect: (() => void) | undefined = undefined
  onDisconnect: ((error?: Error) => void) | undefined = undefined
  onMessage: ((message: string) => void) | undefined = undefined
  readonly protocol = 'WS'
  private _state = TransportState.Disconnected
  private readonly emitter = new EmitterImpl<TransportState>()
  private hung: { resolve: () => void; reject: (error: Error) => void } | undefined

  constructor(private readonly network: FakeSipNetwork) {}

  get state(): TransportState {
    return this._state
  }

  get stateChange(): Emitter<TransportState> {
    return this.emitter
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected
  }

  async connect(): Promise<void> {
    if (this._state === TransportState.Connected) return
    this.network.connects += 1
    this.setState(TransportState.Connecting)
    // A WebSocket opens (or fails) later, never within connect().
    await Promise.resolve()
    if (this._state !== TransportState.Connecting) throw new Error('Connect aborted.')
    if (this.network.hangConnections) {
      await new Promise<void>((resolve, reject) => { this.hung = { resolve, reject } })
      if (this._state !== TransportState.Connecting) throw new Error('Connect aborted.')
    }
    if (this.network.refuseConnections) {
      this.setState(TransportState.Disconnected)
      throw new Error('WebSocket closed ws://fake (code: 1006)')
    }
    this.setState(TransportState.Connected)
    this.onConnect?.()
  }

  async disconnect(): Promise<void> {
    if (this._state === TransportState.Disconnected) return
    const wasConnected = this._state === TransportState.Connected
    this.setState(TransportState.Disconnected)
    if (wasConnected) this.onDisconnect?.()
  }

  dispose(): Promise<void> {
    return this.disconnect()
  }

  send(message: string): Promise<void> {
    if (this._state !== TransportState.Connected) return Promise.reject(new Error('Not connected.'))
    this.network.sent.push(message)
    this.network.onSend?.(parseSip(message))
    return Promise.resolve()
  }

  /** A message from the network; dropped when not connected, as sip.js's transport does. */
  receive(raw: string): void {
    if (this._state !== TransportState.Connected) throw new Error('cannot deliver: the transport is not connected')
    this.onMessage?.(raw)
  }

  failHung(): void {
    const hung = this.hung
    this.hung = undefined
    if (!hung) return
    this.setState(TransportState.Disconnected)
    hung.reject(new Error('Connect timed out.'))
  }

  releaseHung(): void {
    const hung = this.hung
    this.hung = undefined
    hung?.resolve()
  }

  /** What `abandonTransport` does to sip.js's WebSocket transport: disconnected at once, a pending connect rejected. */
  abandon(error: Error): void {
    this.network.abandoned += 1
    const hung = this.hung
    this.hung = undefined
    if (this._state === TransportState.Connecting) {
      this.setState(TransportState.Disconnected)
      hung?.reject(error)
      return
    }
    if (this._state !== TransportState.Connected) return
    this.setState(TransportState.Disconnected)
    this.onDisconnect?.(error)
  }

  drop(): void {
    if (this._state !== TransportState.Connected) return
    this.setState(TransportState.Disconnected)
    this.onDisconnect?.(new Error('WebSocket closed ws://fake (code: 1006)'))
  }

  private setState(state: TransportState): void {
    this._state = state
    this.emitter.emit(state)
  }
}
