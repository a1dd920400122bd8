/**
 * Tells the agent on the main screen, as it happens, that the size cap removed recordings the
 * CRM had not got (issue 10 §4: never without saying so): one dismissible phone notice per call,
 * naming its number, through the calls store's notices (`PhoneNotices` renders them as alerts).
 * The notice's texts load here, with the recorder, not in the start bundle.
 */
import type { MessageTree } from '@/i18n'
import messages from '@/i18n/recording-notices'
import { callOfRecordingId } from './parts'

export interface LostNoticeDeps {
  /** The other party's number of a call, from its history row (undefined when it has none). */
  numberOf(callId: string): Promise<string | undefined>
  notify(notice: { kind: 'recording-lost'; number: string }): void
  mergeMessages(messages: { en: MessageTree; ja: MessageTree }): void
}

export function createLostNotice({ numberOf, notify, mergeMessages }: LostNoticeDeps) {
  let merged = false
  /** `lost`: recording (part) ids the cap removed before their upload; one notice per call. */
  return async function noticeLost(lost: readonly string[]): Promise<void> {
    if (lost.length === 0) return
    if (!merged) mergeMessages(messages)
    merged = true
    for (const callId of new Set(lost.map(callOfRecordingId))) notify({ kind: 'recording-lost', number: (await numberOf(callId).catch(() => undefined)) || callId })
  }
}
