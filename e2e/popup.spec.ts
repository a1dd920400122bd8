import { runSipp } from '../lab/sipp.mjs'
import { clickNotification, expectStays, FAKE_HIDDEN_PAGE_WITH_NOTIFICATIONS, shownNotifications, withInitScripts } from './call-helpers'
import { expect, nextUser, test, type Lab } from './fixtures'

/**
 * The popup settings (`popup.*`) and notifications, with a real PBX caller (sipp) ringing the
 * phone through Kamailio. Each option is checked by what the agent sees.
 */
const CLIPBOARD = { permissions: ['microphone', 'notifications', 'clipboard-read', 'clipboard-write'] }

/** A caller that keeps ringing until the phone declines (486): the popup stays up meanwhile. */
function ringing(lab: Lab, to: string, fromUser = '0312345678', fromName = 'Yamada') {
  return runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to, fromUser, fromName })
}

async function declineAll(page: import('@playwright/test').Page): Promise<void> {
  await page.getByTestId('call-decline').first().click()
  await expect(page.getByTestId('idle')).toBeVisible()
}

test('standard size with buttons shows number, name, answer and hang-up', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: { popup: { size: 'standard', buttons: true } } })
  const sipp = await ringing(lab, user)
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  await expect(popup).toHaveAttribute('data-size', 'standard')
  await expect(popup).toHaveAttribute('data-call-id', /.+/)
  await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
  await expect(popup.getByTestId('popup-name')).toHaveText('Yamada')
  await expect(popup.getByTestId('popup-answer')).toBeVisible()
  await expect(popup.getByTestId('popup-hangup')).toBeVisible()
  const standardWidth = (await popup.boundingBox())!.width
  await popup.getByTestId('popup-hangup').click()
  await expect(popup).toHaveCount(0)
  expect((await sipp.done).code).toBe(0)
  expect(standardWidth).toBeLessThan(400)
})

test('large size without buttons, and the anonymous label for a withheld number', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: { popup: { size: 'large', buttons: false, anonymousLabel: '番号非通知' } } })
  const sipp = await ringing(lab, user, 'anonymous', 'Anonymous')
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveAttribute('data-size', 'large')
  await expect(popup.getByTestId('popup-number')).toHaveText('番号非通知')
  expect((await popup.boundingBox())!.width).toBeGreaterThan(400)
  await expect(popup.getByTestId('popup-answer')).toHaveCount(0)
  await expect(popup.getByTestId('popup-hangup')).toHaveCount(0)
  // The main screen can still take or refuse the call.
  await declineAll(page)
  expect((await sipp.done).code).toBe(0)
})

test('a click on the popup copies the number when copyNumberOnClick is on, and not when off', async ({ phones, lab }) => {
  for (const copy of [true, false]) {
    const user = nextUser()
    const { page } = await phones({ user, settings: { popup: { copyNumberOnClick: copy } }, contextOptions: CLIPBOARD })
    await page.evaluate(() => navigator.clipboard.writeText('before'))
    const sipp = await ringing(lab, user, '0312345678#A1#B2')
    const popup = page.getByTestId('incoming-popup')
    await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
    // The popup body, outside its buttons.
    await popup.getByTestId('popup-number').click()
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText())
    if (copy) await expect.poll(clipboard).toBe('0312345678')
    else await expectStays(clipboard, 'before')
    await declineAll(page)
    expect((await sipp.done).code).toBe(0)
  }
})

test('display time closes the popup while the call still rings in the main screen', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: { popup: { displaySeconds: 2 } } })
  const sipp = await ringing(lab, user)
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  const shownAt = Date.now()
  await expect(popup).toHaveCount(0, { timeout: 5000 })
  expect(Date.now() - shownAt).toBeGreaterThan(1000)
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'ringing')
  await declineAll(page)
  expect((await sipp.done).code).toBe(0)
})

test('display time 0 keeps the popup while the call rings, and the end of the call closes it', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: { popup: { displaySeconds: 0 } } })
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  // Longer than the 2 s display time that closes it above.
  await expectStays(() => popup.count(), 1, 3500)
  await sipp.hangUp()
  await expect(popup).toHaveCount(0)
  await expect(page.getByTestId('idle')).toBeVisible()
  expect((await sipp.done).code).toBe(0)
})

test('hidden size shows no popup and no notification; the call rings in the main screen', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: { popup: { size: 'hidden' } } })
  await withInitScripts(page, FAKE_HIDDEN_PAGE_WITH_NOTIFICATIONS)
  const sipp = await ringing(lab, user)
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'ringing')
  await expectStays(async () => ({ popups: await page.getByTestId('incoming-popup').count(), notifications: await shownNotifications(page) }), { popups: 0, notifications: [] })
  await declineAll(page)
  expect((await sipp.done).code).toBe(0)
})

test('a hidden page gets a notification with number, name and company; clicking it is a popup click; it closes when the call ends', async ({ phones, lab }) => {
  lab.crm.clear()
  const user = nextUser()
  const crm = lab.crm.url
  const { page } = await phones({
    user,
    contextOptions: CLIPBOARD,
    settings: {
      popup: { copyNumberOnClick: true },
      agent: { id: 'agent01', password: 'pass01' },
      cti: {
        target: 'custom',
        accesses: {
          auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
          search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
          click: { method: 'get-internal', url: `${crm}/event/click?tel={TEL}` },
        },
      },
    },
  })
  // Headless pages are always visible: make this one believe the agent works in another window.
  await withInitScripts(page, FAKE_HIDDEN_PAGE_WITH_NOTIFICATIONS)
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1#B2', fromName: 'Yamada' })
  // The notification is refreshed (same tag) once the CRM search answered.
  await expect.poll(async () => (await shownNotifications(page)).at(-1)).toMatchObject({
    title: expect.stringContaining('山田 太郎'),
    body: expect.stringMatching(/株式会社つなぐ商事[\s\S]*0312345678/),
  })
  const tag = (await shownNotifications(page)).at(-1)!.tag
  expect((await shownNotifications(page)).at(-1)!.title).toContain('0312345678')

  await clickNotification(page, tag)
  // Handled as a popup click: the click access ran and the number was copied.
  await expect.poll(() => lab.crm.requests().some((r) => r.path === '/event/click' && r.query === 'tel=0312345678')).toBe(true)
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('0312345678')

  // The caller gives up: the call's notification is closed (the browser replaced the earlier
  // one of the same tag when the search refreshed it).
  await sipp.hangUp()
  expect((await sipp.done).code).toBe(0)
  await expect.poll(async () => (await shownNotifications(page)).filter((n) => n.tag === tag).at(-1)?.closed).toBe(true)
})

test('a notification closes when the call is answered in the phone', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  await withInitScripts(page, FAKE_HIDDEN_PAGE_WITH_NOTIFICATIONS)
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  await expect.poll(async () => (await shownNotifications(page)).length).toBe(1)
  expect((await shownNotifications(page))[0]).toMatchObject({ title: 'Sato (0663334444)', closed: false })
  await page.getByTestId('call-answer').click()
  await expect.poll(async () => (await shownNotifications(page))[0]?.closed).toBe(true)
  await page.getByTestId('call-hangup').click()
  expect((await sipp.done).code).toBe(0)
})
