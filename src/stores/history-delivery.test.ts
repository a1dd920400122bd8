import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flush } from '@/cti/testing/fakes'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { useHistoryViewStore } from './history-view'
import { historyDeliveryId, useOutboxStore } from './outbox'
import { useSessionStore } from './session'

/**
 * The `history` access (履歴連携, docs/cti-integration.md §8) end to end in the stores: a call
 * that ends is owed one record to the CRM, delivered through the outbox (retried with back-off,
 * never again after a 2xx, resumed after a reload).
 */
const CRM = 'http://crm.test'
const CONFIG_URL = `${CRM}/provision/agent.json`
const HISTORY = `${CRM}/history?id={ID}&dir={DIRECTION}&result={RESULT}&start={START}&answered={ANSWERED}&end={END}&end_s={END|epoch}&dur={DURATION}&rec={RECORDED}&name={NAME}`

function provisioning(history: Record<string, unknown> = { method: 'get-internal', url: HISTORY }) {
  return {
    version: 1,
    sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' },
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      accesses: {
        search: { method: 'get-internal', url: `${CRM}/search?tel={TEL}`, format: '{NAME}{CRLF}{COMPANY}' },
        history,
      },
    },
  }
}

type Fake = ReturnType<typeof fakePorts>

/** A page load: the same browser (its outbox) when `after` is the previous page. */
async function start(doc: unknown, options: { after?: Fake; history?: (n: number) => number } = {}) {
  const fake = fakePorts({
    location: { href: `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}` },
    ...(options.after ? { outbox: options.after.ports.outbox, history: options.after.ports.history } : {}),
  })
  fake.respond(CONFIG_URL, doc)
  fake.deploy({ provisioning: { origins: [CRM] } })
  fake.world.http.on(`${CRM}/search`, { body: '山田 太郎\r\n株式会社つなぐ商事\r\n', headers: { 'content-type': 'text/plain; charset=utf-8' } })
  let sent = 0
  const status = options.history ?? (() => 200)
  fake.world.http.on(`${CRM}/history`, () => ({ status: status(++sent) }))
  setupStores(fake.ports)
  const softphone = new FakeSoftphone()
  await useSessionStore().start(async () => softphone)
  await flush()
  const historyRequests = () => fake.world.http.urls.filter((url) => url.startsWith(`${CRM}/history`))
  return { fake, softphone, historyRequests }
}

const params = (url: string) => Object.fromEntries(new URL(url).searchParams)
/** The outbox's states of the entries, as this page knows them. */
const entries = async () => (await useOutboxStore().use()).entries()

describe('the history access: one record per call, through the outbox', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date('2025-04-01T00:30:00Z') }))
  afterEach(() => vi.useRealTimers())

  it('an answered call reaches the CRM once after it ended, with its result, times (local, with offset) and the search\'s values', async () => {
    const { softphone, historyRequests } = await start(provisioning())
    const call = softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    vi.setSystemTime(new Date('2025-04-01T00:30:05Z'))
    await useCallsStore().answer(call.id)
    await flush()
    expect(historyRequests()).toEqual([])
    vi.setSystemTime(new Date('2025-04-01T00:31:10Z'))
    await useCallsStore().hangup(call.id)
    await flush()
    await (await useOutboxStore().use()).settled()
    expect(historyRequests()).toHaveLength(1)
    // The fake clock's local time is JST (+09:00).
    expect(params(historyRequests()[0]!)).toEqual({
      id: '01234567890123456789',
      dir: 'in',
      result: 'answered',
      start: '2025-04-01T09:30:00+09:00',
      answered: '2025-04-01T09:30:05+09:00',
      end: '2025-04-01T09:31:10+09:00',
      end_s: String(Date.parse('2025-04-01T00:31:10Z') / 1000),
      dur: '65',
      rec: '0',
      name: '山田 太郎',
    })
    expect((await entries())[historyDeliveryId(call.id)]).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 })
  })

  it('a missed call is recorded as missed, with an empty answer time and no duration', async () => {
    const { softphone, historyRequests } = await start(provisioning())
    const call = softphone.ring({ remoteUser: '0663334444', headers: {} })
    await flush()
    softphone.remoteHangup(call.id, 'cancelled')
    await flush()
    await (await useOutboxStore().use()).settled()
    expect(historyRequests().map(params)).toMatchObject([{ dir: 'in', result: 'missed', answered: '', dur: '0' }])
  })

  it('runs for a call whose CTI ran no other access; not for an internal call (skipInternal), which the CTI log says', async () => {
    const { softphone, historyRequests } = await start({ ...provisioning(), cti: { target: 'custom', accesses: { history: { method: 'get-internal', url: HISTORY } } } })
    const external = softphone.ring({ remoteUser: '0312345678', headers: {} })
    const internal = softphone.ring({ remoteUser: '2001', headers: {} })
    await flush()
    softphone.remoteHangup(external.id, 'cancelled')
    softphone.remoteHangup(internal.id, 'cancelled')
    await flush()
    await (await useOutboxStore().use()).settled()
    expect(historyRequests()).toHaveLength(1)
    expect(useCtiStore().log).toContainEqual(expect.objectContaining({ callId: internal.id, access: 'history', outcome: 'skipped', skipped: 'internal' }))
  })

  it('a call refused by do-not-disturb owes the CRM nothing (docs/cti-integration.md §9)', async () => {
    const { softphone, historyRequests } = await start(provisioning())
    softphone.setDoNotDisturb(true)
    softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    await (await useOutboxStore().use()).settled()
    expect(historyRequests()).toEqual([])
    expect(await entries()).toEqual({})
  })

  it('a CRM that fails is retried with back-off and never sent the record again after its 2xx', async () => {
    const { fake, softphone, historyRequests } = await start(provisioning(), { history: (n) => (n <= 2 ? 503 : 200) })
    const call = softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    softphone.remoteHangup(call.id, 'cancelled')
    await flush()
    await (await useOutboxStore().use()).settled()
    const id = historyDeliveryId(call.id)
    expect((await entries())[id]).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 503 })
    // Back-off with the jitter at its middle: 3.75 s after the first failure, 7.5 s after the second.
    await fake.world.clock.advance(3_700)
    expect(historyRequests()).toHaveLength(1)
    await fake.world.clock.advance(100)
    expect(historyRequests()).toHaveLength(2)
    await fake.world.clock.advance(7_500)
    await (await useOutboxStore().use()).settled()
    expect(historyRequests()).toHaveLength(3)
    expect((await entries())[id]).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 })
    await fake.world.clock.advance(3_600_000)
    expect(historyRequests()).toHaveLength(3)
  })

  it('a record still owed when the page reloads is sent by the next page, once', async () => {
    const first = await start(provisioning(), { history: () => 503 })
    const call = first.softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    first.softphone.remoteHangup(call.id, 'cancelled')
    await flush()
    await (await useOutboxStore().use()).settled()
    expect(first.historyRequests()).toHaveLength(1)
    first.fake.leavePage()

    const again = await start(provisioning(), { after: first.fake })
    await again.fake.world.clock.advance(5_000)
    await (await useOutboxStore().use()).settled()
    expect(again.historyRequests().map(params)).toMatchObject([{ result: 'missed', id: '01234567890123456789' }])
    await (await useOutboxStore().use()).load([historyDeliveryId(call.id)])
    expect((await entries())[historyDeliveryId(call.id)]).toMatchObject({ state: 'delivered', attempts: 2 })
    await again.fake.world.clock.advance(3_600_000)
    expect(again.historyRequests()).toHaveLength(1)
  })

  it('the agent\'s "retry now" sends a record the CRM refused for good', async () => {
    const { softphone, historyRequests } = await start(provisioning(), { history: (n) => (n === 1 ? 400 : 200) })
    const call = softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    softphone.remoteHangup(call.id, 'cancelled')
    await flush()
    const outbox = await useOutboxStore().use()
    await outbox.settled()
    const id = historyDeliveryId(call.id)
    expect((await entries())[id]).toMatchObject({ state: 'failed-permanent', lastStatus: 400 })
    await outbox.retryNow(id)
    await outbox.settled()
    expect(historyRequests()).toHaveLength(2)
    expect((await entries())[id]).toMatchObject({ state: 'delivered' })
  })

  it('"open in CRM" on a history row runs the click access with that past call\'s number and {ID}, also after a reload', async () => {
    const doc = { ...provisioning(), cti: { target: 'custom', accesses: { click: { method: 'get', url: `${CRM}/crm/customer?tel={TEL}&id={ID}&name={NAME}` } } } }
    const first = await start(doc)
    const call = first.softphone.ring({ remoteUser: '0312345678#A1', headers: {} })
    await flush()
    first.softphone.remoteHangup(call.id, 'cancelled')
    await useHistoryStore().settled()
    first.fake.leavePage()
    const again = await start(doc, { after: first.fake })
    const view = useHistoryViewStore()
    // The same browser's history: the first page's row.
    const history = await first.fake.ports.history.open()
    const [row] = (await history.page({ limit: 1 })).rows
    history.close()
    expect(view.canOpenInCrm).toBe(true)
    await view.openInCrm({ ...row!, values: { NAME: '山田 太郎' } })
    expect(again.fake.world.tabs.opened.map((t) => t.url)).toEqual([`${CRM}/crm/customer?tel=0312345678&id=01234567890123456789&name=${encodeURIComponent('山田 太郎')}`])
  })

  it('a call cut off by a page that went away mid-call is owed too: the next page sends it as it stood', async () => {
    const first = await start(provisioning())
    const call = first.softphone.ring({ remoteUser: '0312345678', headers: {} })
    await flush()
    vi.setSystemTime(new Date('2025-04-01T00:30:05Z'))
    await useCallsStore().answer(call.id)
    await useHistoryStore().settled()
    // The tab dies talking: no end, no history access.
    expect(first.historyRequests()).toEqual([])

    const second = await start(provisioning(), { after: first.fake })
    await vi.waitFor(() => expect(second.historyRequests()).toHaveLength(1))
    expect(second.historyRequests().map(params)).toMatchObject([{
      id: '01234567890123456789', dir: 'in', result: 'answered', start: '2025-04-01T09:30:00+09:00', answered: '2025-04-01T09:30:05+09:00', end: '2025-04-01T09:30:05+09:00', dur: '0',
    }])
    second.fake.leavePage()
    const third = await start(provisioning(), { after: second.fake })
    await third.fake.world.clock.advance(60_000)
    await (await useOutboxStore().use()).settled()
    expect(third.historyRequests()).toEqual([])
  })
})
