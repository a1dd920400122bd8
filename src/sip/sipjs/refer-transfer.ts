import type { Session, URI } from 'sip.js'
import type { TimerSet } from '../clock'
import { sipfragStatus } from '../sipfrag'
import type { TransferResult } from '../softphone'

/**
 * How long after the other party accepted the REFER (202) we wait for its final NOTIFY. RFC
 * 3515 leaves reporting to the transferee; one that never reports has taken the call over.
 */
export const FINAL_NOTIFY_TIMEOUT_MS = 30_000

/**
 * Sends a REFER on an established call and resolves with the transfer's outcome, read from
 * the NOTIFYs the transferee sends (`message/sipfrag` status lines): 2xx = the target
 * answered, 3xx–6xx = it did not. `referTo` is the URI to put in Refer-To: the target's
 * address for a blind transfer; for an attended one `transfer.ts` builds it (the consulted
 * party's address of record with a `Replaces` header). The wait for the final NOTIFY runs on
 * `timers`, so the owner's `stop()` cancels it.
 */
export function referTransfer(session: Session, referTo: URI, timers: TimerSet): Promise<TransferResult> {
  return new Promise((resolve) => {
    let settled = false
    let cancelTimer: (() => void) | undefined
    const settle = (result: TransferResult) => {
      if (settled) return
      settled = true
      cancelTimer?.()
      resolve(result)
    }
    session.refer(referTo, {
      requestDelegate: {
        onAccept: () => {
          cancelTimer ??= timers.after(FINAL_NOTIFY_TIMEOUT_MS, () => settle({ ok: true }))
        },
        onReject: (response) => settle({ ok: false, reason: `${response.message.statusCode} ${response.message.reasonPhrase}` }),
      },
      onNotify: (notification) => {
        void notification.accept().catch(() => undefined)
        const status = sipfragStatus(notification.request.body)
        if (status === undefined || status < 200) return
        settle(status < 300 ? { ok: true } : { ok: false, reason: notification.request.body.trim() })
      },
    }).catch((error: unknown) => settle({ ok: false, reason: error instanceof Error ? error.message : String(error) }))
  })
}
