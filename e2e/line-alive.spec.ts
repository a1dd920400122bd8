import { startKamailio } from '../lab/kamailio.mjs'
import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, openPhone, test, type Lab, type Phone } from './fixtures'
import { ownBrowser, rendererPids } from './page-life'

/**
 * The line stays alive (issue 11, items 1 and 2), against the real lab: a PBX that hangs
 * without closing the socket, a page frozen past its registration's expiry, and the network
 * going away and coming back. Each test checks what the agent sees (the registration chip) and
 * what a caller gets (the phone rings).
 */

/** The CSeq of `user`'s binding in Kamailio (`ul.dump`): it grows with each REGISTER the registrar took. */
async function bindingCseq(kamailio: Lab['kamailio'], user: string): Promise<number> {
  const block = (await kamailio.locations()).split(/AoR: /).find((b) => b.startsWith(`${user}\n`))
  return Number(/CSeq: (\d+)/.exec(block ?? '')?.[1] ?? 0)
}

/** A sipp caller rings the phone: returns when (Date.now()) the popup showed; the phone then declines it. */
async function rings(page: import('@playwright/test').Page, kamailio: Lab['kamailio'], user: string): Promise<number> {
  const sipp = await runSipp({ scenario: 'declined', udpPort: kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await expect(page.getByTestId('incoming-popup')).toHaveCount(1, { timeout: 10_000 })
  const shownAt = Date.now()
  await page.getByTestId('call-decline').first().click()
  expect((await sipp.done).code).toBe(0)
  return shownAt
}

/** Sends `signal` to Kamailio's whole process group (its main process and every worker). */
function signalKamailio(kamailio: Lab['kamailio'], signal: NodeJS.Signals): void {
  process.kill(-kamailio.pid, signal)
}

test('a PBX that hangs without closing the socket (SIGSTOP): not shown registered within 2 probe intervals, rings again ≤ 5 s after it runs again', async ({ browser, lab }) => {
  const pbx = await startKamailio()
  let stopped = false
  let phone: Phone | undefined
  try {
    const user = nextUser()
    const keepAliveSeconds = 2
    phone = await openPhone(browser, lab, { user, server: pbx.wsUrl, settings: { sip: { keepAliveSeconds } } })
    const { page } = phone
    const status = page.getByTestId('registration-status')
    await expect.poll(() => bindingCseq(pbx, user)).toBeGreaterThan(0)
    const cseq = await bindingCseq(pbx, user)
    signalKamailio(pbx, 'SIGSTOP')
    stopped = true
    const hungAt = Date.now()
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 2 * keepAliveSeconds * 1000 + 1000, intervals: [100] }).not.toBe('registered')
    const reportedAfter = Date.now() - hungAt
    expect(reportedAfter).toBeLessThanOrEqual(2 * keepAliveSeconds * 1000 + 300)
    // Still hung a while later: never "registered" meanwhile.
    await page.waitForTimeout(1500)
    await expect(status).not.toHaveAttribute('data-state', 'registered')
    signalKamailio(pbx, 'SIGCONT')
    stopped = false
    const backAt = Date.now()
    await expect(status).toHaveAttribute('data-state', 'registered', { timeout: 5000 })
    await expect.poll(() => bindingCseq(pbx, user), { timeout: 5000, intervals: [100] }).toBeGreaterThan(cseq)
    const ringAfter = (await rings(page, pbx, user)) - backAt
    console.log(`[line-alive] hung PBX: reported after ${reportedAfter} ms; registered and rang ${ringAfter} ms after SIGCONT`)
    expect(ringAfter).toBeLessThanOrEqual(5000)
  } finally {
    if (stopped) signalKamailio(pbx, 'SIGCONT')
    await phone?.context.close()
    await pbx.stop()
  }
})

test('a page frozen longer than its registration\'s expiry (renderer SIGSTOP): registered and ringing ≤ 2 s after it resumes', async ({ lab }) => {
  // The product gets a browser of its own: pages of one site share a renderer process.
  const own = await ownBrowser()
  let frozen: number[] = []
  try {
    const user = nextUser()
    const registerExpires = 5
    const { page } = await openPhone(own, lab, { user, settings: { sip: { registerExpires, keepAliveSeconds: 25 } } })
    await expect.poll(() => bindingCseq(lab.kamailio, user)).toBeGreaterThan(0)
    frozen = await rendererPids(own)
    expect(frozen.length).toBeGreaterThan(0)
    const cseq = await bindingCseq(lab.kamailio, user)
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
    // Longer than the registration's life, and than its refresh at half of it.
    await new Promise((resolve) => setTimeout(resolve, (registerExpires + 3) * 1000))
    for (const pid of frozen) process.kill(pid, 'SIGCONT')
    frozen = []
    const resumedAt = Date.now()
    await expect.poll(() => bindingCseq(lab.kamailio, user), { timeout: 2000, intervals: [50] }).toBeGreaterThan(cseq)
    const registeredAfter = Date.now() - resumedAt
    await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    const ringAfter = (await rings(page, lab.kamailio, user)) - resumedAt
    console.log(`[line-alive] frozen page: registrar had the new REGISTER ${registeredAfter} ms and the popup showed ${ringAfter} ms after SIGCONT`)
    expect(ringAfter).toBeLessThanOrEqual(2000)
  } finally {
    for (const pid of frozen) process.kill(pid, 'SIGCONT')
    await own.close()
  }
})

test('offline, then online again: not registered while offline, registered ≤ 2 s after online, and rings', async ({ browser, lab }) => {
  const user = nextUser()
  const { page, context } = await openPhone(browser, lab, { user, settings: { sip: { keepAliveSeconds: 2 } } })
  try {
    const status = page.getByTestId('registration-status')
    await context.setOffline(true)
    await expect(status).not.toHaveAttribute('data-state', 'registered', { timeout: 6000 })
    const cseq = await bindingCseq(lab.kamailio, user)
    await context.setOffline(false)
    const onlineAt = Date.now()
    await expect.poll(() => bindingCseq(lab.kamailio, user), { timeout: 2000, intervals: [50] }).toBeGreaterThan(cseq)
    await expect(status).toHaveAttribute('data-state', 'registered', { timeout: 2000 })
    const registeredAfter = Date.now() - onlineAt
    console.log(`[line-alive] offline → online: registered ${registeredAfter} ms after online`)
    expect(registeredAfter).toBeLessThanOrEqual(2000)
    await rings(page, lab.kamailio, user)
  } finally {
    await context.close()
  }
})

test('a tab the browser discarded and reloaded tells the agent calls could not ring (document.wasDiscarded)', async ({ phones }) => {
  const { page } = await phones({ user: nextUser() })
  await expect(page.getByTestId('tab-discarded')).toHaveCount(0)
  // Headless Chromium never discards a tab here: the reload is made to look like one.
  await page.addInitScript(() => Object.defineProperty(Document.prototype, 'wasDiscarded', { configurable: true, get: () => true }))
  await page.reload()
  const notice = page.getByTestId('tab-discarded')
  await expect(notice).toContainText('calls could not ring')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await notice.getByRole('button').click()
  await expect(notice).toHaveCount(0)
})
