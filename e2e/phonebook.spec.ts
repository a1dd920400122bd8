import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * The shared phonebook (共有電話帳) provisioned by URL: its name shows in the popup in the same
 * render as the number, and reaches the CRM as {TELNAME}; numbers match in any format.
 */
test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('a shared-phonebook name shows in the popup and reaches the CRM as {TELNAME}, whatever format the number has', async ({ phones, lab }) => {
  const user = nextUser()
  const crm = lab.crm.url
  const { page } = await phones({
    user,
    settings: {
      agent: { id: 'agent01', password: 'pass01' },
      phonebooks: { shared: `${crm}/phonebook/shared.csv` },
      cti: { target: 'custom', accesses: { ring: { method: 'get-internal', url: `${crm}/event/ring?tel={TEL}&name={TELNAME}` } } },
    },
  })
  const popup = page.getByTestId('incoming-popup')

  // The book writes 03-1234-5678; the PBX sends 0312345678 with its own display name.
  const first = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1', fromName: 'Yamada' })
  await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
  await expect(popup.getByTestId('popup-name')).toHaveText('山田商店 本社')
  await expect.poll(() => lab.crm.requests().filter((r) => r.path === '/event/ring').map((r) => r.query)).toEqual([
    `tel=0312345678&name=${encodeURIComponent('山田商店 本社')}`,
  ])
  await first.hangUp()
  expect((await first.done).code).toBe(0)
  await expect(popup).toHaveCount(0)

  // The book writes +81 6 6333 4444 (E.164); the PBX sends the national form.
  const second = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  await expect(popup.getByTestId('popup-name')).toHaveText('大阪物産 受付')
  await second.hangUp()
  expect((await second.done).code).toBe(0)

  // A number the book does not have keeps the SIP display name.
  const third = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0522223333', fromName: 'Takahashi' })
  await expect(popup.getByTestId('popup-name')).toHaveText('Takahashi')
  await third.hangUp()
  expect((await third.done).code).toBe(0)
})
