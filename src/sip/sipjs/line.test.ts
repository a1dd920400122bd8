import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BACKOFF_MS } from './line'
import { lineDelays, settle, sipJsOnFakes, until, type Harness } from './testing/harness'
import { header, registerOk, reply, type SipMessage } from './testing/sip-messages'

// sip.js warns about its own deprecated option we set on purpose (reconnectionAttempts: 0).
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const KEEP_ALIVE_S = 20
const cseqOf = (m: SipMessage) => Number(header(m, 'cseq').split(' ')[0])
const registers = (h: Harness) => h.network.messages({ method: 'REGISTER' })
const restored = (h: Harness) => {
  let count = 0
  h.phone.on('lineRestored', () => { count += 1 })
  return () => count
}

/** Lets `ms` pass second by second, with sip.js's promise chains running in between (answers arrive). */
async function pass(h: Harness, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    h.clock.advance(Math.min(1000, ms - t))
    await settle(1)
  }
}

/** An answer on the socket the request went out on: none when that socket is gone meanwhile. */
function deliverIfConnected(h: Harness, raw: string): void {
  if (h.network.transport.isConnected()) h.network.deliver(raw)
}

/** A registrar that answers OPTIONS (as Kamailio does) while `alive()` says so; REGISTERs are answered by the test. */
function answerOptions(h: Harness, alive: () => boolean = () => true): void {
  const previous = h.network.onSend
  h.network.onSend = (message) => {
    previous?.(message)
    if (message.method === 'OPTIONS' && alive()) queueMicrotask(() => deliverIfConnected(h, reply(message, 200, 'OK')))
  }
}

/** A phone whose registrar answers REGISTER and OPTIONS only while `pbx.up`. */
async function phoneOnHangablePbx(config = {}) {
  const pbx = { up: true }
  const h = sipJsOnFakes({ keepAliveSeconds: KEEP_ALIVE_S, registerExpires: 300, ...config })
  h.network.onSend = (message) => {
    if (!pbx.up) return
    if (message.method === 'REGISTER') queueMicrotask(() => deliverIfConnected(h, registerOk(message, Number(/expires=(\d+)/.exec(header(message, 'contact'))?.[1] ?? 300))))
    if (message.method === 'OPTIONS') queueMicrotask(() => deliverIfConnected(h, reply(message, 200, 'OK')))
  }
  await h.phone.start()
  await until(() => h.phone.registration.state === 'registered', 'registered')
  h.clock.advance(0)
  return { h, pbx }
}

describe('liveness probe', () => {
  it('sends OPTIONS to the registrar every interval; answered probes keep the line registered', async () => {
    const { h } = await phoneOnHangablePbx()
    for (let i = 1; i <= 3; i += 1) {
      h.clock.advance(KEEP_ALIVE_S * 1000)
      await until(() => h.network.messages({ method: 'OPTIONS' }).length === i, `probe ${i}`)
      await settle()
    }
    expect(h.network.last({ method: 'OPTIONS' })!.requestUri).toBe('sip:pbx.test')
    expect(h.phone.registration.state).toBe('registered')
    expect(h.network.abandoned).toBe(0)
  })

  it('a PBX that hangs without closing the socket: reported within 2 intervals, the socket dropped, reconnected; rings again once it answers', async () => {
    const { h, pbx } = await phoneOnHangablePbx()
    const restoredCount = restored(h)
    h.clock.advance(5_000)
    pbx.up = false
    h.network.hangConnections = true
    const hungAt = h.clock.now()
    let reportedAt: number | undefined
    h.phone.on('registration', (s) => { if (s.state !== 'registered') reportedAt ??= h.clock.now() })
    for (let t = 0; t < 2 * KEEP_ALIVE_S && reportedAt === undefined; t += 1) {
      h.clock.advance(1000)
      await settle(1)
    }
    expect(reportedAt).toBeDefined()
    expect(reportedAt! - hungAt).toBeLessThanOrEqual(2 * KEEP_ALIVE_S * 1000)
    expect(h.phone.registration).toMatchObject({ state: 'reconnecting', reason: expect.stringMatching(/no answer to OPTIONS/) })
    expect(h.network.abandoned).toBe(1)
    // The first reconnect attempt hangs (the PBX's kernel accepts, the PBX does not run) …
    h.clock.advance(BACKOFF_MS[0]!)
    await until(() => h.network.connects === 2, 'reconnect attempt')
    // … and goes through the moment the PBX runs again, with no back-off wait.
    pbx.up = true
    h.network.hangConnections = false
    h.network.releaseHungConnection()
    await until(() => h.phone.registration.state === 'registered', 'registered again')
    expect(restoredCount()).toBe(1)
  })

  it('while the PBX hangs, an attempt that timed out is followed at once by the next (no growing back-off), so it answers the moment it runs', async () => {
    const { h, pbx } = await phoneOnHangablePbx({ keepAliveSeconds: 3600 })
    pbx.up = false
    h.network.hangConnections = true
    h.network.drop()
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance(lineDelays(h).filter((d) => d <= 30_000)[0]!)
      await until(() => h.network.connects === 2 + i, `attempt ${i + 1}`)
      await settle()
      h.clock.advance(20_000)
      h.network.failHungConnection()
      await settle()
      expect(lineDelays(h).filter((d) => d <= 30_000)).toEqual([BACKOFF_MS[0]])
    }
  })

  it('a REGISTER lost with its socket does not block the next one (no "REGISTER already in progress"), and its late answer is ignored', async () => {
    const h = sipJsOnFakes({ keepAliveSeconds: KEEP_ALIVE_S })
    const restoredCount = restored(h)
    answerOptions(h)
    await h.phone.start()
    const first = await until(() => registers(h)[0], 'REGISTER')
    h.network.deliver(registerOk(first))
    await until(() => h.phone.registration.state === 'registered', 'registered')
    // A refresh goes out and the socket dies before its answer.
    await pass(h, 300_000)
    const lost = await until(() => registers(h)[1], 'refresh REGISTER')
    h.network.drop()
    expect(h.phone.registration.state).toBe('reconnecting')
    h.clock.advance(BACKOFF_MS[0]!)
    const next = await until(() => registers(h)[2], 'REGISTER on the new socket')
    expect(cseqOf(next)).toBeGreaterThan(cseqOf(lost))
    expect(header(next, 'call-id')).toBe(header(first, 'call-id'))
    h.network.deliver(registerOk(next))
    await until(() => h.phone.registration.state === 'registered', 'registered again')
    expect(restoredCount()).toBe(1)
    // The lost REGISTER's answer, arriving late, changes nothing.
    h.network.deliver(reply(lost, 403, 'Forbidden'))
    await settle()
    expect(h.phone.registration.state).toBe('registered')
  })

  it('refreshes at half the expiry the registrar granted, and the refresh\'s 200 is what keeps it registered', async () => {
    const h = sipJsOnFakes({ keepAliveSeconds: 3600, registerExpires: 300 })
    await h.phone.start()
    const first = await until(() => registers(h)[0], 'REGISTER')
    expect(header(first, 'contact')).toMatch(/expires=300/)
    h.network.deliver(registerOk(first, 60))
    await until(() => h.phone.registration.state === 'registered', 'registered')
    h.clock.advance(29_999)
    await settle()
    expect(registers(h)).toHaveLength(1)
    h.clock.advance(1)
    const refresh = await until(() => registers(h)[1], 'refresh at 30 s')
    // No answer within the probe time: dead, not registered.
    h.clock.advance(10_000)
    await settle()
    expect(h.phone.registration).toMatchObject({ state: 'reconnecting', reason: expect.stringMatching(/no answer to REGISTER/) })
    expect(refresh.method).toBe('REGISTER')
  })

  it('423 Interval Too Brief → REGISTER again with the Min-Expires', async () => {
    const h = sipJsOnFakes()
    await h.phone.start()
    const first = await until(() => registers(h)[0], 'REGISTER')
    h.network.deliver(reply(first, 423, 'Interval Too Brief', { headers: [['Min-Expires', '900']] }))
    const second = await until(() => registers(h)[1], 'second REGISTER')
    expect(header(second, 'contact')).toMatch(/expires=900/)
  })

  it('stop() leaves no timer of the line behind (probe tick, refresh, expiry)', async () => {
    const { h } = await phoneOnHangablePbx()
    expect(lineDelays(h).length).toBeGreaterThanOrEqual(3)
    await h.phone.stop()
    expect(h.clock.pendingDelays).toEqual([])
    h.clock.advance(3_600_000)
    expect(h.network.messages({ method: 'OPTIONS' })).toHaveLength(0)
  })
})

describe('frozen page, sleep, clock jump', () => {
  it('a page frozen past its registration\'s expiry: at resume it is not shown registered, REGISTERs at once, and is registered on the 200', async () => {
    const { h } = await phoneOnHangablePbx({ registerExpires: 60, keepAliveSeconds: 25 })
    const before = registers(h).length
    const seen: string[] = []
    h.phone.on('registration', (s) => seen.push(s.state))
    h.clock.sleep(90_000)
    expect(seen[0]).toBe('reconnecting')
    expect(registers(h).length).toBeGreaterThan(before)
    await until(() => h.phone.registration.state === 'registered', 'registered after resume')
  })

  it('a late timer (sleep shorter than the expiry) verifies the line with a REGISTER at once', async () => {
    const { h } = await phoneOnHangablePbx({ registerExpires: 600, keepAliveSeconds: 25 })
    const before = registers(h).length
    h.clock.sleep(40_000)
    await until(() => registers(h).length > before, 'REGISTER after the late tick')
    expect(h.network.messages({ method: 'OPTIONS' })).toHaveLength(0)
    await settle()
    expect(h.phone.registration.state).toBe('registered')
  })

  it('verify() while registered: REGISTER now; no answer within the probe time → dropped and reconnected', async () => {
    const { h, pbx } = await phoneOnHangablePbx()
    const before = registers(h).length
    pbx.up = false
    h.phone.verify()
    expect(registers(h).length).toBe(before + 1)
    h.clock.advance(10_000)
    await settle()
    expect(h.phone.registration.state).toBe('reconnecting')
    expect(h.network.abandoned).toBe(1)
  })

  it('verify() while waiting out the back-off: connects at once (the network is back)', async () => {
    const { h, pbx } = await phoneOnHangablePbx()
    h.network.refuseConnections = true
    h.network.drop()
    h.clock.advance(BACKOFF_MS[0]!)
    await until(() => h.network.connects === 2, 'first retry')
    await settle()
    expect(lineDelays(h)).toContain(BACKOFF_MS[1]!)
    h.network.refuseConnections = false
    pbx.up = true
    h.phone.verify()
    await until(() => h.network.connects === 3, 'connects at once')
    await until(() => h.phone.registration.state === 'registered', 'registered')
    expect(lineDelays(h)).not.toContain(BACKOFF_MS[1]!)
  })

  it('verify() while a connection attempt hangs (the network we left): drops it and connects again at once', async () => {
    const { h } = await phoneOnHangablePbx()
    h.network.hangConnections = true
    h.network.drop()
    h.clock.advance(BACKOFF_MS[0]!)
    await until(() => h.network.connects === 2, 'hanging attempt')
    h.network.hangConnections = false
    h.phone.verify()
    await until(() => h.network.connects === 3, 'a fresh attempt')
    await until(() => h.phone.registration.state === 'registered', 'registered')
  })
})

describe('lineRestored', () => {
  it('is not fired for the first registration, only after the line was lost and came back', async () => {
    const h = sipJsOnFakes()
    const count = restored(h)
    answerOptions(h)
    await h.phone.start()
    h.network.deliver(registerOk((await until(() => registers(h)[0], 'REGISTER'))))
    await until(() => h.phone.registration.state === 'registered', 'registered')
    expect(count()).toBe(0)
  })
})
