import { Inviter, UserAgent, type Core, type Session } from 'sip.js'
import type { TimerSet } from '../clock'
import { byeCSeq, replacesValue } from '../replaces'
import type { DialogState } from '../softphone'
import { describe } from './call'
import type { MediaOptions } from './call'

/** How long the other side has to answer a rejoin INVITE or a BYE from stored state. */
export const REJOIN_TIMEOUT_MS = 8000

/** Our side of a session's confirmed dialog, as plain data (undefined before it is confirmed). */
export function dialogStateOf(session: Session): DialogState | undefined {
  // The core session of an established sip.js session is a dialog (`SessionDialog`).
  const dialog = session.dialog as Core.Dialog | undefined
  if (!dialog || dialog.early) return undefined
  return {
    sipCallId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    localUri: dialog.localURI.toString(),
    remoteUri: dialog.remoteURI.toString(),
    remoteTarget: dialog.remoteTarget.toString(),
    routeSet: [...dialog.routeSet],
    localSeq: dialog.localSequenceNumber ?? 1,
  }
}

/**
 * The INVITE that takes over `dialog` (RFC 3891). It goes to the other party's address of
 * record, not to the stored Contact: proxies route initial requests by the Request-URI (the
 * lab's Kamailio drops a pre-loaded Route set on them), and the Replaces header, not the
 * address, names the dialog. No early media: the other side swaps legs without ringing.
 */
export function rejoinInviter(ua: UserAgent, dialog: DialogState, media: MediaOptions): Inviter | undefined {
  const target = UserAgent.makeURI(dialog.remoteUri)
  if (!target) return undefined
  target.clearParams()
  target.clearHeaders()
  return new Inviter(ua, target, {
    extraHeaders: [`Replaces: ${replacesValue(dialog)}`],
    sessionDescriptionHandlerOptions: media,
    earlyMedia: false,
  })
}

/**
 * A BYE in `dialog` sent by a page that never had the dialog: built from the stored state (route
 * set, remote target, tags, a CSeq above the old page's) and sent through the user agent's
 * transport. Resolves true on a final 2xx, false on anything else or no answer in time.
 */
export function sendStoredBye(ua: UserAgent, dialog: DialogState, timers: TimerSet): Promise<boolean> {
  const target = UserAgent.makeURI(dialog.remoteTarget)
  const from = UserAgent.makeURI(dialog.localUri)
  const to = UserAgent.makeURI(dialog.remoteUri)
  if (!target || !from || !to) return Promise.resolve(false)
  const core = ua.userAgentCore
  const message = core.makeOutgoingRequestMessage('BYE', target, from, to, {
    callId: dialog.sipCallId,
    cseq: byeCSeq(dialog),
    fromTag: dialog.localTag,
    toTag: dialog.remoteTag,
    routeSet: dialog.routeSet,
  })
  return new Promise((resolve) => {
    const cancel = timers.after(REJOIN_TIMEOUT_MS, () => resolve(false))
    const done = (ok: boolean) => {
      cancel()
      resolve(ok)
    }
    try {
      core.request(message, { onAccept: () => done(true), onReject: () => done(false) })
    } catch (error) {
      console.warn('could not send the BYE of a stored dialog', describe(error))
      done(false)
    }
  })
}
