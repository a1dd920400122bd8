import { startKamailio } from '../lab/kamailio.mjs'
import { expect, nextUser, test } from './fixtures'

/** How many contacts Kamailio holds for `user` (from `kamcmd ul.dump`). */
function contactsOf(dump: string, user: string): number {
  const aor = dump.split(/AoR: /).find((block) => block.startsWith(`${user}\n`))
  return aor ? (aor.match(/Address: /g) ?? []).length : 0
}

test('a reload replaces the browser\'s registration instead of leaving a stale contact', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
  const before = /Address: (\S+)/.exec((await lab.kamailio.locations()).split(`AoR: ${user}\n`)[1] ?? '')?.[1]
  await page.reload()
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
  const after = /Address: (\S+)/.exec((await lab.kamailio.locations()).split(`AoR: ${user}\n`)[1] ?? '')?.[1]
  expect(after).toBe(before)
})

test('the line shows reconnecting when the PBX goes away and registers again when it is back', async ({ phones }) => {
  const pbx = await startKamailio()
  let restarted: Awaited<ReturnType<typeof startKamailio>> | undefined
  try {
    const user = nextUser()
    const { page } = await phones({ user, server: pbx.wsUrl })
    const status = page.getByTestId('registration-status')
    await pbx.stop()
    await expect(status).toHaveAttribute('data-state', 'reconnecting')
    restarted = await startKamailio({ wsPort: pbx.wsPort, udpPort: pbx.udpPort })
    await expect(status).toHaveAttribute('data-state', 'registered', { timeout: 30_000 })
    await expect.poll(async () => contactsOf(await restarted!.locations(), user)).toBe(1)
  } finally {
    await pbx.stop()
    await restarted?.stop()
  }
})

test('a PBX that cannot be reached shows connecting, not registered', async ({ phones }) => {
  const { page } = await phones({ user: nextUser(), server: 'ws://127.0.0.1:9', noWait: true })
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'connecting')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('title', /.+/)
})

test('digest auth: the right password registers, a wrong one shows failed with the registrar\'s reason', async ({ phones }) => {
  const pbx = await startKamailio({ auth: true })
  try {
    const user = nextUser()
    const ok = await phones({ user, server: pbx.wsUrl, settings: { sip: { password: `pw-${user}` } } })
    await expect(ok.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    await expect.poll(async () => contactsOf(await pbx.locations(), user)).toBe(1)

    const other = nextUser()
    const bad = await phones({ user: other, server: pbx.wsUrl, settings: { sip: { password: 'wrong' } }, noWait: true })
    const status = bad.page.getByTestId('registration-status')
    await expect(status).toHaveAttribute('data-state', 'failed')
    await expect(status).toHaveAttribute('title', /403/)
    expect(contactsOf(await pbx.locations(), other)).toBe(0)
  } finally {
    await pbx.stop()
  }
})

test('closing the phone tab unregisters, so the PBX stops offering calls to it', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
  await page.close()
  await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(0)
})
