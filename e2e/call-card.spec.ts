import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * The call card keeps what the CRM said for the whole call (the popup closes at answer), and
 * "open in CRM" runs the click access again from the card.
 */
test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('the call card shows the CRM name and company after the popup closed, and opens the CRM again', async ({ phones, lab }) => {
  const user = nextUser()
  const crm = lab.crm.url
  const { page, context } = await phones({
    user,
    settings: {
      agent: { id: 'agent01', password: 'pass01' },
      cti: {
        target: 'custom',
        accesses: {
          search: { method: 'get-internal', url: `${crm}/search?tel={TEL}`, format: '{NAME}{CRLF}{COMPANY}' },
          click: { method: 'get', url: `${crm}/crm/customer?tel={TEL}` },
        },
      },
    },
  })
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1', fromName: 'Yamada' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-company')).toHaveText('株式会社つなぐ商事')
  await popup.getByTestId('popup-answer').click()
  await expect(popup).toHaveCount(0)

  const card = page.getByTestId('call')
  await expect(card).toHaveAttribute('data-state', 'active')
  await expect(card.getByTestId('call-crm-name')).toHaveText('山田 太郎')
  await expect(card.getByTestId('call-crm-company')).toHaveText('株式会社つなぐ商事')
  await expect(card).toContainText('0312345678')

  const crmTab = context.waitForEvent('page')
  await card.getByTestId('call-open-crm').click()
  const tab = await crmTab
  await expect(tab.locator('#customer-name')).toHaveText('山田 太郎')
  expect(lab.crm.requests().filter((r) => r.path === '/crm/customer').map((r) => r.query)).toEqual(['tel=0312345678'])

  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  expect((await sipp.done).code).toBe(0)
})
