import { expectStays } from './call-helpers'
import { expect, nextUser, test } from './fixtures'

/**
 * Click-to-dial: CRM links open the phone with `?dial=` (directly or through the tel:/sip: handler).
 * The lab's deploy.json trusts the CRM stand-in's origin (`dial.trustedOrigins`), so its links
 * dial at once; pages IT does not trust need the agent's consent (trust-provisioning.spec.ts).
 */
test('?dial=<number> from a trusted CRM page calls that number once registered, and a reload does not call again', async ({ phones, lab }) => {
  const callee = await phones({ user: nextUser() })
  const agent = await phones({ user: nextUser(), query: { dial: `tel:${callee.user}` }, referer: `${lab.crm.url}/crm/customer?tel=1` })

  const popup = callee.page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-number')).toHaveText(agent.user)
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'dialing')
  // The parameter is gone from the address bar.
  expect(new URL(agent.page.url()).searchParams.has('dial')).toBe(false)

  await popup.getByTestId('popup-hangup').click()
  await expect(agent.page.getByTestId('idle')).toBeVisible()
  await agent.page.reload()
  await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(agent.page.getByTestId('idle')).toBeVisible()
  // A dial after the reload would ring the callee within the registration it just made.
  await expectStays(async () => ({ agent: await agent.page.getByTestId('call').count(), callee: await callee.page.getByTestId('incoming-popup').count() }), { agent: 0, callee: 0 }, 2000)
})

test('?dial=<extension> (a bare extension, no tel:) calls that extension', async ({ phones, lab }) => {
  const callee = await phones({ user: nextUser() })
  const agent = await phones({ user: nextUser(), query: { dial: callee.user }, referer: `${lab.crm.url}/crm/customer?tel=1` })
  await expect(callee.page.getByTestId('incoming-popup').getByTestId('popup-number')).toHaveText(agent.user)
  await expect(agent.page.getByTestId('call')).toContainText(callee.user)
  await callee.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await agent.page.getByTestId('call-hangup').click()
  await expect(callee.page.getByTestId('idle')).toBeVisible()
})
