/**
 * The one recording store of this page, opened on first use by whoever needs it first (the
 * recorder, the upload sender, the history view's player): all in lazy chunks.
 */
import { openRecordingStore, type RecordingStore } from './store'

let opened: Promise<RecordingStore | undefined> | undefined

/** Undefined where IndexedDB refuses (private mode, quota): nothing is recorded then. */
export function recordings(): Promise<RecordingStore | undefined> {
  opened ??= openRecordingStore().catch(() => undefined)
  return opened
}
