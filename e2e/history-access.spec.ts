import { runSipp } from '../lab/sipp.mjs'
import { expectStays } from './call-helpers'
import { expect, nextUser, provisionPage, test, type Lab } from './fixtures'

/**
 * The history access (履歴連携, docs/cti-integration.md §8) against the CRM stand-in: each call
 * that ends is sent to the CRM once, with its record, through the outbox — which keeps a record
 * the CRM did not take across a reload and never sends it again after a 2xx.
 */
const RECORD = 'id={ID}&tel={TEL}&dir={DIRECTION}&result={RESULT}&start={START}&answered={ANSWERED}&end={END}&end_s={END|epoch}&answered_s={ANSWERED|epoch}&dur={DURATION}&rec={RECORDED}'

function settings(lab: Lab) {
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      timeoutSeconds: 3,
      accesses: {
        history: { method: 'get-internal', url: `${lab.crm.url}/event/history?${RECORD}` },
        click: { method: 'get', url: `${lab.crm.url}/crm/customer?tel={TEL}&id={ID}` },
      },
    },
  }
}

const historyRequests = (lab: Lab) => lab.crm.requests().filter((r) => r.path === '/event/history')
const ISO_JST = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('the history access reaches the CRM once per call, with the result, local times and duration; Open in CRM from its row', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: settings(lab), contextOptions: { timezoneId: 'Asia/Tokyo' } })

  const answered = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  expect((await answered.done).code).toBe(0)
  const [first] = await lab.crm.waitForRequests((r) => r.path === '/event/history')
  expect(first!.params).toMatchObject({ tel: '0312345678', dir: 'in', result: 'answered', rec: '0' })
  const { start, answered: answeredAt, end, end_s: endEpoch, answered_s: answeredEpoch, dur } = first!.params
  for (const time of [start, answeredAt, end]) expect(time).toMatch(ISO_JST)
  expect(Number(endEpoch)).toBe(Date.parse(end!) / 1000)
  expect(Date.parse(start!)).toBeLessThanOrEqual(Date.parse(answeredAt!))
  // Whole seconds from answer to end (the times are cut to seconds, the duration rounded).
  expect(Math.abs(Number(dur) - (Number(endEpoch) - Number(answeredEpoch)))).toBeLessThanOrEqual(1)
  expect(first!.params.id).toMatch(/^\d{20}$/)

  const missed = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  await expect(page.getByTestId('incoming-popup')).toHaveCount(1)
  await missed.hangUp()
  await expect(page.getByTestId('incoming-popup')).toHaveCount(0)
  expect((await missed.done).code).toBe(0)
  const both = await lab.crm.waitForRequests((r) => r.path === '/event/history', { count: 2 })
  expect(both[1]!.params).toMatchObject({ tel: '0663334444', dir: 'in', result: 'missed', answered: '', answered_s: '', dur: '0', rec: '0' })
  expect(both[1]!.params.id).not.toBe(first!.params.id)

  // Once per call: nothing more arrives, and the history shows both as sent.
  await expectStays(async () => historyRequests(lab).length, 2)
  await page.getByRole('button', { name: /History/ }).click()
  await expect(page.getByTestId('history-delivery')).toHaveCount(2)
  for (const chip of await page.getByTestId('history-delivery').all()) await expect(chip).toHaveAttribute('data-state', 'delivered')

  // "Open in CRM" on the answered call's row opens the CRM's page of that caller, with its {ID}.
  await page.getByTestId('history-row').nth(1).getByTestId('history-open-crm').click()
  const [opened] = await lab.crm.waitForRequests((r) => r.path === '/crm/customer')
  expect(opened!.params).toEqual({ tel: '0312345678', id: first!.params.id })
})

test('a record the CRM did not take survives a reload and is sent once by the next page', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: settings(lab) })
  lab.crm.setBehaviour({ forceStatus: { '/event/history': 503 } })

  const missed = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  await expect(page.getByTestId('incoming-popup')).toHaveCount(1)
  await missed.hangUp()
  expect((await missed.done).code).toBe(0)
  await lab.crm.waitForRequests((r) => r.path === '/event/history')

  await page.getByRole('button', { name: /History/ }).click()
  const row = page.getByTestId('history-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('history-delivery')).toHaveAttribute('data-state', 'pending')
  await expect(row.getByTestId('history-retry')).toBeVisible()
  await page.getByTestId('history-close').click()

  // The page goes away with the record still owed; the CRM is back by the time the next page retries.
  // (The old page may have retried once more, refused too, before it went.)
  await page.reload()
  const refused = historyRequests(lab).length
  lab.crm.setBehaviour({ forceStatus: {} })
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  const sent = await lab.crm.waitForRequests((r) => r.path === '/event/history', { count: refused + 1, timeoutMs: 15_000 })
  expect(new Set(sent.map((r) => `${r.params.result} ${r.params.id}`)).size).toBe(1)
  expect(sent[0]!.params.result).toBe('missed')
  await expectStays(async () => historyRequests(lab).length, refused + 1)
  await page.getByRole('button', { name: /History/ }).click()
  await expect(page.getByTestId('history-row').getByTestId('history-delivery')).toHaveAttribute('data-state', 'delivered')
  await expect(page.getByTestId('history-retry')).toHaveCount(0)
})

test('a tab closed mid-call still gets the call to the CRM: the next page sends its record as it stood', async ({ phones, lab }) => {
  const user = nextUser()
  const options = { user, settings: settings(lab) }
  const { page, context } = await phones(options)
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  // The tab dies once the history holds the answered call (written after the answer's frame).
  await page.getByRole('button', { name: /History/ }).click()
  await expect(page.getByTestId('history-row')).toContainText('answered')
  await page.close()
  await sipp.done
  expect(historyRequests(lab)).toEqual([])

  const again = await context.newPage()
  await provisionPage(again, lab, options)
  const [record] = await lab.crm.waitForRequests((r) => r.path === '/event/history')
  expect(record!.params).toMatchObject({ tel: '0312345678', dir: 'in', result: 'answered', rec: '0' })
  expect(record!.params.end).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/)
  await expectStays(async () => historyRequests(lab).length, 1)
})
