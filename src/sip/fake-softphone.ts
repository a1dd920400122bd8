import { normalizeDtmf } from './dtmf'
import type { CallInfo, DtmfMethod, DtmfResult, RegistrationStatus, Softphone, SoftphoneEvents, TransferResult } from './softphone'
import { TypedEmitter } from './typed-emitter'

/**
 * A scriptable `Softphone` for store and component tests: tests drive the "network side"
 * (`ring`, `remoteAnswer`, `remoteHangup`, `remoteHold`, `remoteRefer`) and read what the app
 * asked for in `actions` (every request is recorded, also one the phone ignores). Knobs:
 * `dtmfMethod` (what the other side negotiated), `holdAccepted`, `transferResult`. It keeps
 * the contract every softphone keeps (`softphone.contract.ts`): answer and decline only a
 * ringing incoming call, hold/DTMF/transfer only an active one, `stop()` ends every call.
 */
export class FakeSoftphone implements Softphone {
  readonly events = new TypedEmitter<SoftphoneEvents>()
  readonly actions: string[] = []
  registration: RegistrationStatus = { state: 'unregistered' }
  dtmfMethod: DtmfMethod = 'rfc4733'
  holdAccepted = true
  transferResult: TransferResult = { ok: true }
  microphone = ''
  doNotDisturb = false
  protected readonly calls = new Map<string, CallInfo>()
  private seq = 0

  on<E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]): () => void {
    return this.events.on(event, listener)
  }

  setRegistration(status: RegistrationStatus): void {
    this.registration = status
    this.events.emit('registration', status)
  }

  call(callId: string): CallInfo | undefined {
    return this.calls.get(callId)
  }

  async start(): Promise<void> {
    this.actions.push('start')
    this.setRegistration({ state: 'registered' })
  }

  async stop(): Promise<void> {
    this.actions.push('stop')
    for (const call of [...this.calls.values()]) this.end(call.id, call.state === 'ringing' ? 'declined' : 'hangup-local')
    this.setRegistration({ state: 'unregistered' })
  }

  /** How often the app said the agent is at the dial pad (`readyToDial`). */
  readyToDialCount = 0

  readyToDial(): void {
    this.readyToDialCount += 1
  }

  /** Recorded as `verify`; the test decides what the line then reports (`setRegistration`). */
  verify(): void {
    this.actions.push('verify')
  }

  async dial(target: string) {
    this.actions.push(`dial ${target}`)
    const cleaned = target.trim()
    if (!cleaned) return { ok: false as const, reason: `Not a number or SIP address: ${target}` }
    if (this.registration.state !== 'registered') return { ok: false as const, reason: 'not-registered' }
    const call = this.add({ direction: 'out', state: 'dialing', remoteUser: cleaned, localUser: '1001' })
    return { ok: true as const, callId: call.id }
  }

  async answer(callId: string): Promise<void> {
    this.actions.push(`answer ${callId}`)
    if (!this.isRingingIn(callId)) return
    this.update(callId, { state: 'active', answeredAt: Date.now() })
  }

  async decline(callId: string): Promise<void> {
    this.actions.push(`decline ${callId}`)
    if (!this.isRingingIn(callId)) return
    this.end(callId, 'declined')
  }

  /** As the real phone: a ringing incoming call is rejected (declined), any other is ended by us. */
  async hangup(callId: string): Promise<void> {
    this.actions.push(`hangup ${callId}`)
    this.end(callId, this.isRingingIn(callId) ? 'declined' : 'hangup-local')
  }

  async hold(callId: string): Promise<boolean> {
    this.actions.push(`hold ${callId}`)
    return this.setHeld(callId, true)
  }

  async unhold(callId: string): Promise<boolean> {
    this.actions.push(`unhold ${callId}`)
    return this.setHeld(callId, false)
  }

  mute(callId: string): void {
    this.actions.push(`mute ${callId}`)
    this.update(callId, { muted: true })
  }

  unmute(callId: string): void {
    this.actions.push(`unmute ${callId}`)
    this.update(callId, { muted: false })
  }

  async sendDtmf(callId: string, digits: string): Promise<DtmfResult> {
    const tones = normalizeDtmf(digits)
    if (!tones) return { ok: false, reason: `not DTMF: ${digits}` }
    if (!this.isActive(callId)) return { ok: false, reason: 'no-call' }
    this.actions.push(`dtmf ${callId} ${tones} ${this.dtmfMethod}`)
    return { ok: true, method: this.dtmfMethod }
  }

  async transfer(callId: string, target: string): Promise<TransferResult> {
    this.actions.push(`transfer ${callId} ${target}`)
    if (!target.trim()) return { ok: false, reason: `Not a number or SIP address: ${target}` }
    return this.finishTransfer([callId])
  }

  async attendedTransfer(callId: string, consultCallId: string): Promise<TransferResult> {
    this.actions.push(`attended ${callId} ${consultCallId}`)
    if (!this.isActive(consultCallId)) return { ok: false, reason: 'no-consultation-call' }
    return this.finishTransfer([callId, consultCallId])
  }

  async setMicrophone(deviceId: string): Promise<void> {
    this.actions.push(`microphone ${deviceId}`)
    this.microphone = deviceId
  }

  /** What `callStreams` answers, per call (tests set it: a real MediaStream needs a browser). */
  readonly streams = new Map<string, { local: MediaStream; remote: MediaStream }>()

  callStreams(callId: string): { local: MediaStream; remote: MediaStream } | undefined {
    return this.isActive(callId) ? this.streams.get(callId) : undefined
  }

  setDoNotDisturb(on: boolean): void {
    this.actions.push(`dnd ${on ? 'on' : 'off'}`)
    this.doNotDisturb = on
  }

  /**
   * An incoming INVITE arrives. Under do-not-disturb it is rejected (486) at once, as the
   * real phone does: no `callAdded` (the returned call was never announced).
   */
  ring(partial: Partial<CallInfo> & { remoteUser: string }): CallInfo {
    const full = { direction: 'in' as const, state: 'ringing' as const, localUser: '1001', ...partial }
    if (this.doNotDisturb) {
      this.actions.push(`reject-dnd ${partial.remoteUser}`)
      const call = this.build(full)
      const rejected: CallInfo = { ...call, state: 'ended', endedAt: call.startedAt, endReason: 'rejected' }
      this.events.emit('rejectedByDnd', rejected)
      return rejected
    }
    return this.add(full)
  }

  /**
   * An INVITE is read before the SIP stack handles it (`callArriving`), as the real phone's ring
   * path does; `become()` makes it the call (`callAdded`, same snapshot), `withdraw()` drops it.
   */
  arrive(partial: Partial<CallInfo> & { remoteUser: string }): { info: CallInfo; become(): CallInfo; withdraw(): void } {
    const info = this.build({ direction: 'in', state: 'ringing', localUser: '1001', ...partial })
    this.events.emit('callArriving', info)
    return {
      info,
      become: () => {
        this.calls.set(info.id, info)
        this.events.emit('callAdded', info)
        return info
      },
      withdraw: () => this.events.emit('callArrivalWithdrawn', info.id),
    }
  }

  remoteAnswer(callId: string): void {
    this.update(callId, { state: 'active', answeredAt: Date.now() })
  }

  remoteHangup(callId: string, endReason: CallInfo['endReason'] = 'hangup-remote'): void {
    this.update(callId, { state: 'ended', endedAt: Date.now(), endReason })
  }

  /** The other party puts us on hold (re-INVITE sendonly) or resumes. */
  remoteHold(callId: string, held: boolean): void {
    if (this.isActive(callId)) this.update(callId, { remoteHeld: held })
  }

  /** The other party of `callId` transfers us to `target`: we call it, as the real phone does. */
  remoteRefer(callId: string, target: string): CallInfo {
    const call = this.add({ direction: 'out', state: 'dialing', remoteUser: target, localUser: '1001', referredFrom: callId })
    this.events.emit('referred', callId, call.id, target)
    return call
  }

  private isRingingIn(callId: string): boolean {
    const call = this.calls.get(callId)
    return call?.direction === 'in' && call.state === 'ringing'
  }

  private isActive(callId: string): boolean {
    return this.calls.get(callId)?.state === 'active'
  }

  private setHeld(callId: string, held: boolean): boolean {
    if (!this.isActive(callId)) return false
    if (this.calls.get(callId)?.held === held) return true
    if (!this.holdAccepted) return false
    this.update(callId, { held })
    return true
  }

  private end(callId: string, endReason: CallInfo['endReason']): void {
    this.update(callId, { state: 'ended', endedAt: Date.now(), endReason })
  }

  private finishTransfer(callIds: string[]): TransferResult {
    if (!this.isActive(callIds[0] ?? '')) return { ok: false, reason: 'no-call' }
    if (this.calls.get(callIds[0] ?? '')?.transfer === 'pending') return { ok: false, reason: 'transfer-pending' }
    const result = this.transferResult
    for (const id of callIds) {
      if (result.ok) this.update(id, { state: 'ended', endedAt: Date.now(), endReason: 'transferred' })
      else if (id === callIds[0]) this.update(id, { transfer: 'failed' })
    }
    return result
  }

  private add(partial: Partial<CallInfo> & Pick<CallInfo, 'direction' | 'state' | 'remoteUser' | 'localUser'>): CallInfo {
    const call = this.build(partial)
    this.calls.set(call.id, call)
    this.events.emit('callAdded', call)
    return call
  }

  private build(partial: Partial<CallInfo> & Pick<CallInfo, 'direction' | 'state' | 'remoteUser' | 'localUser'>): CallInfo {
    this.seq += 1
    return {
      id: `fake-${this.seq}`,
      remoteDisplayName: '',
      headers: {},
      startedAt: Date.now(),
      held: false,
      muted: false,
      remoteHeld: false,
      ...partial,
    }
  }

  protected update(callId: string, patch: Partial<CallInfo>): void {
    const call = this.calls.get(callId)
    if (!call || call.state === 'ended') return
    const next = { ...call, ...patch }
    this.calls.set(callId, next)
    if (next.state === 'ended') this.calls.delete(callId)
    this.events.emit('callUpdated', next)
  }
}
