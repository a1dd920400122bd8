import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * A bad CRM never hurts the phone: a search that answers with 100 MB, or with a body that never
 * ends, is cut at the phone's 1 MiB cap — the popup is there at once with the number, the search
 * shows as failed, the call is answered and ends normally, and the page stays alive.
 */
test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

for (const [name, query] of [['a 100 MB body', 'mb=100'], ['a body that never ends', 'mb=0']] as const) {
  test(`a search answered with ${name}: popup at once, search failed, the call works`, async ({ phones, lab }) => {
    const user = nextUser()
    const { page } = await phones({
      user,
      settings: {
        agent: { id: 'agent01', password: 'pass01' },
        cti: { target: 'custom', timeoutSeconds: 20, accesses: { search: { method: 'get-internal', url: `${lab.crm.url}/huge?${query}&tel={TEL}`, format: '{NAME}' } } },
      },
    })
    let crashed = false
    page.on('crash', () => { crashed = true })
    const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
    const popup = page.getByTestId('incoming-popup')
    await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
    await expect(popup.getByTestId('popup-search-failed')).toBeVisible()
    await popup.getByTestId('popup-answer').click()
    await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await page.getByTestId('call-hangup').click()
    await expect(page.getByTestId('idle')).toBeVisible()
    expect((await sipp.done).code).toBe(0)
    await page.getByTestId('cti-log-toggle').click()
    await expect(page.getByTestId('cti-log-entry').and(page.locator('[data-access=search][data-outcome=failed]'))).toHaveCount(1)
    expect(crashed).toBe(false)
  })
}
