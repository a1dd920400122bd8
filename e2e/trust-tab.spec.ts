import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { withInitScripts } from './call-helpers'
import { expect, nextUser, test, type Lab } from './fixtures'

/**
 * Reverse tabnabbing (issue 9, finding 3): whatever page the CRM tab shows — the CRM, or a site
 * reached from it — tries to replace the phone with a look-alike through `window.opener`. The
 * attacker here is a page on another site (`localhost` against the phone's `127.0.0.1`) that, as
 * soon as it loads, sets `opener.location`, `opener.top.location`, `opener.parent.location` and
 * calls `opener.location.replace`, then writes what happened into the page.
 */

interface Attacker {
  url: string
  stop(): Promise<void>
}

const ATTEMPTS = `
  const target = 'PHISH'
  const attempts = {
    'opener.location': (o) => { o.location = target },
    'opener.location.href': (o) => { o.location.href = target },
    'opener.location.replace': (o) => { o.location.replace(target) },
    'opener.top.location': (o) => { o.top.location = target },
    'opener.parent.location': (o) => { o.parent.location = target },
  }
  const results = {}
  for (const [name, attempt] of Object.entries(attempts)) {
    if (!window.opener) { results[name] = 'no-opener'; continue }
    try { attempt(window.opener); results[name] = 'navigated' } catch (error) { results[name] = error.name }
  }
  document.getElementById('results').textContent = JSON.stringify(results)
`

async function startAttacker(): Promise<Attacker> {
  let base = ''
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    if (path === '/phished') {
      res.end('<!doctype html><title>Tsunagu</title><h1 id="phished">Log in again</h1>')
      return
    }
    res.end(`<!doctype html><title>CRM</title><pre id="results"></pre><script>${ATTEMPTS.replace('PHISH', `${base}/phished`)}</script>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://localhost:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

function settings(attacker: Attacker) {
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      tabName: 'crm-window',
      accesses: { ring: { method: 'get', url: `${attacker.url}/crm/customer?tel={TEL}` } },
    },
  }
}

/** Pages of the context other than the phone. */
const otherPages = (context: BrowserContext, phone: Page) => context.pages().filter((p) => p !== phone)

async function ringAndDecline(page: Page, lab: Lab, user: string, tel: string) {
  const sipp = await runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to: user, fromUser: tel, fromName: 'Caller' })
  await expect(page.getByTestId('incoming-popup')).toBeVisible()
  return async () => {
    await page.getByTestId('call-decline').click()
    expect((await sipp.done).code).toBe(0)
  }
}

async function attemptsIn(page: Page): Promise<Record<string, string>> {
  await expect(page.locator('#results')).not.toBeEmpty()
  return JSON.parse((await page.locator('#results').textContent()) ?? '{}') as Record<string, string>
}

let attacker: Attacker
test.beforeAll(async () => {
  attacker = await startAttacker()
})
test.afterAll(async () => {
  await attacker.stop()
})

test('a page in the CRM tab cannot navigate the phone through its opener; the one tab is reused and the phone still rings', async ({ phones, lab }) => {
  const user = nextUser()
  const { page, context } = await phones({ user, settings: settings(attacker) })
  const phoneUrl = page.url()

  const decline = await ringAndDecline(page, lab, user, '0312345678')
  await expect.poll(() => otherPages(context, page).map((p) => p.url())).toEqual([`${attacker.url}/crm/customer?tel=0312345678`])
  const crm = otherPages(context, page)[0]!
  const results = await attemptsIn(crm)
  // Every attempt is refused by the browser: the CRM page's opener is the phone's hidden launcher frame.
  expect(Object.values(results)).toEqual(Array(5).fill('SecurityError'))
  await decline()

  // The phone is where it was, registered, and nothing showed the look-alike page.
  expect(page.url()).toBe(phoneUrl)
  await expect(page.locator('#phished')).toHaveCount(0)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')

  // A second call rings and reuses the same CRM tab: still one phone and one CRM tab.
  const declineAgain = await ringAndDecline(page, lab, user, '0663334444')
  await expect.poll(() => otherPages(context, page).map((p) => p.url())).toEqual([`${attacker.url}/crm/customer?tel=0663334444`])
  expect(otherPages(context, page)[0]).toBe(crm)
  expect(Object.values(await attemptsIn(crm))).toEqual(Array(5).fill('SecurityError'))
  await declineAgain()
  expect(context.pages()).toHaveLength(2)
  expect(page.url()).toBe(phoneUrl)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
})

test('a CRM page that a post access submitted into cannot navigate the phone either', async ({ phones, lab }) => {
  const user = nextUser()
  const posting = settings(attacker)
  posting.cti.accesses.ring = { method: 'post', url: `${attacker.url}/crm/customer?tel={TEL}` }
  const { page, context } = await phones({ user, settings: posting })
  const phoneUrl = page.url()

  const decline = await ringAndDecline(page, lab, user, '0312345678')
  await expect.poll(() => otherPages(context, page).map((p) => p.url())).toEqual([`${attacker.url}/crm/customer`])
  expect(Object.values(await attemptsIn(otherPages(context, page)[0]!))).toEqual(Array(5).fill('SecurityError'))
  await decline()
  expect(page.url()).toBe(phoneUrl)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
})

test('the blocked-tab banner shows the URL masked, and its link does not give the CRM page the phone as opener either', async ({ phones, lab }) => {
  const user = nextUser()
  const withPassword = settings(attacker)
  withPassword.cti.accesses.ring.url = `${attacker.url}/crm/customer?tel={TEL}&pw={APW}`
  const { page, context } = await phones({ user, settings: withPassword })
  // Headless Chromium never blocks pop-ups (lab notes): make every window.open fail as a blocker does.
  await withInitScripts(page, 'window.open = () => null')
  const phoneUrl = page.url()

  const decline = await ringAndDecline(page, lab, user, '0312345678')
  const banner = page.getByTestId('blocked-tab')
  await expect(banner).toBeVisible()
  await expect(banner.getByTestId('blocked-tab-url')).toHaveText(`${attacker.url}/crm/customer?tel=0312345678&pw=***`)
  await expect(banner).not.toContainText('pass01')
  const [crm] = await Promise.all([context.waitForEvent('page'), banner.getByTestId('blocked-tab-link').click()])
  await expect(crm).toHaveURL(`${attacker.url}/crm/customer?tel=0312345678&pw=pass01`)
  for (const outcome of Object.values(await attemptsIn(crm))) expect(['SecurityError', 'no-opener']).toContain(outcome)
  await decline()
  expect(page.url()).toBe(phoneUrl)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
})
