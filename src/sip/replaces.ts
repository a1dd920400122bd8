/**
 * Naming one of our dialogs to the other party, for a later page of the phone that takes the
 * call over (issue 12). Pure.
 */
import type { DialogState } from './softphone'

/**
 * Added to the stored local CSeq for a BYE sent from another page: the old page may have sent
 * requests in the dialog (INFO digits, a re-INVITE) after its last save, and a CSeq not higher
 * than one already used is refused (RFC 3261 §12.2.2 checks only that it grows).
 */
export const BYE_CSEQ_MARGIN = 100

/**
 * The `Replaces` value that names `dialog` to the other party (RFC 3891 §3): the receiver
 * matches `to-tag` against its local tag and `from-tag` against its remote tag, so `to-tag` is
 * the other party's tag and `from-tag` ours. In terms of the original INVITE's headers that
 * flips with who called: we called → to-tag = its To tag; they called → to-tag = its From tag.
 */
export function replacesValue(dialog: Pick<DialogState, 'sipCallId' | 'localTag' | 'remoteTag'>): string {
  return `${dialog.sipCallId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`
}

/** The CSeq of a BYE sent for `dialog` from another page. */
export function byeCSeq(dialog: Pick<DialogState, 'localSeq'>): number {
  return dialog.localSeq + BYE_CSEQ_MARGIN
}
