import type { CallInfo, RegistrationStatus, Softphone, SoftphoneEvents } from './softphone'
import { TypedEmitter } from './typed-emitter'

/**
 * A scriptable `Softphone` for store and component tests: tests drive the "network side"
 * (`ring`, `remoteAnswer`, `remoteHangup`) and read what the app asked for in `actions`.
 */
export class FakeSoftphone implements Softphone {
  readonly events = new TypedEmitter<SoftphoneEvents>()
  readonly actions: string[] = []
  registration: RegistrationStatus = { state: 'unregistered' }
  private readonly calls = new Map<string, CallInfo>()
  private seq = 0

  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void {
    return this.events.on(event, listener)
  }

  setRegistration(status: RegistrationStatus): void {
    this.registration = status
    this.events.emit('registration', status)
  }

  async start(): Promise<void> {
    this.actions.push('start')
    this.setRegistration({ state: 'registered' })
  }

  async stop(): Promise<void> {
    this.actions.push('stop')
    this.setRegistration({ state: 'unregistered' })
  }

  async dial(target: string) {
    this.actions.push(`dial ${target}`)
    if (this.registration.state !== 'registered') return { ok: false as const, reason: 'not-registered' }
    const call = this.add({ direction: 'out', state: 'dialing', remoteUser: target, localUser: '1001' })
    return { ok: true as const, callId: call.id }
  }

  async answer(callId: string): Promise<void> {
    this.actions.push(`answer ${callId}`)
    this.update(callId, { state: 'active', answeredAt: Date.now() })
  }

  async decline(callId: string): Promise<void> {
    this.actions.push(`decline ${callId}`)
    this.update(callId, { state: 'ended', endedAt: Date.now(), endReason: 'declined' })
  }

  async hangup(callId: string): Promise<void> {
    this.actions.push(`hangup ${callId}`)
    this.update(callId, { state: 'ended', endedAt: Date.now(), endReason: 'hangup-local' })
  }

  /** An incoming INVITE arrives. */
  ring(partial: Partial<CallInfo> & { remoteUser: string }): CallInfo {
    return this.add({ direction: 'in', state: 'ringing', localUser: '1001', ...partial })
  }

  remoteAnswer(callId: string): void {
    this.update(callId, { state: 'active', answeredAt: Date.now() })
  }

  remoteHangup(callId: string, endReason: CallInfo['endReason'] = 'hangup-remote'): void {
    this.update(callId, { state: 'ended', endedAt: Date.now(), endReason })
  }

  private add(partial: Partial<CallInfo> & Pick<CallInfo, 'direction' | 'state' | 'remoteUser' | 'localUser'>): CallInfo {
    this.seq += 1
    const call: CallInfo = {
      id: `fake-${this.seq}`,
      remoteDisplayName: '',
      headers: {},
      anonymous: false,
      startedAt: Date.now(),
      ...partial,
    }
    this.calls.set(call.id, call)
    this.events.emit('callAdded', call)
    return call
  }

  private update(callId: string, patch: Partial<CallInfo>): void {
    const call = this.calls.get(callId)
    if (!call || call.state === 'ended') return
    const next = { ...call, ...patch }
    this.calls.set(callId, next)
    if (next.state === 'ended') this.calls.delete(callId)
    this.events.emit('callUpdated', next)
  }
}
