import { runSipp } from '../lab/sipp.mjs'
import { historyRows } from './call-events'
import { expect, nextUser, provisionPage, test, type Phone } from './fixtures'

/**
 * The call history (IndexedDB, per browser): each call leaves a row with the other party's
 * number, its name and the result word, written at every state change, so it survives a reload
 * and a tab closed in the middle of a call.
 */
async function openHistory(page: Phone['page'], name: RegExp = /History/) {
  await page.getByRole('button', { name }).click()
  await expect(page.getByTestId('history')).toBeVisible()
  return page.getByTestId('history-row')
}


test('an answered and a missed call appear with their results, and survive a reload', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })

  const answered = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  expect((await answered.done).code).toBe(0)

  const missed = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  await expect(page.getByTestId('incoming-popup')).toHaveCount(1)
  await missed.hangUp()
  await expect(page.getByTestId('incoming-popup')).toHaveCount(0)
  await expect(page.getByTestId('idle')).toBeVisible()
  expect((await missed.done).code).toBe(0)

  // The missed call is counted on the History button until the history is seen.
  await expect(page.getByRole('button', { name: /History \(1 missed\)/ })).toBeVisible()

  const check = async () => {
    const rows = await openHistory(page)
    await expect(rows).toHaveCount(2)
    // Newest first.
    await expect(rows.nth(0)).toContainText('0663334444')
    await expect(rows.nth(0)).toContainText('Sato')
    await expect(rows.nth(0)).toContainText('missed')
    await expect(rows.nth(1)).toContainText('0312345678')
    await expect(rows.nth(1)).toContainText('Yamada')
    await expect(rows.nth(1)).toContainText('answered')
    await expect(rows.getByTestId('history-cut-off')).toHaveCount(0)
  }
  await check()
  await page.getByTestId('history-close').click()
  await expect(page.getByRole('button', { name: /^History$/ })).toBeVisible()

  await page.reload()
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  // Seen before the reload: no badge now.
  await expect(page.getByRole('button', { name: /^History$/ })).toBeVisible()
  await check()

  // Search by the number in another spelling finds the one call.
  await page.getByTestId('history-search').locator('input').fill('+81 3-1234-5678')
  await expect(page.getByTestId('history-row')).toHaveCount(1)
  await expect(page.getByTestId('history-row')).toContainText('Yamada')
})

test('a tab closed mid-call leaves a history row, found when the phone is opened again', async ({ phones, lab }) => {
  const user = nextUser()
  const options = { user, settings: { ui: { language: 'ja' } } }
  const { page, context } = await phones(options)
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  // The tab dies once the browser's IndexedDB holds the answered call (written after the answer's frame).
  await expect.poll(() => page.evaluate(historyRows).then((rows) => rows.map((r) => r.result))).toEqual(['answered'])
  await page.close()
  await sipp.done

  const again = await context.newPage()
  await provisionPage(again, lab, options)
  const rows = await openHistory(again, /履歴/)
  await expect(rows).toHaveCount(1)
  await expect(rows).toContainText('0312345678')
  await expect(rows).toContainText('Yamada')
  await expect(rows).toContainText('応答')
})

test('a call refused by do-not-disturb leaves a rejected row', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  await page.getByTestId('dnd-toggle').click()
  await expect(page.getByTestId('dnd-active')).toBeVisible()
  const sipp = await runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
  expect(result.messages).toMatch(/SIP\/2\.0 486/)
  await expect(page.getByTestId('incoming-popup')).toHaveCount(0)
  // Not a missed call: no badge.
  await expect(page.getByRole('button', { name: /^History$/ })).toBeVisible()
  const rows = await openHistory(page)
  await expect(rows).toHaveCount(1)
  await expect(rows).toContainText('0312345678')
  await expect(rows).toContainText('Yamada')
  await expect(rows).toContainText('rejected')
  await expect(rows).toHaveAttribute('data-result', 'rejected')
})
