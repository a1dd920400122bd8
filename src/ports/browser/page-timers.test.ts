import { describe, expect, it } from 'vitest'
import { createCtiEngine } from '@/cti'
import { ctiConfig } from '@/cti/testing/config'
import { createFakeWorld, flush } from '@/cti/testing/fakes'
import { FakeClock } from '@/sip/fake-clock'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { usePhonebooksStore } from '@/stores/phonebooks'
import { useSettingsStore } from '@/stores/settings'
import { browserCtiPorts } from './cti'
import { movableClock } from './page-timers'

/** The page's timers and the worker clock, as two fake clocks over one time. */
function clocks() {
  const page = new FakeClock()
  const worker = new FakeClock(page.now())
  const timers = movableClock(page)
  /** Both clocks move: the time is one, only the timers differ. */
  const advance = (ms: number) => {
    page.advance(ms)
    worker.advance(ms)
  }
  return { page, worker, timers, advance }
}

describe('the app\'s movable clock (CRM polling, phonebook refresh, outbox retries)', () => {
  it('runs new timers on the worker clock once moved; one set before the move finishes on the page\'s timers', () => {
    const { page, worker, timers, advance } = clocks()
    const fired: string[] = []
    timers.setTimeout(() => fired.push('before'), 1000)
    timers.use(worker)
    timers.setTimeout(() => fired.push('after'), 1000)
    expect(page.pendingDelays).toEqual([1000])
    expect(worker.pendingDelays).toEqual([1000])
    advance(1000)
    expect(fired).toEqual(['before', 'after'])
  })

  it('cancels a timer on the clock it was set on, also after the move: nothing fires after stop()', () => {
    const { page, worker, timers, advance } = clocks()
    const fired: string[] = []
    const before = timers.setTimeout(() => fired.push('before'), 1000)
    timers.use(worker)
    const after = timers.setTimeout(() => fired.push('after'), 1000)
    timers.clearTimeout(before)
    timers.clearTimeout(after)
    timers.clearTimeout(undefined)
    expect(page.pendingDelays).toEqual([])
    expect(worker.pendingDelays).toEqual([])
    advance(5000)
    expect(fired).toEqual([])
  })

  it('is the CTI ports\' clock in the browser: request timeouts and polls go where it says', () => {
    const { worker, timers } = clocks()
    timers.use(worker)
    const cti = browserCtiPorts('no-such-extension', timers)
    const handle = cti.clock.setTimeout(() => undefined, 300_000)
    expect(worker.pendingDelays).toEqual([300_000])
    cti.clock.clearTimeout(handle)
    expect(worker.pendingDelays).toEqual([])
  })

  it('the CRM login is polled on the worker clock every pollingMinutes, and nothing is left after dispose', async () => {
    const { page, worker, timers, advance } = clocks()
    const world = createFakeWorld({ withHelper: false })
    world.http.on('http://crm.test/login', { body: 'SID-1\n' })
    const config = ctiConfig({
      target: 'custom', pollingMinutes: 5, accesses: { auth: { method: 'get-internal', url: 'http://crm.test/login?id={AID}', format: '{SID}' } },
    }, { user: '1001', server: 'wss://pbx.test/ws' })
    // The engine's ports with the browser's wiring of the clock (`browserCtiPorts(…, timers)`).
    const ports = { ...world.ports, clock: { now: () => new Date(worker.now()), setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout } }
    timers.use(worker)
    const engine = createCtiEngine({ config, ports })
    await engine.login({ id: 'agent01', password: 'pw' })
    const logins = () => world.http.requests.filter((r) => r.url.includes('/login')).length
    expect(logins()).toBe(1)
    expect(page.pendingDelays).toEqual([])
    expect(worker.pendingDelays.length).toBe(1)
    advance(5 * 60_000)
    await flush()
    expect(logins()).toBe(2)
    engine.dispose()
    expect(worker.pendingDelays).toEqual([])
  })

  it('the shared phonebook\'s refresh is set on the worker clock, and stop() cancels it', async () => {
    const { page, worker, timers } = clocks()
    timers.use(worker)
    const fake = fakePorts({ clock: timers })
    fake.respond('http://crm.test/shared.csv', '名前,電話番号\r\n山田,0312345678\r\n')
    setupStores(fake.ports)
    const settings = useSettingsStore()
    settings.settings = { ...settings.settings, phonebooks: { shared: 'http://crm.test/shared.csv', account: '', refreshMinutes: 60 } }
    const books = usePhonebooksStore()
    await books.start()
    // The refresh (spread over 80–100 % of the hour) is the worker's; the page's timers have none.
    const refresh = () => worker.pendingDelays.filter((ms) => ms >= 48 * 60_000 && ms <= 60 * 60_000)
    expect(page.pendingDelays).toEqual([])
    expect(refresh()).toHaveLength(1)
    books.stop()
    expect(refresh()).toEqual([])
  })
})
