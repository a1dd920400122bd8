/**
 * The auth lifecycle (docs/cti-integration.md §1, §4 auth row).
 *
 * ```
 *            start() ──▶ pending ──▶ ok ──(sessionKeepMinutes)──▶ expired
 *  logged-out ◀── stop()   │  ▲       │                              │
 *                          ▼  └─ run ◀┴── poll every pollingMinutes ◀┘ ensure() before an access
 *                        failed ─────── retried with back-off (polling on) or at ensure()
 * ```
 * - Auth runs at login (`start`), on every poll, and when an access needs the values while they
 *   are expired or failed — never once per call while they are fresh.
 * - One auth at a time: concurrent needs share the in-flight run (never two logins at once).
 * - A failed auth leaves the values empty.
 * - `refresh()` is the re-auth after a 401/403; the caller retries its access once.
 * - `stop()` (logout, dispose) clears timers and values; a run still in flight is ignored.
 * - 1,000 phones must not poll a CRM in the same second (`jitter.ts`): each poll comes between 80 %
 *   and 100 % of `pollingMinutes` after the last run settled, and after a failed run (a CRM outage)
 *   the next one comes with jittered exponential back-off, never later than the poll would have.
 */

import type { AccessFailure } from './cti-log'
import { pollDelay, retryDelay, type UnitRandom } from './jitter'
import type { ClockPort, TimerHandle } from './ports'

export type AuthValues = Readonly<Record<string, string>>

export type AuthFailure = AccessFailure | 'no-values' | 'logged-out'

export type AuthResult =
  | { readonly ok: true; readonly values: AuthValues }
  | { readonly ok: false; readonly reason: AuthFailure; readonly status?: number }

export type AuthState = 'off' | 'logged-out' | 'pending' | 'ok' | 'expired' | 'failed'

export interface AuthStatus {
  /** `off`: no auth access configured (or integration off); values are always empty. */
  readonly state: AuthState
  readonly reason?: AuthFailure
  readonly status?: number
  readonly acquiredAt?: string
  /** Absent when the values never expire (sessionKeepMinutes 0). */
  readonly expiresAt?: string
}

export interface AuthSessionOptions {
  readonly clock: ClockPort
  /** False when there is nothing to run: every call succeeds at once with no values. */
  readonly configured: boolean
  readonly sessionKeepMinutes: number
  readonly pollingMinutes: number
  /** Runs the auth access once with the current credentials; never rejects. */
  readonly authenticate: () => Promise<AuthResult>
  readonly onChange?: (status: AuthStatus) => void
  /** Spreads polls and retries (`jitter.ts`); absent: none (polls at the full period, retries at half their step). */
  readonly random?: UnitRandom
}

export interface AuthSession {
  /** Login: runs auth now and (re)starts polling; a run in flight with older credentials is ignored. */
  start(): Promise<AuthResult>
  /** Logout or dispose: stops polling, forgets the values. */
  stop(): void
  /** The values for an access about to run: re-acquired first when expired or failed. */
  ensure(): Promise<AuthValues>
  /** Once more after a 401/403 (shares a run already in flight). */
  refresh(): Promise<AuthResult>
  /**
   * What `ensure()` would resolve to, when that needs no auth run (auth off, logged out, or
   * values fresh); undefined when it does. Lets an access start its request in the same task
   * as the ring, instead of a microtask later, behind the popup's first render.
   */
  ready(): AuthValues | undefined
  /** Current values without re-acquiring; empty when expired, failed or logged out. */
  values(): AuthValues
  status(): AuthStatus
}

const EMPTY: AuthValues = Object.freeze({})

export function createAuthSession(options: AuthSessionOptions): AuthSession {
  const { clock } = options
  const keepMs = options.sessionKeepMinutes * 60_000
  const pollMs = options.pollingMinutes * 60_000
  const random = options.random ?? (() => 0)

  let active = false
  let generation = 0
  let values: AuthValues = EMPTY
  let acquiredAt: Date | undefined
  let inFlight: Promise<AuthResult> | undefined
  let pollTimer: TimerHandle | undefined
  let failure: { reason: AuthFailure; status?: number } | undefined
  /** Failed runs in a row: the back-off step of the next retry. */
  let failures = 0

  const fresh = (): boolean =>
    acquiredAt !== undefined && (keepMs === 0 || clock.now().getTime() < acquiredAt.getTime() + keepMs)

  const status = (): AuthStatus => {
    if (!options.configured) return { state: 'off' }
    if (!active) return { state: 'logged-out' }
    if (inFlight) return { state: 'pending' }
    if (acquiredAt !== undefined) {
      const times = {
        acquiredAt: acquiredAt.toISOString(),
        ...(keepMs === 0 ? {} : { expiresAt: new Date(acquiredAt.getTime() + keepMs).toISOString() }),
      }
      return { state: fresh() ? 'ok' : 'expired', ...times }
    }
    if (failure) return { state: 'failed', reason: failure.reason, ...(failure.status === undefined ? {} : { status: failure.status }) }
    return { state: 'expired' }
  }

  const ready = (): AuthValues | undefined => {
    if (!options.configured || !active) return EMPTY
    // Fresh values serve even while a poll is in flight: no access waits for a keep-alive.
    return fresh() ? values : undefined
  }

  const notify = (): void => {
    try {
      options.onChange?.(status())
    } catch {
      // A listener's bug must not break the auth lifecycle.
    }
  }

  const run = (): Promise<AuthResult> => {
    if (!options.configured) return Promise.resolve({ ok: true, values: EMPTY })
    if (!active) return Promise.resolve({ ok: false, reason: 'logged-out' })
    if (inFlight) return inFlight
    const mine = generation
    const settle = (result: AuthResult): AuthResult => {
      if (mine !== generation) return result
      inFlight = undefined
      if (result.ok) {
        values = Object.freeze({ ...result.values })
        acquiredAt = clock.now()
        failure = undefined
        failures = 0
      } else {
        values = EMPTY
        acquiredAt = undefined
        failure = { reason: result.reason, ...(result.status === undefined ? {} : { status: result.status }) }
        failures++
      }
      schedule()
      notify()
      return result
    }
    inFlight = options.authenticate().then(settle, () => settle({ ok: false, reason: 'network' }))
    notify()
    return inFlight
  }

  /** The next poll from now: a spread period after a success, a backed-off retry after failures. */
  const schedule = (): void => {
    if (pollTimer !== undefined) clock.clearTimeout(pollTimer)
    pollTimer = undefined
    if (!active || pollMs <= 0) return
    pollTimer = clock.setTimeout(poll, failures > 0 ? retryDelay(failures, random, pollMs) : pollDelay(pollMs, random))
  }

  const poll = (): void => {
    // Re-armed before the run: a run that never settles (no timeout configured) still leaves a poll.
    schedule()
    void run()
  }

  return {
    start() {
      if (!options.configured) return Promise.resolve({ ok: true, values: EMPTY })
      // A (re-)login starts afresh: values and any run in flight belong to older credentials.
      generation++
      inFlight = undefined
      values = EMPTY
      acquiredAt = undefined
      failure = undefined
      failures = 0
      active = true
      schedule()
      return run()
    },
    stop() {
      generation++
      active = false
      inFlight = undefined
      values = EMPTY
      acquiredAt = undefined
      failure = undefined
      failures = 0
      if (pollTimer !== undefined) clock.clearTimeout(pollTimer)
      pollTimer = undefined
      if (options.configured) notify()
    },
    ready,
    async ensure() {
      const now = ready()
      if (now) return now
      await run()
      return fresh() ? values : EMPTY
    },
    refresh() {
      return run()
    },
    values() {
      return fresh() ? values : EMPTY
    },
    status,
  }
}
