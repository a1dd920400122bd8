import type { BrowserContext } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, provisionPage, test, type Lab } from './fixtures'

/**
 * A tab that does not hold the line works the leader's CRM session (issue 11 item 4): it shows
 * the leader's CRM login state and logs the agent in through it, its "Open in CRM" runs the
 * click access in the leader (each access once, there), and its missed-call badge counts the
 * calls the leader writes to the history.
 */

/** Login (no agent provisioned: the agent logs in), search and a click access that opens the CRM tab. */
function ctiSettings(lab: Lab) {
  const crm = lab.crm.url
  return {
    cti: {
      target: 'custom',
      accesses: {
        auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        click: { method: 'get', url: `${crm}/open?tel={TEL}&sid={SID}` },
      },
    },
  }
}

/** CRM requests of one kind (`/open`, `/login`) for `tel` (any tel when omitted). */
function accesses(lab: Lab, path: string, tel?: string): number {
  return lab.crm.requests().filter((r) => r.path === path && (tel === undefined || new URLSearchParams(r.query ?? '').get('tel') === tel)).length
}

async function agentTabs(lab: Lab, context: BrowserContext, user: string) {
  const options = { user, settings: ctiSettings(lab), noWait: true }
  const first = await context.newPage()
  await provisionPage(first, lab, options)
  await expect(first.getByTestId('registration-status')).toHaveAttribute('data-leader', 'true')
  await expect(first.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  const second = await context.newPage()
  await provisionPage(second, lab, options)
  await expect(second.getByTestId('registration-status')).toHaveAttribute('data-leader', 'false')
  await expect(second.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  return { first, second }
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('a follower tab logs in through the leader, its "Open in CRM" (call card, then history row) reaches the CRM exactly once each, and its badge counts the missed call', async ({ browser, lab }) => {
  const user = nextUser()
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
  try {
    const { first, second } = await agentTabs(lab, context, user)
    // The follower shows the leader's CRM state: not logged in yet (the leader asks at start).
    const status = second.getByTestId('cti-status')
    await expect(status).toHaveAttribute('data-state', 'logged-out')
    await expect(first.getByTestId('agent-login')).toBeVisible()

    // The agent logs in from the follower: one login, run by the leader.
    await status.click()
    const login = second.getByTestId('agent-login')
    // Its texts load with the dialog (not with the first paint).
    await expect(login).toContainText('CRM login')
    await login.getByTestId('login-id').locator('input').fill('agent01')
    await login.getByTestId('login-password').locator('input').fill('pass01')
    await login.getByTestId('login-submit').click()
    await expect(login).toHaveCount(0)
    await expect(status).toHaveAttribute('data-state', 'ok')
    await expect(first.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
    await expect(first.getByTestId('agent-login')).toHaveCount(0)
    expect(accesses(lab, '/login')).toBe(1)

    const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678' })
    await expect(second.getByTestId('call')).toHaveCount(1)
    // "Open in CRM" on the follower's call card: the leader runs the click access, once.
    const [crmPage] = await Promise.all([context.waitForEvent('page'), second.getByTestId('call-open-crm').click()])
    await expect.poll(() => accesses(lab, '/open', '0312345678')).toBe(1)
    expect(crmPage.url()).toContain('/open?tel=0312345678&sid=')

    // The caller gives up: a missed call, written by the leader, counted on the follower's History button.
    await sipp.hangUp()
    expect((await sipp.done).code).toBe(0)
    await expect(second.getByTestId('call')).toHaveCount(0)
    await expect(second.getByRole('button', { name: /History \(1 missed\)/ })).toBeVisible()
    await expect(first.getByRole('button', { name: /History \(1 missed\)/ })).toBeVisible()
    expect(accesses(lab, '/open', '0312345678')).toBe(1)
    expect(accesses(lab, '/search', '0312345678')).toBe(1)

    // "Open in CRM" on the follower's history row: the click access once more, again from the leader.
    await second.getByRole('button', { name: /History \(1 missed\)/ }).click()
    const row = second.getByTestId('history-row')
    await expect(row).toHaveCount(1)
    await expect(row).toContainText('missed')
    const pages = context.pages().length
    await row.getByTestId('history-open-crm').click()
    await expect.poll(() => accesses(lab, '/open', '0312345678')).toBe(2)
    // Into the same CRM tab as before (the accesses' named tab), not a new one.
    expect(context.pages()).toHaveLength(pages)
    // Looked at in the follower: the leader's badge is cleared too.
    await expect(first.getByRole('button', { name: /^History$/ })).toBeVisible()
  } finally {
    await context.close()
  }
})
