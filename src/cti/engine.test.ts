import { describe, expect, it } from 'vitest'
import type { CallFacts } from './call-parties'
import { readCall } from './call-reading'
import { createCtiEngine, type CallInfo } from './engine'
import { ctiConfig } from './testing/config'
import { createFakeWorld, flush } from './testing/fakes'

const sip = { user: '1001', server: 'wss://pbx.example.com:8089/ws' }
const T0 = Date.parse('2025-04-01T00:30:45Z')
const AGENT = { id: 'agent7', password: 's3cret!' }

/** The integration of the e2e test: auth, search with TEL and SID, ring, answer after 2 s, hang-up if answered. */
const ACCESSES = {
  auth: { method: 'get-internal', url: 'http://crm/login?user={AID}&pw={APW}', format: '{SID}' },
  search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}&sid={SID}&code={CODE1}', format: '{NAME}{COMPANY}' },
  ring: { method: 'get-internal', url: 'http://crm/ring?tel={TEL}&name={NAME}&id={ID}' },
  answer: { method: 'get-internal', url: 'http://crm/answer?id={ID}&at={DATE-HH}{DATE-II}{DATE-SS}', delaySeconds: 2 },
  hangup: { method: 'get-internal', url: 'http://crm/hangup?id={ID}', onlyIfAnswered: true },
  click: { method: 'get', url: 'http://crm/open?tel={TEL}' },
}

function setup(cti: Record<string, unknown> = {}, accesses: Record<string, unknown> = {}) {
  const world = createFakeWorld()
  const config = ctiConfig(
    { target: 'custom', requestIdHeader: 'X-Request-Id', timeoutSeconds: 10, ...cti, accesses: { ...ACCESSES, ...accesses } },
    sip,
  )
  const engine = createCtiEngine({ config, ports: world.ports, log: world.log })
  world.http.on('http://crm/login', { body: 'SID-1\n' })
  world.http.on('http://crm/search', { body: '山田太郎\r\n株式会社テスト\r\n' })
  const updates: CallInfo[] = []
  engine.onUpdate((info) => updates.push(info))
  /** Reads a call as the app does (with the engine's own config) and starts it. */
  const read = (facts: CallFacts) => readCall(facts, config, world.ports)
  const start = (facts: CallFacts) => engine.callStarted(read(facts))
  /** Requests as [ms since T0, URL]. */
  const sent = () => world.http.requests.map((request) => [request.at - T0, request.url] as const)
  const paths = () => world.http.requests.map((request) => request.url.replace(/^https?:\/\/[^/]+/, '').split('?')[0])
  return { ...world, engine, updates, sent, paths, read, start }
}

const call = (extra: Partial<CallFacts> = {}): CallFacts => ({
  callId: 'call-1',
  direction: 'in',
  fromUser: '0312345678#A1#B2',
  displayName: 'Yamada',
  calledUser: '0501234567',
  headers: { 'x-request-id': 'REQ1' },
  ...extra,
})

async function loggedIn(cti: Record<string, unknown> = {}, accesses: Record<string, unknown> = {}) {
  const world = setup(cti, accesses)
  await expect(world.engine.login(AGENT)).resolves.toEqual({ ok: true, values: { SID: 'SID-1' } })
  return world
}

describe('one call, in the order of docs/cti-integration.md §4', () => {
  it('auth at login, search with TEL and SID, ring with its values, answer after its wait, hang-up', async () => {
    const w = await loggedIn()
    const info = w.start(call())
    // the popup never waits: the number is there at once
    expect(info).toMatchObject({ tel: '0312345678', code1: 'A1', code2: 'B2', searchState: 'pending', values: {} })
    await flush()
    expect(w.engine.callInfo('call-1')).toMatchObject({ searchState: 'done', values: { NAME: '山田太郎', COMPANY: '株式会社テスト' } })
    await w.clock.advance(1000)
    w.engine.callAnswered('call-1')
    await w.clock.advance(2000)
    await w.clock.advance(5000)
    w.engine.callEnded('call-1')
    await w.engine.idle()
    expect(w.sent()).toEqual([
      [0, 'http://crm/login?user=agent7&pw=s3cret%21'],
      [0, 'http://crm/search?tel=0312345678&sid=SID-1&code=A1'],
      [0, 'http://crm/ring?tel=0312345678&name=%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E&id=REQ1'],
      // answered at +1 s, wait 2 s; DATE-* is the local (JST) time when it runs: 09:30:48
      [3000, 'http://crm/answer?id=REQ1&at=093048'],
      [8000, 'http://crm/hangup?id=REQ1'],
    ])
  })

  it('a second call reuses the session: no new login', async () => {
    const w = await loggedIn()
    w.start(call())
    w.engine.callEnded('call-1')
    await w.clock.advance(60_000)
    w.start(call({ callId: 'call-2' }))
    await w.engine.idle()
    expect(w.paths().filter((path) => path === '/login')).toHaveLength(1)
    expect(w.paths().filter((path) => path === '/search')).toHaveLength(2)
  })

  it('ring waits for search', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { body: 'Taro\nACME', delayMs: 3000 })
    w.start(call())
    await w.clock.advance(2999)
    expect(w.paths()).toEqual(['/login', '/search'])
    await w.clock.advance(1)
    expect(w.sent().at(-1)).toEqual([3000, 'http://crm/ring?tel=0312345678&name=Taro&id=REQ1'])
  })

  it('without search, ring runs at once', async () => {
    const w = await loggedIn({}, { search: { method: 'none', url: '' } })
    const info = w.start(call())
    expect(info.searchState).toBe('idle')
    await flush()
    expect(w.paths()).toEqual(['/login', '/ring'])
  })

  it('a CRM that never answers is cut at the timeout; ring still runs; the popup keeps the number', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', 'hang')
    w.start(call())
    await w.clock.advance(9999)
    expect(w.paths()).toEqual(['/login', '/search'])
    await w.clock.advance(1)
    expect(w.sent().at(-1)).toEqual([10_000, 'http://crm/ring?tel=0312345678&name=&id=REQ1'])
    expect(w.engine.callInfo('call-1')).toMatchObject({ tel: '0312345678', searchState: 'failed', searchError: 'timeout' })
    expect(w.logs.find((entry) => entry.access === 'search')).toMatchObject({ outcome: 'failed', error: 'timeout', ms: 10_000 })
  })

  it('answer waits for its delay and for search', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { body: 'Taro\nACME', delayMs: 5000 })
    w.start(call())
    w.engine.callAnswered('call-1')
    await w.clock.advance(4999)
    expect(w.paths()).toEqual(['/login', '/search'])
    await w.clock.advance(1)
    expect(w.paths()).toEqual(['/login', '/search', '/ring', '/answer'])
  })

  it('answer is skipped (and logged) when the call ends during its wait; hang-up still runs', async () => {
    const w = await loggedIn()
    w.start(call())
    w.engine.callAnswered('call-1')
    await w.clock.advance(1999)
    w.engine.callEnded('call-1')
    await w.clock.advance(10_000)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring', '/hangup'])
    expect(w.logs.find((entry) => entry.access === 'answer')).toMatchObject({ outcome: 'skipped', skipped: 'ended-during-wait', callId: 'call-1' })
    expect(w.clock.pending).toBe(0)
  })

  it('hang-up waits until the other accesses of the call have finished', async () => {
    const w = await loggedIn({}, { answer: { method: 'get-internal', url: 'http://crm/answer' } })
    w.http.on('http://crm/answer', { delayMs: 4000 })
    w.start(call())
    w.engine.callAnswered('call-1')
    await w.clock.advance(100)
    w.engine.callEnded('call-1')
    await w.clock.advance(3899)
    expect(w.paths()).not.toContain('/hangup')
    await w.clock.advance(1)
    expect(w.sent().at(-1)).toEqual([4000, 'http://crm/hangup?id=REQ1'])
  })

  it.each([
    ['missed call, onlyIfAnswered', true, false, false],
    ['answered call, onlyIfAnswered', true, true, true],
    ['missed call, not onlyIfAnswered', false, false, true],
  ])('hang-up: %s → runs %s', async (_name, onlyIfAnswered, answered, runs) => {
    const w = await loggedIn({}, { hangup: { method: 'get-internal', url: 'http://crm/hangup?id={ID}', onlyIfAnswered } })
    w.start(call())
    if (answered) w.engine.callAnswered('call-1')
    await w.clock.advance(5000)
    w.engine.callEnded('call-1')
    await w.engine.idle()
    expect(w.paths().includes('/hangup')).toBe(runs)
    if (!runs) expect(w.logs.at(-1)).toMatchObject({ access: 'hangup', outcome: 'skipped', skipped: 'not-answered' })
  })
})

describe('exactly once', () => {
  it('duplicate events (re-INVITE, CANCEL race, second report) never run an access twice', async () => {
    const w = await loggedIn({}, { hangup: { method: 'get-internal', url: 'http://crm/hangup' } })
    const first = w.start(call())
    const again = w.start(call({ fromUser: 'anonymous' }))
    expect(again).toEqual(first)
    w.engine.callAnswered('call-1')
    w.engine.callAnswered('call-1')
    await w.clock.advance(2000)
    w.engine.callAnswered('call-1')
    w.engine.callEnded('call-1')
    w.engine.callEnded('call-1')
    w.start(call())
    w.engine.callAnswered('call-1')
    await w.clock.advance(10_000)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring', '/answer', '/hangup'])
  })

  it('answered after the end (CANCEL/200 race) runs no answer access', async () => {
    const w = await loggedIn()
    w.start(call())
    w.engine.callEnded('call-1')
    w.engine.callAnswered('call-1')
    await w.clock.advance(5000)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
    expect(w.engine.callInfo('call-1')).toMatchObject({ answered: false, ended: true })
  })

  it('events for unknown calls are ignored', async () => {
    const w = await loggedIn()
    w.engine.callAnswered('nope')
    w.engine.callEnded('nope')
    w.engine.popupClicked('nope')
    await w.clock.advance(5000)
    expect(w.paths()).toEqual(['/login'])
    expect(w.engine.callInfo('nope')).toBeUndefined()
  })

  it('the click access runs once per click', async () => {
    const w = await loggedIn()
    w.start(call())
    w.engine.popupClicked('call-1')
    w.engine.popupClicked('call-1')
    await w.engine.idle()
    expect(w.tabs.opened).toEqual([
      { url: 'http://crm/open?tel=0312345678', tabName: 'tsunagu-crm' },
      { url: 'http://crm/open?tel=0312345678', tabName: 'tsunagu-crm' },
    ])
  })

  it('a call ID seen before, whose record was pruned, is not started again', async () => {
    const world = createFakeWorld()
    const config = ctiConfig({ target: 'custom', accesses: { ring: { method: 'get-internal', url: 'http://crm/ring' } } }, sip)
    const engine = createCtiEngine({ config, ports: world.ports, keepEndedCalls: 1 })
    for (const id of ['a', 'b', 'c']) {
      engine.callStarted(readCall(call({ callId: id }), config, world.ports))
      engine.callEnded(id)
      await engine.idle()
    }
    expect(engine.callInfo('a')).toBeUndefined()
    engine.callStarted(readCall(call({ callId: 'a' }), config, world.ports))
    await engine.idle()
    expect(world.http.requests).toHaveLength(3)
  })
})

describe('a call read on arrival (callArriving), before the SIP stack made it a call', () => {
  it('the search leaves before callArriving returns and is not sent again by callStarted; ring follows the search', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { body: 'Taro\nACME', delayMs: 100 })
    w.engine.callArriving(w.read(call()))
    expect(w.paths()).toEqual(['/login', '/search'])
    expect(w.updates).toEqual([])
    const info = w.start(call())
    expect(info).toMatchObject({ searchState: 'pending', values: {} })
    await w.clock.advance(100)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
    expect(w.engine.callInfo('call-1')).toMatchObject({ searchState: 'done', values: { NAME: 'Taro', COMPANY: 'ACME' } })
    expect(w.updates.at(-1)).toMatchObject({ searchState: 'done', values: { NAME: 'Taro' } })
  })

  it('a search answered before callStarted: callStarted returns its values, updates start there', async () => {
    const w = await loggedIn()
    w.engine.callArriving(w.read(call()))
    await flush()
    expect(w.updates).toEqual([])
    const info = w.start(call())
    expect(info).toMatchObject({ searchState: 'done', values: { NAME: '山田太郎', COMPANY: '株式会社テスト' } })
    expect(w.updates).toHaveLength(1)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
  })

  it('arriving twice sends one search', async () => {
    const w = await loggedIn()
    w.engine.callArriving(w.read(call()))
    w.engine.callArriving(w.read(call()))
    w.start(call())
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
  })

  it('withdrawn: nothing more runs, no update, no log, nothing kept', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { body: 'Taro', delayMs: 100 })
    w.engine.callArriving(w.read(call()))
    w.engine.callWithdrawn('call-1')
    w.engine.callAnswered('call-1')
    w.engine.callEnded('call-1')
    await w.clock.advance(5000)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search'])
    expect(w.updates).toEqual([])
    expect(w.logs.filter((entry) => entry.access !== 'auth' && entry.access !== 'search')).toEqual([])
    expect(w.engine.callInfo('call-1')).toBeUndefined()
  })

  it('a skipped search is logged once, when the call starts, not on arrival', async () => {
    const w = await loggedIn()
    w.engine.callArriving(w.read(call({ fromUser: 'anonymous' })))
    expect(w.logs.filter((entry) => entry.outcome === 'skipped')).toEqual([])
    w.engine.callWithdrawn('call-1')
    w.engine.callArriving(w.read(call({ callId: 'call-2', fromUser: 'anonymous' })))
    w.start(call({ callId: 'call-2', fromUser: 'anonymous' }))
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login'])
    expect(w.logs.filter((entry) => entry.outcome === 'skipped').map((entry) => [entry.callId, entry.access, entry.skipped])).toEqual([
      ['call-2', 'search', 'anonymous'],
      ['call-2', 'ring', 'anonymous'],
    ])
  })
})

describe('auth during calls', () => {
  it('a 401 from search re-runs auth once and retries search once', async () => {
    const w = await loggedIn()
    let searches = 0
    w.http.on('http://crm/search', () => (++searches === 1 ? { status: 401 } : { body: 'Taro\nACME' }))
    w.http.on('http://crm/login', { body: 'SID-2' })
    w.start(call())
    await w.engine.idle()
    expect(w.sent().map(([, url]) => url)).toEqual([
      'http://crm/login?user=agent7&pw=s3cret%21',
      'http://crm/search?tel=0312345678&sid=SID-1&code=A1',
      'http://crm/login?user=agent7&pw=s3cret%21',
      'http://crm/search?tel=0312345678&sid=SID-2&code=A1',
      'http://crm/ring?tel=0312345678&name=Taro&id=REQ1',
    ])
    expect(w.logs.filter((entry) => entry.access === 'search').map((entry) => [entry.status, entry.attempt])).toEqual([
      [401, undefined],
      [200, 2],
    ])
  })

  it.each([401, 403])('a second %i is not retried again', async (status) => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { status })
    w.start(call())
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/login', '/search', '/ring'])
    expect(w.engine.callInfo('call-1')).toMatchObject({ searchState: 'failed', searchError: 'http-error' })
  })

  it('no retry when the re-auth fails', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { status: 401 })
    w.http.on('http://crm/login', { status: 500 })
    w.start(call())
    await w.engine.idle()
    // ring needs auth too: the failed auth is retried before it (docs/cti-integration.md §1), and
    // fails again
    expect(w.paths()).toEqual(['/login', '/search', '/login', '/login', '/ring'])
    expect(w.engine.authStatus()).toMatchObject({ state: 'failed', reason: 'http-error', status: 500 })
  })

  it('a 500 is not retried', async () => {
    const w = await loggedIn()
    w.http.on('http://crm/search', { status: 500 })
    w.start(call())
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
  })

  it('expired values are re-acquired once for concurrent calls', async () => {
    const w = await loggedIn()
    await w.clock.advance(31 * 60_000)
    w.http.on('http://crm/login', { body: 'SID-2', delayMs: 500 })
    w.start(call({ callId: 'a' }))
    w.start(call({ callId: 'b' }))
    await w.clock.advance(500)
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/login', '/search', '/search', '/ring', '/ring'])
    expect(w.sent().filter(([, url]) => url.includes('/search')).every(([, url]) => url.includes('sid=SID-2'))).toBe(true)
  })

  it('a failed login is retried before the next access that needs it', async () => {
    const w = setup()
    w.http.on('http://crm/login', 'network-error')
    await expect(w.engine.login(AGENT)).resolves.toEqual({ ok: false, reason: 'network' })
    w.http.on('http://crm/login', { body: 'SID-9' })
    w.start(call())
    await w.engine.idle()
    expect(w.sent().map(([, url]) => url)).toEqual([
      'http://crm/login?user=agent7&pw=s3cret%21',
      'http://crm/login?user=agent7&pw=s3cret%21',
      'http://crm/search?tel=0312345678&sid=SID-9&code=A1',
      'http://crm/ring?tel=0312345678&name=%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E&id=REQ1',
    ])
  })

  it('a 2xx login page without the format values is a failed login', async () => {
    const w = setup({}, { auth: { method: 'get-internal', url: 'http://crm/login', format: 'SID={SID}' } })
    w.http.on('http://crm/login', { body: '<html>Login failed</html>' })
    await expect(w.engine.login(AGENT)).resolves.toEqual({ ok: false, reason: 'no-values', status: 200 })
  })

  it('polls every pollingMinutes', async () => {
    const w = await loggedIn({ pollingMinutes: 5 })
    await w.clock.advance(15 * 60_000)
    expect(w.paths()).toEqual(['/login', '/login', '/login', '/login'])
    w.engine.logout()
    await w.clock.advance(15 * 60_000)
    expect(w.paths()).toHaveLength(4)
    expect(w.engine.authStatus()).toEqual({ state: 'logged-out' })
  })

  it('with the random port\'s fraction, polls are spread (here at 90 % of pollingMinutes) and an outage is retried with back-off', async () => {
    const world = createFakeWorld()
    Object.assign(world.random, { fraction: () => 0.5 })
    const config = ctiConfig({ target: 'custom', timeoutSeconds: 10, pollingMinutes: 10, accesses: ACCESSES }, sip)
    const engine = createCtiEngine({ config, ports: world.ports, log: world.log })
    world.http.on('http://crm/login', { body: 'SID-1\n' })
    await engine.login(AGENT)
    await world.clock.advance(9 * 60_000)
    world.http.on('http://crm/login', { status: 503, body: 'down' })
    await world.clock.advance(9 * 60_000 + 11_250 + 22_500)
    const logins = world.http.requests.filter((r) => r.url.startsWith('http://crm/login')).map((r) => r.at - T0)
    expect(logins).toEqual([0, 9 * 60_000, 18 * 60_000, 18 * 60_000 + 11_250, 18 * 60_000 + 33_750])
    engine.dispose()
  })

  it('an access that needs no auth values does not wait for auth', async () => {
    const w = await loggedIn({}, { search: { method: 'none', url: '' }, ring: { method: 'get', url: 'https://www.google.com/search?q={TEL}' } })
    await w.clock.advance(31 * 60_000)
    w.start(call())
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login'])
    expect(w.tabs.opened).toHaveLength(1)
  })

  it('before login, accesses run without auth values and no auth is attempted', async () => {
    const w = setup()
    w.start(call())
    await w.engine.idle()
    expect(w.sent().map(([, url]) => url)).toEqual([
      'http://crm/search?tel=0312345678&sid=&code=A1',
      'http://crm/ring?tel=0312345678&name=%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E&id=REQ1',
    ])
  })

  it('reports auth status changes', async () => {
    const w = setup()
    const states: string[] = []
    w.engine.onAuthChange((status) => states.push(status.state))
    await w.engine.login(AGENT)
    await w.engine.login({ id: 'agent8', password: 'x' })
    w.engine.logout()
    expect(states).toEqual(['pending', 'ok', 'pending', 'ok', 'logged-out'])
  })
})

describe('unusual calls (docs/cti-integration.md §9)', () => {
  it('anonymous: popup, search and ring skipped (logged), answer and hang-up run', async () => {
    const w = await loggedIn({}, { hangup: { method: 'get-internal', url: 'http://crm/hangup' } })
    const info = w.start(call({ fromUser: 'anonymous', displayName: 'Anonymous' }))
    expect(info).toMatchObject({ tel: '', anonymous: true, searchState: 'skipped' })
    w.engine.callAnswered('call-1')
    await w.clock.advance(2000)
    w.engine.callEnded('call-1')
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/answer', '/hangup'])
    expect(w.logs.filter((entry) => entry.outcome === 'skipped').map((entry) => [entry.access, entry.skipped])).toEqual([
      ['search', 'anonymous'],
      ['ring', 'anonymous'],
    ])
  })

  it.each([
    ['untargeted', { targetNumbers: ['0399999999'] }, call(), false, 'untargeted'],
    ['from 9999', {}, call({ fromUser: '9999' }), false, 'system-number'],
    ['internal with skipInternal', {}, call({ fromUser: '1002' }), true, 'internal'],
    ['target none', { target: 'none' }, call(), true, 'integration-off'],
  ])('%s: no access at all', async (_name, cti, facts, showPopup, noAccess) => {
    const w = setup(cti)
    await w.engine.login(AGENT)
    expect(w.read(facts).popup).toBe(showPopup)
    const info = w.start(facts)
    expect(info).toMatchObject({ noAccess })
    w.engine.popupClicked('call-1')
    w.engine.callAnswered('call-1')
    await w.clock.advance(3000)
    w.engine.callEnded('call-1')
    await w.engine.idle()
    expect(w.paths().filter((path) => path !== '/login')).toEqual([])
    expect(w.tabs.opened).toEqual([])
  })

  it('targeted by the called number, compared by digits', async () => {
    const w = await loggedIn({ targetNumbers: ['050-123-4567'], numbers: ['050-123-4567'] })
    expect(w.read(call()).popup).toBe(true)
    w.start(call())
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
  })

  it('outgoing calls run accesses only with cti.outgoing, and never pop up', async () => {
    const out = call({ direction: 'out', fromUser: '1001', calledUser: '0312345678', headers: {} })
    const off = await loggedIn()
    expect(off.read(out).popup).toBe(false)
    expect(off.start(out)).toMatchObject({ noAccess: 'outgoing-off' })
    await off.engine.idle()
    expect(off.paths()).toEqual(['/login'])

    const on = await loggedIn({ outgoing: true })
    expect(on.start(out)).toMatchObject({ tel: '1001', called: '0312345678' })
    on.engine.callAnswered('call-1')
    await on.clock.advance(2000)
    on.engine.callEnded('call-1')
    await on.engine.idle()
    expect(on.paths()).toEqual(['/login', '/search', '/ring', '/answer', '/hangup'])
    // {TEL} is our extension for an outgoing call
    expect(on.sent()[1]?.[1]).toBe('http://crm/search?tel=1001&sid=SID-1&code=')
  })
})

describe('the UI view of a call', () => {
  it('publishes a snapshot on every change', async () => {
    const w = await loggedIn()
    w.start(call())
    await flush()
    w.engine.callAnswered('call-1')
    w.engine.callEnded('call-1')
    await w.engine.idle()
    expect(w.updates.map((info) => [info.searchState, info.answered, info.ended, info.values.NAME ?? ''])).toEqual([
      ['pending', false, false, ''],
      ['done', false, false, '山田太郎'],
      ['done', true, false, '山田太郎'],
      ['done', true, true, '山田太郎'],
    ])
  })

  it('offers a blocked CRM tab as a link', async () => {
    const w = await loggedIn({}, { ring: { method: 'get', url: 'https://crm/customer?tel={TEL}' } })
    w.tabs.blocked = true
    w.start(call())
    await w.engine.idle()
    expect(w.engine.callInfo('call-1')?.blockedUrl).toBe('https://crm/customer?tel=0312345678')
  })

  it('uses 20 random digits as {ID} without a request-ID header, the same for every access', async () => {
    const w = await loggedIn({}, { hangup: { method: 'get-internal', url: 'http://crm/hangup?id={ID}' } })
    w.start(call({ headers: {} }))
    w.engine.callEnded('call-1')
    await w.engine.idle()
    const ids = w.sent().flatMap(([, url]) => [...url.matchAll(/id=(\d+)/g)].map((match) => match[1]))
    expect(ids).toEqual(['01234567890123456789', '01234567890123456789'])
  })

  it('contains listener and logger exceptions', async () => {
    const world = createFakeWorld()
    const config = ctiConfig({ target: 'custom', accesses: { ring: { method: 'get-internal', url: 'http://crm/ring' } } }, sip)
    const engine = createCtiEngine({
      config,
      ports: world.ports,
      log: () => {
        throw new Error('log panel bug')
      },
    })
    engine.onUpdate(() => {
      throw new Error('UI bug')
    })
    expect(() => engine.callStarted(readCall(call(), config, world.ports))).not.toThrow()
    await engine.idle()
    expect(world.http.requests).toHaveLength(1)
  })
})

describe('masking in the CTI log', () => {
  it('never shows the agent password', async () => {
    const w = await loggedIn({}, { ring: { method: 'post-internal', url: 'http://crm/ring?pw={APW}&tel={TEL}' } })
    w.start(call())
    await w.engine.idle()
    expect(w.logs.find((entry) => entry.access === 'auth')?.url).toBe('http://crm/login?user=agent7&pw=***')
    expect(w.logs.find((entry) => entry.access === 'ring')?.body).toBe('pw=***&tel=0312345678')
    expect(JSON.stringify(w.logs)).not.toContain('s3cret')
  })

  it('treats every auth value as a secret: {SID} is masked in the auth entry and every later access', async () => {
    // The search sends the session under a key that does not look secret ("s"), so only the value rule can catch it.
    const w = await loggedIn({}, { search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}&s={SID}', format: '{NAME}' } })
    w.start(call())
    await w.engine.idle()
    expect(w.logs.find((entry) => entry.access === 'auth')?.values).toEqual({ SID: '***' })
    expect(w.logs.find((entry) => entry.access === 'search')?.url).toBe('http://crm/search?tel=0312345678&s=***')
    expect(JSON.stringify(w.logs)).not.toContain('SID-1')
  })

  it('logs auth values IT declared public in clear', async () => {
    const w = await loggedIn({}, {
      auth: { ...ACCESSES.auth, publicVariables: ['SID'] },
      search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}&s={SID}', format: '{NAME}' },
    })
    w.start(call())
    await w.engine.idle()
    expect(w.logs.find((entry) => entry.access === 'auth')?.values).toEqual({ SID: 'SID-1' })
    expect(w.logs.find((entry) => entry.access === 'search')?.url).toBe('http://crm/search?tel=0312345678&s=SID-1')
  })

  it('shows a blocked tab masked, but links the real URL', async () => {
    const w = await loggedIn({}, { ring: { method: 'get', url: 'https://crm/customer?tel={TEL}&pw={APW}&sid={SID}' } })
    w.tabs.blocked = true
    w.start(call())
    await w.engine.idle()
    expect(w.engine.callInfo('call-1')).toMatchObject({
      blockedUrl: 'https://crm/customer?tel=0312345678&pw=s3cret%21&sid=SID-1',
      blockedLabel: 'https://crm/customer?tel=0312345678&pw=***&sid=***',
    })
  })
})

describe('dispose', () => {
  it('stops timers, abandons requests and runs nothing more', async () => {
    const w = await loggedIn({ pollingMinutes: 5 })
    w.http.on('http://crm/search', 'hang')
    w.start(call())
    w.engine.callAnswered('call-1')
    await flush()
    w.engine.dispose()
    await w.engine.idle()
    expect(w.clock.pending).toBe(0)
    w.engine.callEnded('call-1')
    w.start(call({ callId: 'call-2' }))
    await w.clock.advance(60 * 60_000)
    expect(w.paths()).toEqual(['/login', '/search'])
    expect(w.logs.find((entry) => entry.access === 'search')).toMatchObject({ outcome: 'failed', error: 'aborted' })
  })
})

describe('the search starts in the same task as the ring', () => {
  // Any await before the request would put it behind the popup's first render (a microtask
  // the UI queued when the call appeared): the CRM's answer would come that much later.
  it('with fresh auth values, the request is sent before callStarted returns', async () => {
    const w = await loggedIn()
    w.http.requests.length = 0
    w.start(call())
    expect(w.paths()).toEqual(['/search'])
  })

  it('without auth configured, too', () => {
    const w = setup({}, { auth: { method: 'none', url: '' }, search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}' } })
    w.start(call())
    expect(w.paths()).toEqual(['/search'])
  })

  it('wake (resume, online) after the values expired: auth runs at once, before any call', async () => {
    const w = await loggedIn({ sessionKeepMinutes: 1 })
    await w.clock.advance(61_000)
    w.http.requests.length = 0
    w.engine.wake()
    await flush()
    expect(w.paths()).toEqual(['/login'])
    expect(w.engine.authStatus().state).toBe('ok')
  })

  it('wake with fresh values runs nothing', async () => {
    const w = await loggedIn({ sessionKeepMinutes: 30 })
    w.http.requests.length = 0
    w.engine.wake()
    await flush()
    expect(w.paths()).toEqual([])
  })

  it('with expired auth values, auth runs first and then the search', async () => {
    const w = await loggedIn({ sessionKeepMinutes: 1 })
    await w.clock.advance(61_000)
    w.http.requests.length = 0
    w.start(call())
    await flush()
    expect(w.paths()).toEqual(['/login', '/search', '/ring'])
  })
})

describe('a call resumed on a new page (issue 12)', () => {
  it('runs no search, ring or answer again; its hang-up runs once at the end, with the same {ID} and the CRM values kept', async () => {
    const w = await loggedIn()
    const reading = w.read(call())
    const info = w.engine.callResumed(reading, { answered: true, values: { NAME: '山田太郎', COMPANY: '株式会社テスト' } })
    expect(info).toMatchObject({ requestId: 'REQ1', answered: true, searchState: 'done', values: { NAME: '山田太郎' } })
    w.engine.callAnswered('call-1')
    w.engine.callResumed(reading, { answered: true, values: {} })
    await w.clock.advance(5000)
    await flush()
    expect(w.paths()).toEqual(['/login'])
    w.engine.callEnded('call-1')
    w.engine.callEnded('call-1')
    await flush()
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/hangup'])
    expect(w.sent().at(-1)?.[1]).toBe('http://crm/hangup?id=REQ1')
  })

  it('a call resumed before it was answered runs its answer access when answered here', async () => {
    const w = await loggedIn()
    w.engine.callResumed(w.read(call()), { answered: false, values: {} })
    w.engine.callAnswered('call-1')
    await w.clock.advance(2000)
    await flush()
    await w.engine.idle()
    expect(w.paths()).toEqual(['/login', '/answer'])
  })
})
