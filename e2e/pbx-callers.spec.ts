import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * Calls from a PBX: sipp over UDP through Kamailio, with the caller's number carrying
 * BIZTEL-style `#` codes RAW on the wire (`sip:0312345678#A1#B2@…`), as PBXs send them.
 * sip.js alone drops such an INVITE; the phone must ring anyway.
 */
test('a PBX caller with raw # codes rings, shows number and name, and CANCEL removes the popup', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  const sipp = await runSipp({
    scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user,
    fromUser: '0312345678#A1#B2', fromName: 'Yamada',
  })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
  await expect(popup.getByTestId('popup-name')).toHaveText('Yamada')
  await expect(popup).not.toContainText('#')
  // The caller gives up: CANCEL → 487, and the popup goes away by itself.
  await sipp.hangUp()
  await expect(popup).toHaveCount(0)
  await expect(page.getByTestId('idle')).toBeVisible()
  const result = await sipp.done
  expect(result.messages).toMatch(/^From: "Yamada" <sip:0312345678#A1#B2@/m)
  expect(result.code, result.errors).toBe(0)
})

test('a PBX call offering WebRTC SDP is answered from the popup and ended by the caller\'s BYE', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  const sipp = await runSipp({
    scenario: 'answerable', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user,
    fromUser: '0663334444#X9', fromName: 'Sato',
  })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-number')).toHaveText('0663334444')
  await popup.getByTestId('popup-answer').click()
  await expect(popup).toHaveCount(0)
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  // The caller hangs up: BYE.
  await sipp.hangUp()
  await expect(page.getByTestId('call')).toHaveCount(0)
  await expect(page.getByTestId('idle')).toBeVisible()
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
})

test('the agent hangs up a PBX call and the caller receives BYE', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1#B2', fromName: 'Yamada' })
  await page.getByTestId('call-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
})

test('declining a PBX call sends 486 Busy Here', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  const sipp = await runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to: user })
  await page.getByTestId('popup-hangup').click()
  await expect(page.getByTestId('incoming-popup')).toHaveCount(0)
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
  expect(result.messages).toMatch(/SIP\/2\.0 486 Busy Here/)
})
