/**
 * What the `history` access (履歴連携, docs/cti-integration.md §8) tells the CRM about a call
 * that ended: `{RESULT}`, `{START}`, `{ANSWERED}`, `{END}`, `{DURATION}`, `{RECORDED}`
 * (`{DIRECTION}` is the call's own); the `recording` access also `{PART}`, the 1-based part
 * of the call's recording (a call resumed after a reload is recorded in parts, issue 12). The app works the facts out (the history's fold decides
 * the result word); this module only turns them into placeholder values.
 *
 * Times are ISO 8601 in local time with the offset (`2026-12-01T09:15:30+09:00`): a CRM reads
 * the instant exactly and a person reads the wall clock. `{START|epoch}` gives seconds since
 * 1970 instead (`./template.ts`).
 */

/** The result words of docs/cti-integration.md §8 (the same as the history's). */
export const CALL_RESULTS = ['answered', 'missed', 'declined', 'rejected', 'failed', 'transferred', 'cancelled'] as const
export type CallResult = (typeof CALL_RESULTS)[number]

/** One ended call, as the history knows it: plain data (it waits in the outbox). */
export interface CallRecordFacts {
  readonly result: CallResult
  /** Epoch ms. */
  readonly startedAt: number
  readonly answeredAt?: number
  readonly endedAt: number
  /** Talk time in whole seconds, answer to end; 0 when not answered. */
  readonly durationSeconds: number
  readonly recorded: boolean
  /** The recording access: which part of the call's recording is uploaded (1-based). */
  readonly part?: number
}

/** The placeholders only a call record has; empty in every other access. */
export const RECORD_NAMES = ['RESULT', 'START', 'ANSWERED', 'END', 'DURATION', 'RECORDED', 'PART'] as const
export type RecordName = (typeof RECORD_NAMES)[number]

/** `at` (epoch ms) as ISO 8601 local time, `utcOffsetMinutes` east of UTC, seconds precision. */
export function isoLocal(at: number, utcOffsetMinutes: number): string {
  const local = new Date(Math.floor(at / 1000) * 1000 + utcOffsetMinutes * 60_000)
  const two = (n: number) => String(n).padStart(2, '0')
  const sign = utcOffsetMinutes < 0 ? '-' : '+'
  const offset = Math.abs(utcOffsetMinutes)
  return `${String(local.getUTCFullYear()).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
    `${sign}${two(Math.floor(offset / 60))}:${two(offset % 60)}`
}

/** Seconds since 1970 of an ISO 8601 time (`|epoch`); '' for '' and for text that is no time. */
export function epochSeconds(value: string): string {
  if (value.trim() === '') return ''
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? '' : String(Math.floor(ms / 1000))
}

/** The record's placeholder values; `offsetAt` gives the local offset at each instant (DST). */
export function recordValues(facts: CallRecordFacts | undefined, offsetAt: (at: number) => number): Record<RecordName, string> {
  if (!facts) return { RESULT: '', START: '', ANSWERED: '', END: '', DURATION: '', RECORDED: '', PART: '' }
  const iso = (at: number | undefined) => (at === undefined ? '' : isoLocal(at, offsetAt(at)))
  return {
    RESULT: facts.result,
    START: iso(facts.startedAt),
    ANSWERED: iso(facts.answeredAt),
    END: iso(facts.endedAt),
    DURATION: String(Math.max(0, Math.round(facts.durationSeconds))),
    RECORDED: facts.recorded ? '1' : '0',
    PART: facts.part === undefined ? '' : String(facts.part),
  }
}
