import { realClock, TimerSet, type Clock } from '../clock'
import type {
  CallInfo, DtmfResult, RegistrationStatus, Softphone, SoftphoneEvents, TransferResult,
} from '../softphone'
import { TypedEmitter } from '../typed-emitter'
import { relayMessageOf, type RelayChannel, type RelayedCommand } from './protocol'

export interface RemoteSoftphoneOptions {
  channel: RelayChannel
  /** Unique per tab: the prefix of this tab's command ids (results go to every tab). */
  tabId: string
  clock?: Clock
  /** How long `start()` waits for the leader's state before it settles (the line stays `connecting`). */
  helloWaitMs?: number
  /** A command the leader never answered (it crashed) settles after this, as refused. */
  commandTimeoutMs?: number
}

/** A transfer resolves once its target answered: give the far end time to pick up. */
const TRANSFER_TIMEOUT_MS = 120_000

interface Pending {
  settle(result: { ok: true; value: unknown } | { ok: false; error: string }): void
  cancelTimer(): void
}

/**
 * The phone of a tab that does not hold the line: a `Softphone` whose calls are the leader
 * tab's (`relayLine`), and whose commands run there. Its registration is the leader's; with no
 * leader (it closed, the take-over is under way) it is `connecting`. Audio plays in the leader:
 * this phone never emits `remoteStream`.
 *
 * `stop()` only ends this view: the calls go on in the leader, so they are not hung up; the
 * view reports them gone (`ended`, reason `failed`) only when the leader itself went away.
 */
export class RemoteSoftphone implements Softphone {
  registration: RegistrationStatus = { state: 'unregistered' }
  private readonly events = new TypedEmitter<SoftphoneEvents>()
  private readonly calls = new Map<string, CallInfo>()
  private readonly pending = new Map<string, Pending>()
  private readonly timers: TimerSet
  private readonly channel: RelayChannel
  private readonly tabId: string
  private readonly helloWaitMs: number
  private readonly commandTimeoutMs: number
  private readonly annotationListeners = new Set<(callId: string, data: unknown) => void>()
  private off: (() => void) | undefined
  private seq = 0
  private heardLeader: (() => void) | undefined

  constructor(options: RemoteSoftphoneOptions) {
    this.channel = options.channel
    this.tabId = options.tabId
    this.timers = new TimerSet(options.clock ?? realClock)
    this.helloWaitMs = options.helloWaitMs ?? 1000
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000
  }

  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void {
    return this.events.on(event, listener)
  }

  /** What the leader's app tells about a call it relays (`LineRelay.annotate`), unchecked. */
  onAnnotation(listener: (callId: string, data: unknown) => void): () => void {
    this.annotationListeners.add(listener)
    return () => this.annotationListeners.delete(listener)
  }

  async start(): Promise<void> {
    if (this.off) return
    this.off = this.channel.onMessage((data) => this.receive(data))
    this.setRegistration({ state: 'connecting' })
    const heard = new Promise<void>((resolve) => {
      const cancel = this.timers.after(this.helloWaitMs, resolve)
      this.heardLeader = () => {
        cancel()
        resolve()
      }
    })
    this.channel.post({ type: 'hello' })
    await heard
    this.heardLeader = undefined
  }

  async stop(): Promise<void> {
    this.off?.()
    this.off = undefined
    this.heardLeader?.()
    this.timers.clear()
    for (const [id, pending] of [...this.pending]) {
      this.pending.delete(id)
      pending.settle({ ok: false, error: 'stopped' })
    }
    this.calls.clear()
    this.setRegistration({ state: 'unregistered' })
  }

  async dial(target: string): Promise<{ ok: true; callId: string } | { ok: false; reason: string }> {
    if (this.registration.state !== 'registered') return { ok: false, reason: 'not-registered' }
    const result = await this.command('dial', [target])
    return result.ok ? (result.value as { ok: true; callId: string } | { ok: false; reason: string }) : { ok: false, reason: result.error }
  }

  async answer(callId: string): Promise<void> {
    await this.command('answer', [callId])
  }

  async decline(callId: string): Promise<void> {
    await this.command('decline', [callId])
  }

  async hangup(callId: string): Promise<void> {
    await this.command('hangup', [callId])
  }

  async hold(callId: string): Promise<boolean> {
    const result = await this.command('hold', [callId])
    return result.ok && result.value === true
  }

  async unhold(callId: string): Promise<boolean> {
    const result = await this.command('unhold', [callId])
    return result.ok && result.value === true
  }

  mute(callId: string): void {
    this.setMuted(callId, true)
    void this.command('mute', [callId])
  }

  unmute(callId: string): void {
    this.setMuted(callId, false)
    void this.command('unmute', [callId])
  }

  /**
   * Muting is local to the line's tab and cannot be refused, and the agent must see it at
   * once (as with `mute()` on the line itself): the view shows it before the leader confirms.
   */
  private setMuted(callId: string, muted: boolean): void {
    const call = this.calls.get(callId)
    if (!call || call.muted === muted) return
    const next = { ...call, muted }
    this.calls.set(callId, next)
    this.events.emit('callUpdated', next)
  }

  async sendDtmf(callId: string, digits: string): Promise<DtmfResult> {
    const result = await this.command('sendDtmf', [callId, digits])
    return result.ok ? (result.value as DtmfResult) : { ok: false, reason: result.error }
  }

  async transfer(callId: string, target: string): Promise<TransferResult> {
    const result = await this.command('transfer', [callId, target], TRANSFER_TIMEOUT_MS)
    return result.ok ? (result.value as TransferResult) : { ok: false, reason: result.error }
  }

  async attendedTransfer(callId: string, consultCallId: string): Promise<TransferResult> {
    const result = await this.command('attendedTransfer', [callId, consultCallId], TRANSFER_TIMEOUT_MS)
    return result.ok ? (result.value as TransferResult) : { ok: false, reason: result.error }
  }

  async setMicrophone(deviceId: string): Promise<void> {
    await this.command('setMicrophone', [deviceId])
  }

  setDoNotDisturb(on: boolean): void {
    void this.command('setDoNotDisturb', [on])
  }

  /** The line is the leader's: its own tab checks it when it wakes (this tab's wake-ups do not). */
  verify(): void {}

  /** The spare offer would be the line's tab's; a dial from here reaches it as a command. */
  readyToDial(): void {}

  /** The audio stays in the leader's tab, and so does recording it: no streams here. */
  callStreams(): undefined {
    return undefined
  }

  private command(method: RelayedCommand, args: unknown[], timeoutMs = this.commandTimeoutMs): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
    if (!this.off) return Promise.resolve({ ok: false, error: 'not-registered' })
    this.seq += 1
    const id = `${this.tabId}:${this.seq}`
    return new Promise((resolve) => {
      const cancelTimer = this.timers.after(timeoutMs, () => {
        this.pending.delete(id)
        resolve({ ok: false, error: 'no-answer-from-phone-tab' })
      })
      this.pending.set(id, { settle: resolve, cancelTimer })
      this.channel.post({ type: 'command', id, method, args })
    })
  }

  private receive(data: unknown): void {
    const message = relayMessageOf(data)
    if (!message) return
    switch (message.type) {
      case 'state':
        this.heardLeader?.()
        this.adopt(message.calls)
        this.setRegistration(message.registration)
        return
      case 'bye':
        this.leaderGone()
        return
      case 'result': {
        const pending = this.pending.get(message.id)
        if (!pending) return
        this.pending.delete(message.id)
        pending.cancelTimer()
        pending.settle(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error })
        return
      }
      case 'event':
        this.onEvent(message.event, message.args)
        return
      case 'annotation':
        if (!this.calls.has(message.callId)) return
        for (const listener of [...this.annotationListeners]) listener(message.callId, message.data)
        return
      default:
    }
  }

  private onEvent(event: string, args: unknown[]): void {
    if (event === 'registration') {
      this.setRegistration(args[0] as RegistrationStatus)
    } else if (event === 'callAdded') {
      const call = args[0] as CallInfo
      if (this.calls.has(call.id)) return
      this.calls.set(call.id, call)
      this.events.emit('callAdded', call)
    } else if (event === 'callUpdated') {
      const call = args[0] as CallInfo
      if (!this.calls.has(call.id)) return
      if (call.state === 'ended') this.calls.delete(call.id)
      else this.calls.set(call.id, call)
      this.events.emit('callUpdated', call)
    } else if (event === 'referred') {
      const [callId, newCallId, target] = args as [string, string, string]
      this.events.emit('referred', callId, newCallId, target)
    }
  }

  /** A leader's snapshot: its calls are the truth (a new leader starts with none). */
  private adopt(calls: CallInfo[]): void {
    const now = new Map(calls.map((c) => [c.id, c]))
    for (const [id, call] of [...this.calls]) if (!now.has(id)) this.endHere(call)
    for (const call of now.values()) {
      const known = this.calls.has(call.id)
      this.calls.set(call.id, call)
      this.events.emit(known ? 'callUpdated' : 'callAdded', call)
    }
  }

  private leaderGone(): void {
    for (const call of [...this.calls.values()]) this.endHere(call)
    for (const [id, pending] of [...this.pending]) {
      this.pending.delete(id)
      pending.cancelTimer()
      pending.settle({ ok: false, error: 'phone-tab-closed' })
    }
    this.setRegistration({ state: 'connecting' })
  }

  /** The leader went away with the call: it ended there (the old leader's `stop()` hung it up). */
  private endHere(call: CallInfo): void {
    this.calls.delete(call.id)
    this.events.emit('callUpdated', { ...call, state: 'ended', endedAt: this.timers.clock.now(), endReason: 'failed' })
  }

  private setRegistration(status: RegistrationStatus): void {
    this.registration = status
    this.events.emit('registration', status)
  }
}
