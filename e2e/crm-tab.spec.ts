import type { BrowserContext } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { withInitScripts } from './call-helpers'
import { expect, nextUser, test, type Lab } from './fixtures'

/**
 * `get` accesses open the CRM in one named tab that is reused call after call, never the
 * phone's own tab; when the browser refuses the pop-up the agent gets a link instead.
 */
function crmTabSettings(lab: Lab) {
  const crm = lab.crm.url
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      tabName: 'crm-window',
      accesses: {
        auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
        ring: { method: 'get', url: `${crm}/crm/customer?tel={TEL}` },
        answer: { method: 'get', url: `${crm}/crm/customer?tel={TEL}&answered=1` },
      },
    },
  }
}

/** Pages of the context other than the phone: the CRM tab(s). */
function crmPages(context: BrowserContext, phoneUrl: string) {
  return context.pages().filter((p) => p.url() !== phoneUrl)
}

test('ring and answer accesses open one named CRM tab, reused for a second call; the phone stays put', async ({ phones, lab }) => {
  const user = nextUser()
  const { page, context } = await phones({ user, settings: crmTabSettings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const phoneUrl = page.url()

  for (const [tel, name] of [['0312345678', '山田 太郎'], ['0663334444', '佐藤 花子']] as const) {
    const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: `${tel}#A1`, fromName: 'Caller' })
    // Ring: the CRM tab shows the caller.
    await expect.poll(() => crmPages(context, phoneUrl).map((p) => p.url())).toEqual([`${lab.crm.url}/crm/customer?tel=${tel}`])
    await expect(crmPages(context, phoneUrl)[0]!.locator('#customer-name')).toHaveText(name)
    // Answer: the same tab moves on, no second one.
    await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
    await expect.poll(() => crmPages(context, phoneUrl).map((p) => p.url())).toEqual([`${lab.crm.url}/crm/customer?tel=${tel}&answered=1`])
    await page.getByTestId('call-hangup').click()
    expect((await sipp.done).code).toBe(0)
  }
  expect(context.pages()).toHaveLength(2)
  expect(page.url()).toBe(phoneUrl)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
})

test('a blocked pop-up shows a banner with a working link to the same page and a hint for IT', async ({ phones, lab }) => {
  const user = nextUser()
  const { page, context } = await phones({ user, settings: crmTabSettings(lab) })
  // Headless Chromium never blocks pop-ups (lab notes): make window.open fail as a blocker does.
  await withInitScripts(page, 'window.open = () => null')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  const sipp = await runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  const banner = page.getByTestId('blocked-tab')
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('PopupsAllowedForUrls')
  const link = banner.getByTestId('blocked-tab-link')
  await expect(link).toHaveAttribute('href', `${lab.crm.url}/crm/customer?tel=0312345678`)
  expect(context.pages()).toHaveLength(1)

  const [crmPage] = await Promise.all([context.waitForEvent('page'), link.click()])
  await expect(crmPage).toHaveURL(`${lab.crm.url}/crm/customer?tel=0312345678`)
  await expect(crmPage.locator('#customer-name')).toHaveText('山田 太郎')
  // Opening it dismisses the banner.
  await expect(banner).toHaveCount(0)
  await page.getByTestId('call-decline').click()
  expect((await sipp.done).code).toBe(0)
})

test('a post access submits a UTF-8 form into the same CRM tab, each query pair a field', async ({ phones, lab }) => {
  const user = nextUser()
  const settings = crmTabSettings(lab)
  settings.cti.accesses.ring = { method: 'post', url: `${lab.crm.url}/crm/customer?tel={TEL}&name={TELNAME}&flag` }
  const { page, context } = await phones({ user, settings })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const phoneUrl = page.url()
  lab.crm.clear()
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1', fromName: 'Yamada & 山田' })
  const [form] = await lab.crm.waitForRequests((r) => r.method === 'POST' && r.path === '/crm/customer')
  // The browser encodes the form itself (spaces as +): the fields are what matter.
  expect(form!.query).toBe('')
  expect(new URLSearchParams(form!.body)).toEqual(new URLSearchParams({ tel: '0312345678', name: 'Yamada & 山田', flag: '' }))
  expect(form!.headers['content-type']).toBe('application/x-www-form-urlencoded')
  await expect.poll(() => crmPages(context, phoneUrl).length).toBe(1)
  expect(page.url()).toBe(phoneUrl)
  await sipp.hangUp()
  expect((await sipp.done).code).toBe(0)
})
