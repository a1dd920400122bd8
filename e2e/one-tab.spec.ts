import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * Two tabs of one browser share its SIP contact: if both registered, each would steal the
 * other's calls. The second tab follows the first's line (`many-tabs.spec.ts`); the agent can
 * still move the line there by hand: the first then unregisters and follows the second.
 */
test('"use the phone in this tab" moves the line to the second tab; the first follows it, and only the second registers', async ({ browser, lab }) => {
  const user = nextUser()
  lab.crm.setProvision(`tabs-${user}`, { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user, password: '', displayName: `Agent ${user}` } })
  const url = `${lab.appUrl}/?config=${lab.crm.url}/provision/tabs-${user}.json`
  const context = await browser.newContext({ permissions: ['microphone'] })
  try {
    const first = await context.newPage()
    await first.goto(url)
    await expect(first.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')

    const second = await context.newPage()
    await second.goto(url)
    await expect(second.getByTestId('line-elsewhere')).toHaveAttribute('data-reason', 'busy')
    await expect(second.getByTestId('registration-status')).toHaveAttribute('data-leader', 'false')
    await expect(first.getByTestId('registration-status')).toHaveAttribute('data-leader', 'true')

    await second.getByTestId('line-use-here').click()
    await expect(second.getByTestId('registration-status')).toHaveAttribute('data-leader', 'true')
    await expect(second.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    await expect(second.getByTestId('line-elsewhere')).toHaveCount(0)
    await expect(first.getByTestId('line-elsewhere')).toHaveAttribute('data-reason', 'moved')
    await expect(first.getByTestId('registration-status')).toHaveAttribute('data-leader', 'false')
    await expect(first.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    await lab.kamailio.waitForRegistration(user)
    await expect.poll(async () => ((await lab.kamailio.locations()).split(/AoR: /).find((b) => b.startsWith(`${user}\n`))?.match(/Address: /g) ?? []).length).toBe(1)

    const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678' })
    await expect(second.getByTestId('incoming-popup')).toHaveCount(1)
    // The first tab shows the second's ringing call, as any follower does.
    await expect(first.getByTestId('incoming-popup')).toHaveCount(1)
    await sipp.hangUp()
    expect((await sipp.done).code).toBe(0)
    await expect(first.getByTestId('incoming-popup')).toHaveCount(0)
  } finally {
    await context.close()
  }
})

test('a tel: link opening a second tab hands the number to the phone\'s tab, which dials it', async ({ browser, lab, phones }) => {
  const callee = await phones({ user: nextUser() })
  const user = nextUser()
  lab.crm.setProvision(`tabs-${user}`, { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user, password: '', displayName: `Agent ${user}` } })
  const context = await browser.newContext({ permissions: ['microphone'] })
  try {
    const phoneTab = await context.newPage()
    await phoneTab.goto(`${lab.appUrl}/?config=${lab.crm.url}/provision/tabs-${user}.json`)
    await expect(phoneTab.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    // What the browser opens for <a href="tel:…"> once the phone is the tel: handler.
    const linkTab = await context.newPage()
    // Opened from the CRM, which the lab's deploy.json trusts for click-to-dial.
    await linkTab.goto(`${lab.appUrl}/?dial=${encodeURIComponent(`tel:${callee.user}`)}`, { referer: `${lab.crm.url}/crm/customer` })
    await expect(linkTab.getByTestId('line-handed-off')).toContainText(callee.user)
    await expect(callee.page.getByTestId('incoming-popup')).toHaveCount(1)
    await expect(phoneTab.getByTestId('call')).toHaveAttribute('data-state', 'dialing')
    await phoneTab.getByTestId('call-hangup').click()
    await expect(callee.page.getByTestId('incoming-popup')).toHaveCount(0)
  } finally {
    await context.close()
  }
})
