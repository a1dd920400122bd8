import type { BrowserContext, Page } from '@playwright/test'
import { startPeerServer } from '../lab/peer-server.mjs'
import { audioFlows, COUNT_POPUPS, dial, expectStays, popupsSeen, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { eventAccesses, eventIds, eventPaths, eventSettings, historyRows } from './call-events'
import { expect, nextUser, provisionPage, test, type Lab, type Phone } from './fixtures'
import { crashRenderers, ownBrowser, pressF5 } from './page-life'

/**
 * Issue 12: a call survives a reload (F5) or a renderer crash of the phone's page. The other
 * party is a second page of the phone (its sip.js user agent accepts Replaces); audio is read
 * from getStats() on both sides, the CRM stand-in counts the accesses.
 */

/** `caller` dials `callee`, who answers; resolves with the callee's call id once audio flows both ways. */
async function talking(caller: Phone, callee: Phone): Promise<string> {
  await dial(caller.page, callee.user)
  await callee.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  for (const p of [caller.page, callee.page]) await expect(p.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await Promise.all([audioFlows(caller.page), audioFlows(callee.page)])
  return (await callee.page.getByTestId('call').getAttribute('data-call-id'))!
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
})

test('F5 during a call: the call comes back with the same id and timer, audio both ways within 3 s of registering, no new ring on either side, one ring/answer/hang-up at the CRM', async ({ phones, lab }) => {
  const agent = await phones({ user: nextUser(), settings: eventSettings(lab) })
  const customer = await phones({ user: nextUser() })
  await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS, COUNT_POPUPS)
  await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS, COUNT_POPUPS)

  const callId = await talking(customer, agent)
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer'])
  const requestId = eventIds(lab)[0]
  await expect(agent.page.getByTestId('resume-hint')).toBeVisible()
  const customerCallId = await customer.page.getByTestId('call').getAttribute('data-call-id')

  const registeredAt = await pressF5(agent.page)
  const call = agent.page.getByTestId('call')
  await expect(call).toHaveAttribute('data-call-id', callId)
  await expect(call).toHaveAttribute('data-state', 'active')
  await Promise.all([audioFlows(agent.page), audioFlows(customer.page)])
  const back = Date.now() - registeredAt
  expect(back, `audio both ways ${back} ms after registering`).toBeLessThan(3000)
  // The timer goes on from the first answer, not from the resume.
  await expect(call).toContainText(/0:0[3-9]|0:[1-5]\d/)
  await expect(agent.page.getByTestId('call-hangup')).toBeVisible()
  // The customer's phone kept its call card: same call, no new ring.
  await expect(customer.page.getByTestId('call')).toHaveCount(1)
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-call-id', customerCallId!)
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  expect(await popupsSeen(customer.page)).toBe(0)
  expect(await popupsSeen(agent.page)).toBe(0)

  await agent.page.getByTestId('call-hangup').click()
  for (const p of [agent.page, customer.page]) await expect(p.getByTestId('idle')).toBeVisible()
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
  expect(eventIds(lab).every((id) => id === requestId)).toBe(true)
  // One history row for the whole call, ended, its talk time counted from the first answer.
  await expect.poll(() => agent.page.evaluate(historyRows).then((rows) => rows.map((r) => [r.callId, r.result, r.cutOff]))).toEqual([[callId, 'answered', false]])
  expect((await agent.page.evaluate(historyRows))[0]!.durationSeconds).toBeGreaterThanOrEqual(3)
})

test('closing the tab on purpose during a call still ends it at once, and its hang-up access arrives (keepalive)', async ({ phones, lab }) => {
  const agent = await phones({ user: nextUser(), settings: eventSettings(lab) })
  const customer = await phones({ user: nextUser() })
  await dial(customer.page, agent.user)
  await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect.poll(() => eventAccesses(lab).length).toBe(2)
  const asked = agent.page.waitForEvent('dialog')
  await agent.page.close({ runBeforeUnload: true })
  const dialog = await asked
  expect(dialog.type()).toBe('beforeunload')
  await dialog.accept()
  await expect(customer.page.getByTestId('idle')).toBeVisible()
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
})

test('a reload without a reload key (the toolbar button) asks first, as closing does; confirmed, the call ends with its hang-up access', async ({ phones, lab }) => {
  const agent = await phones({ user: nextUser(), settings: eventSettings(lab) })
  const customer = await phones({ user: nextUser() })
  await dial(customer.page, agent.user)
  await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect.poll(() => eventAccesses(lab).length).toBe(2)
  const prompts: string[] = []
  agent.page.on('dialog', (d) => { prompts.push(d.type()); void d.accept() })
  await agent.page.reload()
  expect(prompts).toEqual(['beforeunload'])
  await expect(customer.page.getByTestId('idle')).toBeVisible()
  await expect(agent.page.getByTestId('idle')).toBeVisible()
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
})

test('after a renderer crash a new page takes the call back: same call id, audio both ways, no ring', async ({ phones, lab }) => {
  const customer = await phones({ user: nextUser() })
  await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS, COUNT_POPUPS)
  const browser = await ownBrowser()
  try {
    const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
    await context.addInitScript(TRACK_PEER_CONNECTIONS)
    const options = { user: nextUser(), settings: eventSettings(lab) }
    const first = await context.newPage()
    await provisionPage(first, lab, options)
    const agent = { page: first, context, user: options.user }
    const callId = await talking(customer, agent)
    await crashRenderers(browser, first)

    const second = await context.newPage()
    await provisionPage(second, lab, options)
    const registeredAt = Date.now()
    await expect(second.getByTestId('call')).toHaveAttribute('data-call-id', callId)
    await expect(second.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await Promise.all([audioFlows(second), audioFlows(customer.page)])
    expect(Date.now() - registeredAt).toBeLessThan(3000)
    expect(await popupsSeen(customer.page)).toBe(0)
    await expect(customer.page.getByTestId('call')).toHaveCount(1)
    await second.getByTestId('call-hangup').click()
    await expect(customer.page.getByTestId('idle')).toBeVisible()
    await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
  } finally {
    await browser.close()
  }
})

test('the other side no longer has the call (481): the phone says it could not be resumed, offers to call back, and the hang-up access runs once', async ({ phones, lab }) => {
  const customer = await phones({ user: nextUser() })
  await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS)
  const browser = await ownBrowser()
  try {
    const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
    await context.addInitScript(TRACK_PEER_CONNECTIONS)
    const options = { user: nextUser(), settings: eventSettings(lab) }
    const first = await context.newPage()
    await provisionPage(first, lab, options)
    await talking(customer, { page: first, context, user: options.user })
    await crashRenderers(browser, first)
    // While the phone is gone the customer hangs up: the dialog the next page finds is dead.
    await customer.page.getByTestId('call-hangup').click()
    await expect(customer.page.getByTestId('idle')).toBeVisible()

    const second = await context.newPage()
    await provisionPage(second, lab, options)
    const notice = second.getByTestId('phone-notice').and(second.locator('[data-kind=resume-failed]'))
    await expect(notice).toContainText('could not be resumed')
    await expect(notice).toContainText(customer.user)
    await expect(second.getByTestId('call')).toHaveCount(0)
    await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
    // Call back: a new call to the customer.
    await notice.getByTestId('resume-call-back').click()
    await expect(customer.page.getByTestId('incoming-popup')).toBeVisible()
    await customer.page.getByTestId('call-decline').click()
  } finally {
    await browser.close()
  }
})

/** The lab's sip.js test peer (`lab/peer/`), registered as `user`. */
async function sipJsPeer(context: BrowserContext, peerUrl: string, lab: Lab, user: string): Promise<Page> {
  const page = await context.newPage()
  await page.addInitScript(TRACK_PEER_CONNECTIONS)
  await page.goto(peerUrl)
  await page.waitForFunction(() => 'peer' in window)
  await page.evaluate((o) => (window as unknown as { peer: { start(o: unknown): Promise<void> } }).peer.start(o), { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user })
  return page
}

interface PeerState { rang: number; replaced: number; refused: number; active: boolean; ended: number }
const peerState = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { peer: { state: PeerState } }).peer.state }))

test.describe('with the sip.js test peer (full API, Replaces)', () => {
  let peerServer: Awaited<ReturnType<typeof startPeerServer>>
  test.beforeAll(async () => { peerServer = await startPeerServer() })
  test.afterAll(async () => { await peerServer.stop() })

  test('the peer calls, the agent answers, F5: the peer swaps legs without ringing and audio flows both ways within 3 s', async ({ phones, lab, browser }) => {
    const agent = await phones({ user: nextUser(), settings: eventSettings(lab) })
    await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS, COUNT_POPUPS)
    const context = await browser.newContext({ permissions: ['microphone'] })
    try {
      const peer = await sipJsPeer(context, peerServer.url, lab, nextUser())
      await peer.evaluate((to) => { void (window as unknown as { peer: { call(t: string): Promise<void> } }).peer.call(to) }, agent.user)
      await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
      await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
      const callId = await agent.page.getByTestId('call').getAttribute('data-call-id')
      await Promise.all([audioFlows(agent.page), audioFlows(peer)])

      const registeredAt = await pressF5(agent.page)
      await expect(agent.page.getByTestId('call')).toHaveAttribute('data-call-id', callId!)
      await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
      await Promise.all([audioFlows(agent.page), audioFlows(peer)])
      expect(Date.now() - registeredAt).toBeLessThan(3000)
      expect(await peerState(peer)).toMatchObject({ rang: 0, replaced: 1, refused: 0, active: true })
      expect(await popupsSeen(agent.page)).toBe(0)
      await agent.page.getByTestId('call-hangup').click()
      await expect.poll(async () => (await peerState(peer)).active).toBe(false)
      await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
    } finally {
      await context.close()
    }
  })

  test('a peer that rejects Replaces (420): a clear message, its old leg ended (nobody in silence), the hang-up access once', async ({ phones, lab, browser }) => {
    const agent = await phones({ user: nextUser(), settings: eventSettings(lab) })
    const context = await browser.newContext({ permissions: ['microphone'] })
    try {
      const peerUser = nextUser()
      const peer = await sipJsPeer(context, peerServer.url, lab, peerUser)
      await peer.evaluate(() => (window as unknown as { peer: { rejectReplacesWith(s: number): void } }).peer.rejectReplacesWith(420))
      await peer.evaluate((to) => { void (window as unknown as { peer: { call(t: string): Promise<void> } }).peer.call(to) }, agent.user)
      await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
      await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
      await expect.poll(() => eventAccesses(lab).length).toBe(2)

      await pressF5(agent.page)
      const notice = agent.page.getByTestId('phone-notice').and(agent.page.locator('[data-kind=resume-failed]'))
      await expect(notice).toContainText('could not be resumed')
      await expect(notice).toContainText('420')
      await expect(agent.page.getByTestId('call')).toHaveCount(0)
      await expect.poll(async () => (await peerState(peer)).active).toBe(false)
      expect(await peerState(peer)).toMatchObject({ refused: 1, replaced: 0 })
      await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
      // Once: nothing more arrives (the page's last word on this call was the hang-up).
      await expectStays(async () => eventAccesses(lab).length, 3, 1000)
    } finally {
      await context.close()
    }
  })
})
