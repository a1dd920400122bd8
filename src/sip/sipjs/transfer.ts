import type { Invitation, Inviter, Referral, URI } from 'sip.js'
import type { TimerSet } from '../clock'
import type { CallInfo, SoftphoneEvents, TransferResult } from '../softphone'
import type { TypedEmitter } from '../typed-emitter'
import { describe, type Call, type MediaOptions } from './call'
import { referTransfer } from './refer-transfer'

/** After an attended transfer, how long the target has to end our consultation leg itself. */
export const REPLACED_DIALOG_GRACE_MS = 5000

const STOPPED: TransferResult = { ok: false, reason: 'stopped' }

/** What transfers need from the softphone that holds the calls. */
export interface TransferHost {
  readonly timers: TimerSet
  readonly events: TypedEmitter<SoftphoneEvents>
  mediaOptions(): MediaOptions
  calls(): Iterable<Call>
  /** Announces and sends an outgoing call (as `dial` does), with extra facts for its snapshot. */
  startCall(inviter: Inviter, remoteUser: string, extra: Partial<CallInfo>): Call
}

/**
 * Every REFER and Replaces of the phone, both ways:
 * - out: blind transfer (REFER to a target) and attended transfer (REFER to the consulted
 *   party with Replaces); our leg ends once the transferee reports the target answered;
 * - in: the other party REFERs us (we call the target: `referred`), or an INVITE with
 *   Replaces takes over one of our calls (the target of someone's attended transfer).
 */
export class Transfers {
  private stopped = deferred<TransferResult>()

  constructor(private readonly host: TransferHost) {}

  /** Blind transfer: REFER the other party of `call` to `referTo`. */
  blind(call: Call | undefined, referTo: URI): Promise<TransferResult> {
    return this.refer(call, referTo)
  }

  /** Attended transfer: REFER the other party of `call` to the party of `consult`, replacing our consultation. */
  async attended(call: Call | undefined, consult: Call | undefined): Promise<TransferResult> {
    const dialog = consult?.session.dialog
    if (!consult || !dialog || !consult.established) return { ok: false, reason: 'no-consultation-call' }
    // Refer-To names the target's address of record, not its Contact (sip.js's default): a
    // browser's Contact (`…@xyz.invalid;transport=ws`) is reachable only through the registrar.
    const referTo = consult.session.remoteIdentity.uri.clone()
    referTo.clearHeaders()
    referTo.setHeader('Replaces', encodeURIComponent(`${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`))
    const result = await this.refer(call, asNameAddr(referTo))
    if (result.ok) {
      consult.localEnd = 'transferred'
      // The target ends the replaced dialog itself (RFC 3891); end it here when it did not.
      this.host.timers.after(REPLACED_DIALOG_GRACE_MS, () => {
        if (consult.established) void consult.session.bye().catch(() => undefined)
      })
    }
    return result
  }

  /** The other party transfers us: accept, call the target, and report the progress back to them (NOTIFY). */
  onRefer(call: Call, referral: Referral): void {
    let target: string
    try {
      target = referral.referTo.uri.user ?? referral.referTo.uri.toString()
    } catch {
      void referral.reject().catch(() => undefined)
      return
    }
    void referral.accept().then(() => {
      const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: this.host.mediaOptions(), earlyMedia: true })
      const referredCall = this.host.startCall(inviter, target, { referredFrom: call.id })
      this.host.events.emit('referred', call.id, referredCall.id, target)
    }).catch((error: unknown) => console.warn('REFER failed', describe(error)))
  }

  /** The call of ours an incoming INVITE with Replaces takes over, if any. */
  replacedBy(invitation: Invitation): Call | undefined {
    if (!invitation.replacee) return undefined
    return [...this.host.calls()].find((call) => call.session === invitation.replacee)
  }

  /** The party we consulted with is being handed the transferee: take over without ringing. */
  takeOver(invitation: Invitation, replaced: Call): void {
    replaced.localEnd = 'transferred'
    void invitation.accept({ sessionDescriptionHandlerOptions: this.host.mediaOptions() }).catch((error: unknown) => {
      console.warn('could not accept the replacing call', describe(error))
    })
  }

  /** Transfers still waiting for their result give up: the phone is stopping (its timers are cleared). */
  stop(): void {
    this.stopped.resolve(STOPPED)
    this.stopped = deferred()
  }

  private async refer(call: Call | undefined, referTo: URI): Promise<TransferResult> {
    if (!call || !call.established) return { ok: false, reason: 'no-call' }
    if (call.info.transfer === 'pending') return { ok: false, reason: 'transfer-pending' }
    call.patch({ transfer: 'pending' })
    const result = await Promise.race([referTransfer(call.session, referTo, this.host.timers), this.stopped.promise])
    // Stopping hangs up every call: nothing more to report on this one.
    if (result === STOPPED) return result
    if (!result.ok) {
      call.patch({ transfer: 'failed' })
      return result
    }
    call.localEnd = 'transferred'
    if (call.established) await call.session.bye().catch(() => undefined)
    return result
  }
}

/**
 * sip.js writes a URI's Refer-To bare; one carrying `?Replaces=` must be a name-addr (`<…>`,
 * RFC 3261 §20), or the receiving parser (sip.js's own included) drops the REFER. sip.js only
 * calls `toString()` on it, so a URI whose `toString` adds the brackets is enough.
 */
function asNameAddr(uri: URI): URI {
  const wrapped = Object.create(uri) as URI
  wrapped.toString = () => `<${uri.toString()}>`
  return wrapped
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}
