import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, provisionPage, test, type Lab } from './fixtures'

/**
 * The phone runs under its own Content-Security-Policy (issue 9, "Headers and policy"), sent as
 * HTTP headers by the lab's static server exactly as the README's nginx example sends them:
 * nothing the agent does — registering, a call ringing with search, a CRM tab and a CRM form,
 * answering, the settings, the CTI log — needs anything the policy forbids, while the policy
 * really is enforced (an injected inline script does not run) and no other site may frame it.
 */

/** Collects CSP violations of every frame (the hidden CRM-tab launcher too) and CSP console errors. */
const RECORD_VIOLATIONS = `(() => {
  const sink = (() => { try { return window.top } catch { return window } })()
  sink.__cspViolations = sink.__cspViolations || []
  document.addEventListener('securitypolicyviolation', (e) => {
    sink.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''))
  })
})()`

function watchCsp(page: Page): { console: string[]; violations: () => Promise<string[]> } {
  const console: string[] = []
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) console.push(message.text())
  })
  return {
    console,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
  }
}

function settings(lab: Lab) {
  const crm = lab.crm.url
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      tabName: 'crm-window',
      accesses: {
        auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        ring: { method: 'get', url: `${crm}/crm/customer?tel={TEL}` },
        answer: { method: 'post', url: `${crm}/crm/customer?tel={TEL}&answered=1` },
      },
    },
  }
}

test('every response of the phone carries the policy: strict CSP, frame-ancestors none, COOP', async ({ lab, request }) => {
  for (const path of ['/', '/assets/nonexistent.js', '/deploy.json']) {
    const response = await request.get(`${lab.appUrl}${path}`)
    const csp = response.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval)/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toMatch(/connect-src 'self' [^;]*ws:\/\/127\.0\.0\.1:\*/)
    expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin-allow-popups')
  }
  // The built page has no inline script the policy would have to allow.
  const html = await (await request.get(`${lab.appUrl}/`)).text()
  expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src="/.test(tag))).toBe(true)
})

test('the app runs under its CSP: register, ring with search, CRM tab and form, answer, settings, log', async ({ browser, lab }) => {
  const user = nextUser()
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
  await context.addInitScript(RECORD_VIOLATIONS)
  const page = await context.newPage()
  const csp = watchCsp(page)
  await provisionPage(page, lab, { user, settings: settings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Caller' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toContainText('山田 太郎')
  await expect.poll(() => context.pages().map((p) => p.url())).toContain(`${lab.crm.url}/crm/customer?tel=0312345678`)
  await popup.getByTestId('popup-answer').click()
  await lab.crm.waitForRequests((r) => r.method === 'POST' && r.path === '/crm/customer')
  await page.getByTestId('call-hangup').click()
  expect((await sipp.done).code).toBe(0)

  await page.getByTestId('app-menu').click()
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('settings')).toBeVisible()
  for (const section of ['sip', 'custom', 'popup']) {
    await page.getByTestId(`settings-nav-${section}`).click()
    await expect(page.getByTestId(`settings-section-${section}`)).toBeVisible()
  }
  await page.getByTestId('settings-close').click()
  await page.getByTestId('cti-log-toggle').click()
  await expect(page.getByTestId('cti-log-entry').first()).toBeVisible()
  // The session ID the CRM handed out is a secret: the log shows it masked.
  await expect(page.getByTestId('cti-log')).not.toContainText('SID-')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')

  expect(await csp.violations()).toEqual([])
  expect(csp.console).toEqual([])

  // The policy is live, not just sent: an inline script injected now does not run.
  await page.evaluate(() => {
    const script = document.createElement('script')
    script.textContent = 'window.__inlineRan = true'
    document.body.append(script)
  })
  // One report per policy that refuses it: the header's, and index.html's baseline <meta>.
  await expect.poll(async () => (await csp.violations()).length).toBeGreaterThan(0)
  for (const violation of await csp.violations()) expect(violation).toMatch(/^script-src-elem inline/)
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined()
  await context.close()
})

test('a page that opens the phone keeps no handle on it (COOP), so it cannot navigate it later', async ({ browser, lab }) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><title>Mail</title>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const context = await browser.newContext()
  try {
    const mail = await context.newPage()
    await mail.goto(`http://localhost:${(server.address() as AddressInfo).port}/`)
    const [phone] = await Promise.all([
      context.waitForEvent('page'),
      mail.evaluate((url) => {
        ;(window as unknown as { phone: Window | null }).phone = window.open(url, 'phone')
      }, `${lab.appUrl}/`),
    ])
    await expect(phone.locator('#app')).not.toBeEmpty()
    // The attacker's handle is closed: a later "phone.location = look-alike" goes nowhere.
    await expect.poll(() => mail.evaluate(() => (window as unknown as { phone: Window }).phone.closed)).toBe(true)
    await mail.evaluate(() => {
      try {
        ;(window as unknown as { phone: Window }).phone.location.href = 'about:blank#phished'
      } catch {
        // a closed handle may also throw
      }
    })
    expect(phone.url()).toBe(`${lab.appUrl}/`)
    expect(await phone.evaluate(() => window.opener)).toBeNull()
  } finally {
    await context.close()
    server.closeAllConnections()
    server.close()
  }
})

test('another site cannot frame the phone', async ({ browser, lab }) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><title>Not the phone</title><iframe id="phone" src="${lab.appUrl}/"></iframe>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const refused = page.waitForEvent('console', (message) => /frame-ancestors/.test(message.text()))
    await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/`)
    await refused
    await expect(page.frameLocator('#phone').locator('#app')).toHaveCount(0)
  } finally {
    await context.close()
    server.closeAllConnections()
    server.close()
  }
})
