import { freePort } from '../lab/ports.mjs'
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

/**
 * The other ways a CRM fails. The shared phonebook knows the caller, so the popup must show its
 * name with the number at once, whatever the search does; the failure shows in the popup and in
 * the CTI log with its reason, and the call is answered and ends normally.
 */
const failures: readonly (readonly [name: string, path: (crm: string, closed: string) => string, reason: string])[] = [
  ['connection refused', (_crm, closed) => `${closed}/search?tel={TEL}`, 'network'],
  ['no answer within the timeout', (crm) => `${crm}/slow?tel={TEL}`, 'timeout'],
  ['HTTP 500', (crm) => `${crm}/status/500?tel={TEL}`, 'http-error 500'],
  ['garbage bytes (not UTF-8, NULs)', (crm) => `${crm}/garbage?tel={TEL}`, 'not-text'],
  ['a redirect loop', (crm) => `${crm}/loop/1?tel={TEL}`, 'network'],
]

for (const [name, url, reason] of failures) {
  test(`a search that fails with ${name}: popup at once with number and phonebook name, the failure shown and logged, the call works`, async ({ phones, lab }) => {
    const user = nextUser()
    const closed = `http://127.0.0.1:${await freePort()}`
    const { page } = await phones({
      user,
      settings: {
        agent: { id: 'agent01', password: 'pass01' },
        phonebooks: { shared: `${lab.crm.url}/phonebook/shared.csv` },
        cti: { target: 'custom', timeoutSeconds: 3, accesses: { search: { method: 'get-internal', url: url(lab.crm.url, closed), format: '{NAME}' } } },
      },
    })
    let crashed = false
    page.on('crash', () => { crashed = true })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1', fromName: 'Yamada' })
    const popup = page.getByTestId('incoming-popup')
    await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
    await expect(popup.getByTestId('popup-name')).toHaveText('山田商店 本社')
    if (reason === 'timeout') {
      // "At once": the name is there while the CRM still keeps the search waiting.
      await expect(popup.getByTestId('popup-searching')).toBeVisible()
    }
    await expect(popup.getByTestId('popup-search-failed')).toBeVisible()
    await expect(popup.getByTestId('popup-name')).toHaveText('山田商店 本社')
    await popup.getByTestId('popup-answer').click()
    await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await page.getByTestId('call-hangup').click()
    await expect(page.getByTestId('idle')).toBeVisible()
    expect((await sipp.done).code).toBe(0)
    await page.getByTestId('cti-log-toggle').click()
    const entry = page.getByTestId('cti-log-entry').and(page.locator('[data-access=search][data-outcome=failed]'))
    await expect(entry).toHaveCount(1)
    await expect(entry).toContainText(reason)
    expect(crashed).toBe(false)
    expect(errors).toEqual([])
  })
}
