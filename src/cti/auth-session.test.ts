import { describe, expect, it } from 'vitest'
import { createAuthSession, type AuthResult, type AuthSessionOptions, type AuthStatus } from './auth-session'
import { FakeClock, flush } from './testing/fakes'

const MINUTE = 60_000

/** An authenticate() the test answers by hand; counts logins. */
function scriptedAuth() {
  const pending: ((result: AuthResult) => void)[] = []
  let logins = 0
  return {
    get logins() {
      return logins
    },
    authenticate: () =>
      new Promise<AuthResult>((resolve) => {
        logins++
        pending.push(resolve)
      }),
    /** Answers the oldest pending login. */
    answer(result: AuthResult) {
      pending.shift()?.(result)
    },
    get pending() {
      return pending.length
    },
  }
}

function setup(extra: Partial<AuthSessionOptions> = {}) {
  const clock = new FakeClock()
  const auth = scriptedAuth()
  const statuses: AuthStatus[] = []
  const session = createAuthSession({
    clock,
    configured: true,
    sessionKeepMinutes: 30,
    pollingMinutes: 0,
    authenticate: auth.authenticate,
    onChange: (status) => statuses.push(status),
    ...extra,
  })
  return { clock, auth, session, statuses }
}

const ok = (SID: string): AuthResult => ({ ok: true, values: { SID } })

describe('auth lifetime', () => {
  it('runs at login and serves the values while they are fresh, without logging in again', async () => {
    const { auth, session, clock } = setup()
    const login = session.start()
    expect(session.status().state).toBe('pending')
    auth.answer(ok('s1'))
    await expect(login).resolves.toEqual(ok('s1'))
    await clock.advance(29 * MINUTE)
    await expect(session.ensure()).resolves.toEqual({ SID: 's1' })
    expect(auth.logins).toBe(1)
    expect(session.status()).toEqual({ state: 'ok', acquiredAt: '2025-04-01T00:30:45.000Z', expiresAt: '2025-04-01T01:00:45.000Z' })
  })

  it('re-acquires expired values before an access that needs them', async () => {
    const { auth, session, clock } = setup()
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(30 * MINUTE)
    expect(session.status().state).toBe('expired')
    expect(session.values()).toEqual({})
    const values = session.ensure()
    await flush()
    expect(auth.logins).toBe(2)
    auth.answer(ok('s2'))
    await expect(values).resolves.toEqual({ SID: 's2' })
  })

  it('sessionKeepMinutes 0: the values never expire', async () => {
    const { auth, session, clock } = setup({ sessionKeepMinutes: 0 })
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(24 * 60 * MINUTE)
    await expect(session.ensure()).resolves.toEqual({ SID: 's1' })
    expect(auth.logins).toBe(1)
    expect(session.status()).toEqual({ state: 'ok', acquiredAt: '2025-04-01T00:30:45.000Z' })
  })

  it('polls every pollingMinutes, resetting the lifetime', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 10, sessionKeepMinutes: 15 })
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(10 * MINUTE)
    expect(auth.logins).toBe(2)
    auth.answer(ok('s2'))
    await flush()
    // 20 minutes after login: s1 would be expired, but the poll at 10 renewed the lifetime.
    await clock.advance(9 * MINUTE)
    await expect(session.ensure()).resolves.toEqual({ SID: 's2' })
    await clock.advance(1 * MINUTE)
    expect(auth.logins).toBe(3)
  })

  it('pollingMinutes 0: no timer', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 0 })
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    expect(clock.pending).toBe(0)
  })

  it('concurrent needs share one in-flight login', async () => {
    const { auth, session, clock } = setup()
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(31 * MINUTE)
    const a = session.ensure()
    const b = session.ensure()
    const c = session.refresh()
    await flush()
    expect(auth.logins).toBe(2)
    expect(auth.pending).toBe(1)
    auth.answer(ok('s2'))
    await expect(Promise.all([a, b, c])).resolves.toEqual([{ SID: 's2' }, { SID: 's2' }, ok('s2')])
  })

  it('a poll while values are fresh does not hold up an access', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 10 })
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(10 * MINUTE)
    expect(auth.pending).toBe(1)
    await expect(session.ensure()).resolves.toEqual({ SID: 's1' })
  })

  it('failed auth leaves the values empty, says why, and is retried at the next need', async () => {
    const { auth, session, statuses } = setup()
    const login = session.start()
    auth.answer({ ok: false, reason: 'http-error', status: 500 })
    await expect(login).resolves.toEqual({ ok: false, reason: 'http-error', status: 500 })
    expect(session.values()).toEqual({})
    expect(session.status()).toEqual({ state: 'failed', reason: 'http-error', status: 500 })
    expect(statuses.map((status) => status.state)).toEqual(['pending', 'failed'])
    const values = session.ensure()
    await flush()
    expect(auth.logins).toBe(2)
    auth.answer(ok('s2'))
    await expect(values).resolves.toEqual({ SID: 's2' })
  })

  it('failed auth is retried at the next poll', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 5 })
    const login = session.start()
    auth.answer({ ok: false, reason: 'timeout' })
    await login
    await clock.advance(5 * MINUTE)
    expect(auth.logins).toBe(2)
  })

  it('a failed re-acquisition yields empty values, not the stale ones', async () => {
    const { auth, session, clock } = setup()
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    await clock.advance(31 * MINUTE)
    const values = session.ensure()
    await flush()
    auth.answer({ ok: false, reason: 'network' })
    await expect(values).resolves.toEqual({})
  })

  it('refresh() runs auth again even while the values are fresh (after a 401/403)', async () => {
    const { auth, session } = setup()
    const login = session.start()
    auth.answer(ok('s1'))
    await login
    const again = session.refresh()
    auth.answer(ok('s2'))
    await expect(again).resolves.toEqual(ok('s2'))
    expect(auth.logins).toBe(2)
  })
})

describe('stop and states', () => {
  it('stop() clears timers and values and ignores a login still in flight', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 5 })
    const login = session.start()
    session.stop()
    auth.answer(ok('s1'))
    await login
    expect(session.values()).toEqual({})
    expect(session.status()).toEqual({ state: 'logged-out' })
    expect(clock.pending).toBe(0)
    await expect(session.ensure()).resolves.toEqual({})
    await expect(session.refresh()).resolves.toEqual({ ok: false, reason: 'logged-out' })
    expect(auth.logins).toBe(1)
  })

  it('before login nothing runs', async () => {
    const { auth, session } = setup()
    expect(session.status()).toEqual({ state: 'logged-out' })
    await expect(session.ensure()).resolves.toEqual({})
    expect(auth.logins).toBe(0)
  })

  it('not configured: off, always empty, never runs', async () => {
    const { auth, session, clock } = setup({ configured: false, pollingMinutes: 5 })
    await expect(session.start()).resolves.toEqual({ ok: true, values: {} })
    await expect(session.ensure()).resolves.toEqual({})
    expect(session.status()).toEqual({ state: 'off' })
    expect(clock.pending).toBe(0)
    expect(auth.logins).toBe(0)
  })

  it('a rejecting authenticate() is a failure, not an exception', async () => {
    const clock = new FakeClock()
    const session = createAuthSession({
      clock,
      configured: true,
      sessionKeepMinutes: 30,
      pollingMinutes: 0,
      authenticate: () => Promise.reject(new Error('bug')),
    })
    await expect(session.start()).resolves.toEqual({ ok: false, reason: 'network' })
  })
})

describe('re-login', () => {
  it('starts afresh: a run in flight with older credentials is ignored, polling restarts', async () => {
    const { auth, session, clock } = setup({ pollingMinutes: 10 })
    const first = session.start()
    await clock.advance(5 * MINUTE)
    const second = session.start()
    auth.answer(ok('old'))
    await first
    expect(session.status().state).toBe('pending')
    auth.answer(ok('new'))
    await expect(second).resolves.toEqual(ok('new'))
    expect(session.values()).toEqual({ SID: 'new' })
    await clock.advance(9 * MINUTE)
    expect(auth.logins).toBe(2)
    await clock.advance(1 * MINUTE)
    expect(auth.logins).toBe(3)
  })
})

describe('spread over 1,000 phones (jitter)', () => {
  /** A session whose CRM answers at once: down (500) while `crm.down`, else a fresh session. */
  function timedSession(random: () => number, pollingMinutes = 10) {
    const clock = new FakeClock()
    const crm = { down: false, at: [] as number[] }
    const start = clock.now().getTime()
    const session = createAuthSession({
      clock,
      configured: true,
      sessionKeepMinutes: 30,
      pollingMinutes,
      random,
      authenticate: async () => {
        crm.at.push(clock.now().getTime() - start)
        return crm.down ? { ok: false, reason: 'http-error', status: 500 } : ok(`s${crm.at.length}`)
      },
    })
    return { clock, crm, session }
  }

  it('polls come at a random point between 80 % and 100 % of pollingMinutes, counted from the last run', async () => {
    const { clock, crm, session } = timedSession(() => 0.5)
    await session.start()
    await clock.advance(30 * MINUTE)
    expect(crm.at).toEqual([0, 9 * MINUTE, 18 * MINUTE, 27 * MINUTE])
  })

  it('after a CRM outage the retries back off (jittered, doubling) instead of hammering, and polling resumes once it answers', async () => {
    const { clock, crm, session } = timedSession(() => 0.5)
    crm.down = true
    await session.start()
    await clock.advance(100_000)
    // 0.75 of 15 s, 30 s, 60 s …: 11.25 s, then +22.5 s, then +45 s.
    expect(crm.at).toEqual([0, 11_250, 33_750, 78_750])
    expect(session.status().state).toBe('failed')
    crm.down = false
    await clock.advance(90_000)
    expect(crm.at.at(-1)).toBe(78_750 + 90_000)
    expect(session.status().state).toBe('ok')
    // Back on the poll schedule: the next run is 9 minutes later, not a back-off step.
    const back = crm.at.length
    await clock.advance(9 * MINUTE)
    expect(crm.at).toHaveLength(back + 1)
  })

  it('a retry never waits longer than the poll would have', async () => {
    const { clock, crm, session } = timedSession(() => 0.999_999, 1)
    crm.down = true
    await session.start()
    await clock.advance(5 * MINUTE)
    const gaps = crm.at.slice(1).map((t, i) => t - crm.at[i]!)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MINUTE)
    expect(gaps.slice(0, 3)).toEqual([15_000, 30_000, 60_000])
  })

  it('stop() during the back-off leaves no timer', async () => {
    const { clock, crm, session } = timedSession(() => 0.5)
    crm.down = true
    await session.start()
    expect(clock.pending).toBe(1)
    session.stop()
    expect(clock.pending).toBe(0)
    await clock.advance(60 * MINUTE)
    expect(crm.at).toEqual([0])
  })
})
