/**
 * A call's dialog kept across page loads (issue 12): what a new page of the phone needs to take
 * the call over with an INVITE carrying `Replaces` (RFC 3891), or to end it with a BYE built
 * from the stored state, plus what the app knew of the call (its id, reading, CRM values), so
 * the resumed call is the same call. Pure: no IndexedDB, no sip.js, no clock of its own.
 *
 * ```
 *  call active ──save (every change, heartbeat)──► record ──page gone──► next page registers
 *                                                                       │
 *       age ≤ resumeSeconds ──► INVITE + Replaces ◄──────────────────────┤
 *       age ≤ BYE_WITHIN_MS ──► BYE from the stored dialog ◄────────────┤
 *       older               ──► forgotten (the PBX ended it long ago) ◄──┘
 * ```
 */
import type { CallReading } from '@/cti/call-reading'
import type { CallInfo, DialogState } from '@/sip/softphone'

export { byeCSeq, replacesValue } from '@/sip/replaces'

/** While a call is up its record's `aliveAt` moves this often: a crash costs at most this much age. */
export const DIALOG_HEARTBEAT_MS = 5000

/** A dialog older than this is not even worth a BYE: no PBX keeps a silent call that long. */
export const BYE_WITHIN_MS = 60 * 60 * 1000

export interface DialogRecord {
  readonly version: 1
  /** Our own call id (`data-call-id`): a resumed call keeps it. */
  readonly callId: string
  readonly dialog: DialogState
  /** The softphone's snapshot when saved: direction, parties, start and answer times. */
  readonly call: CallInfo
  /** The one reading of the call (who is who, `{ID}`): a resumed call is not read again. */
  readonly reading: CallReading
  /** What the CRM's search said. */
  readonly values: Readonly<Record<string, string>>
  /** Last moment the page holding the call was known alive (save or heartbeat). */
  readonly aliveAt: number
  /** Set when the page went away for a reload (pagehide): the call was alive until then. */
  readonly leftAt?: number
}

export function dialogRecord(input: Omit<DialogRecord, 'version'>): DialogRecord {
  return { version: 1, ...input }
}

/** What a new page does with a record it found. */
export type DialogFate = 'resume' | 'bye' | 'forget'

/**
 * `resumeSeconds` of 0 turns resuming off (the dialog is only ended). The age counts from the
 * last moment the call was known alive: the reload's pagehide, else the last heartbeat (crash,
 * discard). A record from the future (clock changed) counts as fresh.
 */
export function dialogFate(record: DialogRecord, now: number, resumeSeconds: number): DialogFate {
  if (record.version !== 1) return 'forget'
  const age = Math.max(0, now - (record.leftAt ?? record.aliveAt))
  if (resumeSeconds > 0 && age <= resumeSeconds * 1000) return 'resume'
  return age <= BYE_WITHIN_MS ? 'bye' : 'forget'
}

/** A record read back from storage: anything else (another version, a broken write) is dropped. */
export function isDialogRecord(value: unknown): value is DialogRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Partial<DialogRecord>
  return r.version === 1 && typeof r.callId === 'string' && typeof r.aliveAt === 'number'
    && typeof r.dialog?.sipCallId === 'string' && typeof r.dialog.localTag === 'string' && typeof r.dialog.remoteTag === 'string'
    && typeof r.call === 'object' && typeof r.reading === 'object'
}
