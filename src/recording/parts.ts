/**
 * The parts of one call's recording (issues 10 and 12): a call resumed after a reload or a
 * renderer crash goes on recording as part 2 (3, …) of the same call, each part its own stored
 * file, history link and upload. Pure: ids and the rule of whether a resumed call records.
 *
 * Ids: part 1 is stored as the call id and uploaded through the outbox entry
 * `recording:<callId>` (as before parts existed, so files and entries of earlier versions keep
 * their meaning); part n ≥ 2 is `<callId>:<n>`, its entry `recording:<callId>:<n>`. Call ids
 * never contain `:` (the softphone makes them of letters, digits and `-`).
 */

export const recordingPartId = (callId: string, part: number): string => (part <= 1 ? callId : `${callId}:${part}`)

/** The part a stored recording id names (1 for a bare call id). */
/** The call a recording (part) id belongs to: call ids have no `:`. */
export const callOfRecordingId = (id: string): string => id.split(':')[0] ?? id

export function partOfRecordingId(id: string): number {
  const match = /:(\d+)$/.exec(id)
  return match ? Number(match[1]) : 1
}

/** Why a part's file was finished: by the agent's button, by the end of the call, by the page going away (the call goes on). */
export type PartEnd = 'agent' | 'ended' | 'left'

/** What a page knows of a call's earlier parts when it takes the call back. */
export interface KnownPart {
  readonly part: number
  /** Still being written when its page went away (no finished file yet: its chunks are stored). */
  readonly live: boolean
  readonly end?: PartEnd
}

/**
 * The part a resumed call records next, or undefined when it records nothing: it goes on where
 * the old page was recording when it went away (a live part, or one finished by the page
 * leaving); `auto` also records a call of which no part is known (the old page never stored
 * one). A recording the agent stopped, or `off`, stays stopped.
 */
export function nextPart(known: readonly KnownPart[], mode: 'off' | 'auto' | 'manual'): number | undefined {
  if (mode === 'off') return undefined
  if (known.length === 0) return mode === 'auto' ? 1 : undefined
  const last = known.reduce((a, b) => (b.part > a.part ? b : a))
  return last.live || last.end === 'left' ? last.part + 1 : undefined
}
