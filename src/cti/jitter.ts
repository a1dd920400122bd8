/**
 * Spreading what 1,000 phones would otherwise do in the same second (issue 11 item 5): the CRM
 * keep-alive polls and the retries after a CRM outage. Pure arithmetic over an injected random
 * source, so tests pin every delay.
 */

/** A number in [0, 1), as `Math.random()`; injected so tests decide it. */
export type UnitRandom = () => number

/** How far a poll may come early: a poll runs between 80 % and 100 % of its period. */
export const POLL_SPREAD = 0.2

/** First retry after a failed keep-alive auth; doubles with each further failure. */
export const RETRY_BASE_MS = 15_000
/** Retries after a failure never wait longer than this (nor longer than the poll period). */
export const RETRY_CAP_MS = 10 * 60_000

const unit = (random: UnitRandom): number => Math.min(Math.max(random(), 0), 1)

/**
 * The delay before the next poll: somewhere in `[(1 − POLL_SPREAD)·periodMs, periodMs]`. Never
 * later than the period IT set (a poll keeps a session alive: coming late could let it expire),
 * and different for every phone, so phones that logged in together drift apart at each poll.
 */
export function pollDelay(periodMs: number, random: UnitRandom): number {
  return Math.round(periodMs * (1 - POLL_SPREAD * unit(random)))
}

/**
 * The delay before retry number `failures` (1 = after the first failure): exponential back-off
 * from RETRY_BASE_MS, capped at `capMs` (and RETRY_CAP_MS), with "equal jitter" — half of the
 * step fixed, half random — so phones that failed together come back spread over the step, not
 * in one second, and none retries sooner than half of it.
 */
export function retryDelay(failures: number, random: UnitRandom, capMs = RETRY_CAP_MS): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 20)
  const step = Math.min(RETRY_BASE_MS * 2 ** exponent, capMs, RETRY_CAP_MS)
  return Math.round(step / 2 + (step / 2) * unit(random))
}
