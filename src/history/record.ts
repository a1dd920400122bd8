/**
 * The history row of one call, as a pure fold over the call's events. The app writes the row
 * after every event, so the last row written is always the best knowledge of the call: a tab
 * that closes or crashes mid-call leaves a row with `cutOff: true`, its provisional result, and
 * `lastSeenAt`, the last moment the call was known to be alive.
 *
 * ```
 *  started ──► (values | seen | recording)* ──► answered? ──► (values | seen | recording)* ──► ended
 *   cutOff: true, result provisional ...............................................   cutOff: false, final
 * ```
 *
 * Results (the words `{RESULT}` sends and the history shows):
 *
 * | direction | answered | end                                      | result        | endedBy |
 * |-----------|----------|------------------------------------------|---------------|---------|
 * | in        | no       | `dnd: true` (any reason)                 | `rejected`    | system  |
 * | in        | no       | `declined`, `hangup-local`               | `declined`    | local   |
 * | in        | no       | `cancelled`, `hangup-remote`             | `missed`      | remote  |
 * | in        | no       | `answered-elsewhere`                     | `missed` (+ `answeredElsewhere`) | system |
 * | in        | no       | `rejected`, `failed`                     | `failed`      | system  |
 * | out       | no       | `hangup-local`, `cancelled`              | `cancelled`   | local   |
 * | out       | no       | `rejected`, `declined`, `hangup-remote`  | `failed`      | remote  |
 * | out       | no       | `failed`, `answered-elsewhere`           | `failed`      | system  |
 * | any       | any      | `transferred`                            | `transferred` | local   |
 * | any       | yes      | `hangup-local` / `hangup-remote`         | `answered`    | local / remote |
 * | any       | yes      | anything else (`failed`, …)              | `answered`    | system  |
 * | in / out  | no / yes | not ended yet (`cutOff`)                 | `missed` / `cancelled` / `answered` | system |
 *
 * Why:
 * - `rejected` is reserved for do-not-disturb, as the issue defines it. An outgoing call the
 *   other side refused (486 Busy, 404, 603 Decline — sip.js reports them all as `rejected`) is
 *   `failed`: we did not reach the person, `endedBy: 'remote'` tells it from a network failure.
 * - `answered-elsewhere` (CANCEL with `Reason: SIP;cause=200`, RFC 3326) is `missed` with
 *   `answeredElsewhere: true`: this agent did not take the call, so the history filter for
 *   missed calls shows it, but the RFC's purpose for that Reason is to keep phones from
 *   announcing a missed call, so it does not count for the missed-call badge (`missedAt` unset).
 *   In a ring group, every call would otherwise be a missed call on every other agent's badge.
 * - A call that was answered stays `answered` however it ended (a network failure after ten
 *   minutes of talking is still a conversation the CRM must know about); `endedBy: 'system'`.
 * - A call cut off by a closed tab keeps the result it would have if it ended at `lastSeenAt`:
 *   ringing in → `missed`, dialling out → `cancelled`, talking → `answered`.
 *
 * Duration is the talk time in whole seconds (rounded), answer to end; 0 when not answered.
 */
import type { CallDirection, EndReason } from '@/sip/softphone'
import { partOfRecordingId } from '@/recording/parts'

export type HistoryResult = 'answered' | 'missed' | 'declined' | 'rejected' | 'failed' | 'transferred' | 'cancelled'
export const HISTORY_RESULTS: readonly HistoryResult[] = ['answered', 'missed', 'declined', 'rejected', 'failed', 'transferred', 'cancelled']
export type EndedBy = 'local' | 'remote' | 'system'

export type CallEvent =
  | {
    type: 'started'
    callId: string
    direction: CallDirection
    /** The other party's number as the line gave it (codes after `#` already split off). */
    remoteNumber: string
    localNumber: string
    sipName?: string
    /** Found by `lookupName` on the ring path, when a phonebook had the number. */
    phonebookName?: string
    startedAt: number
    /** `{ID}` of the CTI request. */
    requestId?: string
    code1?: string
    code2?: string
  }
  | { type: 'answered'; at: number }
  /** Values the CRM's answers extracted (`NAME`, `COMPANY`, …); later ones win. Also after the end. */
  | { type: 'values'; values: Readonly<Record<string, string>>; at?: number }
  /** The call is still alive at `at` (a periodic heartbeat moves `lastSeenAt` during long calls). */
  | { type: 'seen'; at: number }
  /** A part of the call's recording was stored (its id names the part, `@/recording/parts`). Also after the end. */
  | { type: 'recording'; recordingId: string }
  | { type: 'ended'; at: number; endReason: EndReason; dnd?: boolean }

export interface HistoryRow {
  callId: string
  direction: CallDirection
  remoteNumber: string
  localNumber: string
  sipName?: string
  phonebookName?: string
  values: Record<string, string>
  requestId?: string
  code1?: string
  code2?: string
  startedAt: number
  answeredAt?: number
  endedAt?: number
  /** The last moment the call was known: the latest event time. */
  lastSeenAt: number
  durationSeconds: number
  /** Final once `cutOff` is false; before that, what the call is if it ended at `lastSeenAt`. */
  result: HistoryResult
  endedBy: EndedBy
  endReason?: EndReason
  /** An incoming call another phone of the group took (counts as missed, not for the badge). */
  answeredElsewhere?: true
  dnd?: true
  /** The call has not ended as far as this row knows. */
  cutOff: boolean
  /** The first stored part of the call's recording. */
  recordingId?: string
  /** Every stored part, in part order, when the call has more than one (resumed after a reload, issue 12). */
  recordingParts?: string[]
}

interface Outcome {
  result: HistoryResult
  endedBy: EndedBy
  answeredElsewhere?: true
}

/** The table in the module comment. */
export function classify(direction: CallDirection, answered: boolean, endReason: EndReason, dnd = false): Outcome {
  if (endReason === 'transferred') return { result: 'transferred', endedBy: 'local' }
  if (answered) {
    const endedBy = endReason === 'hangup-local' ? 'local' : endReason === 'hangup-remote' ? 'remote' : 'system'
    return { result: 'answered', endedBy }
  }
  if (direction === 'in') {
    if (dnd) return { result: 'rejected', endedBy: 'system' }
    switch (endReason) {
      case 'declined':
      case 'hangup-local':
        return { result: 'declined', endedBy: 'local' }
      case 'cancelled':
      case 'hangup-remote':
        return { result: 'missed', endedBy: 'remote' }
      case 'answered-elsewhere':
        return { result: 'missed', endedBy: 'system', answeredElsewhere: true }
      case 'rejected':
      case 'failed':
        return { result: 'failed', endedBy: 'system' }
    }
  }
  switch (endReason) {
    case 'hangup-local':
    case 'cancelled':
      return { result: 'cancelled', endedBy: 'local' }
    case 'rejected':
    case 'declined':
    case 'hangup-remote':
      return { result: 'failed', endedBy: 'remote' }
    case 'failed':
    case 'answered-elsewhere':
      return { result: 'failed', endedBy: 'system' }
  }
}

function provisional(direction: CallDirection, answered: boolean): Outcome {
  if (answered) return { result: 'answered', endedBy: 'system' }
  return { result: direction === 'in' ? 'missed' : 'cancelled', endedBy: 'system' }
}

/** The row with one more part of its recording: `recordingId` stays the first, `recordingParts` lists them all in part order. */
function withRecording(row: HistoryRow, id: string): HistoryRow {
  const ids = [...new Set([...(row.recordingParts ?? (row.recordingId ? [row.recordingId] : [])), id])]
  ids.sort((x, y) => partOfRecordingId(x) - partOfRecordingId(y))
  return { ...row, recordingId: ids[0]!, ...(ids.length > 1 ? { recordingParts: ids } : {}) }
}

const seconds = (from: number | undefined, to: number) => (from === undefined ? 0 : Math.max(0, Math.round((to - from) / 1000)))

/**
 * The row after `event`. Before `started` there is no row (other events are ignored); after
 * `ended` only `values` and `recording` still change it. Never mutates `row`.
 */
export function applyCallEvent(row: HistoryRow | undefined, event: CallEvent): HistoryRow | undefined {
  if (event.type === 'started') {
    if (row) return row
    const { type: _, ...start } = event
    return {
      ...start,
      values: {},
      lastSeenAt: event.startedAt,
      durationSeconds: 0,
      ...provisional(event.direction, false),
      cutOff: true,
    }
  }
  if (!row) return undefined
  switch (event.type) {
    case 'values':
      return { ...row, values: { ...row.values, ...event.values }, ...(event.at !== undefined && row.cutOff ? alive(row, event.at) : {}) }
    case 'recording':
      return withRecording(row, event.recordingId)
    case 'seen':
      return row.cutOff ? { ...row, ...alive(row, event.at) } : row
    case 'answered': {
      if (!row.cutOff || row.answeredAt !== undefined) return row
      const next = { ...row, answeredAt: event.at, ...alive(row, event.at) }
      return { ...next, ...provisional(row.direction, true) }
    }
    case 'ended': {
      if (!row.cutOff) return row
      const outcome = classify(row.direction, row.answeredAt !== undefined, event.endReason, event.dnd)
      const lastSeenAt = Math.max(row.lastSeenAt, event.at)
      return {
        ...row,
        ...outcome,
        endReason: event.endReason,
        ...(event.dnd && row.direction === 'in' ? { dnd: true as const } : {}),
        endedAt: event.at,
        lastSeenAt,
        durationSeconds: seconds(row.answeredAt, event.at),
        cutOff: false,
      }
    }
  }
}

function alive(row: HistoryRow, at: number): Pick<HistoryRow, 'lastSeenAt' | 'durationSeconds'> {
  const lastSeenAt = Math.max(row.lastSeenAt, at)
  return { lastSeenAt, durationSeconds: seconds(row.answeredAt, lastSeenAt) }
}

/** The row for a whole sequence of events (what the app has written after the last one). */
export function historyRow(events: Iterable<CallEvent>): HistoryRow | undefined {
  let row: HistoryRow | undefined
  for (const event of events) row = applyCallEvent(row, event)
  return row
}
