import type { Browser, BrowserContext, Page } from '@playwright/test'
import { audioFlows, COUNT_POPUPS, dial, expectStays, popupsSeen, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { eventIds, eventPaths, eventSettings, historyRows } from './call-events'
import { expect, nextUser, provisionPage, test as labTest, type Lab, type Phone } from './fixtures'
import { pressF5, rendererPids } from './page-life'

/** Does `page` answer within `ms`? (A page whose renderer is paused does not.) */
function answers(page: Page, ms = 400): Promise<boolean> {
  return Promise.race([
    page.evaluate(() => true).catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ])
}

/**
 * The renderer process of `page` alone: each renderer of the browser is paused in turn, and the
 * one that stops `page` (and none of `others`) is it. Fails if `page` shares it with another.
 */
async function ownRenderer(browser: Browser, page: Page, others: Page[]): Promise<number> {
  for (const id of await rendererPids(browser)) {
    process.kill(id, 'SIGSTOP')
    let stops: boolean[]
    try {
      stops = await Promise.all([page, ...others].map(async (p) => !(await answers(p))))
    } finally {
      process.kill(id, 'SIGCONT')
    }
    if (!stops[0]) continue
    expect(stops.slice(1), 'the other tabs share the leader\'s renderer').not.toContain(true)
    // Let the page catch up with what it missed while paused before the test goes on.
    await expect.poll(() => answers(page)).toBe(true)
    return id
  }
  throw new Error('no renderer of its own found for the page')
}

/** Two tabs of the phone in `context`: the leader (registered) and a follower queued for the line. */
async function agentTabs(lab: Lab, context: BrowserContext, user: string): Promise<{ leader: Page; follower: Page }> {
  const options = { user, settings: eventSettings(lab) }
  const leader = await context.newPage()
  await provisionPage(leader, lab, options)
  await expect(leader.getByTestId('registration-status')).toHaveAttribute('data-leader', 'true')
  const follower = await context.newPage()
  await provisionPage(follower, lab, { ...options, noWait: true })
  const status = follower.getByTestId('registration-status')
  await expect(status).toHaveAttribute('data-leader', 'false')
  await expect(status).toHaveAttribute('data-state', 'registered')
  return { leader, follower }
}

/**
 * Each test's scene: the customer (a page of its own) and the agent's two tabs in one browser
 * context, every page counting its popups and keeping its peer connections; the context closes
 * after the test.
 */
interface Scene {
  customer: Phone
  user: string
  leader: Page
  follower: Page
}

const test = labTest.extend<{ scene: Scene }>({
  scene: async ({ browser, lab, phones }, use) => {
    const customer = await phones({ user: nextUser() })
    await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS, COUNT_POPUPS)
    const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
    try {
      await context.addInitScript(TRACK_PEER_CONNECTIONS)
      await context.addInitScript(COUNT_POPUPS)
      const user = nextUser()
      await use({ customer, user, ...await agentTabs(lab, context, user) })
    } finally {
      await context.close()
    }
  },
})

/** The call each test starts from: its ids on both sides, and the follower's popups so far. */
interface OnCall {
  callId: string
  customerCallId: string
  followerPopups: number
}

/**
 * The customer calls the agent, the leader answers; resolves once audio flows both ways, the
 * follower shows the call too and the CRM had its ring and answer.
 */
async function talking(lab: Lab, { customer, user, leader, follower }: Scene): Promise<OnCall> {
  await dial(customer.page, user)
  await leader.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  for (const p of [customer.page, leader, follower]) await expect(p.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await Promise.all([audioFlows(customer.page), audioFlows(leader)])
  const callId = (await leader.getByTestId('call').getAttribute('data-call-id'))!
  await expect(follower.getByTestId('call')).toHaveAttribute('data-call-id', callId)
  const customerCallId = (await customer.page.getByTestId('call').getAttribute('data-call-id'))!
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer'])
  return { callId, customerCallId, followerPopups: await popupsSeen(follower) }
}

/** What the follower must show once it took the line and the call: same call, active, its audio both ways. */
async function tookTheCall(follower: Page, customer: Phone, callId: string, customerCallId: string): Promise<void> {
  const status = follower.getByTestId('registration-status')
  await expect(status).toHaveAttribute('data-leader', 'true')
  await expect(status).toHaveAttribute('data-state', 'registered')
  const call = follower.getByTestId('call')
  await expect(call).toHaveCount(1)
  await expect(call).toHaveAttribute('data-call-id', callId)
  await expect(call).toHaveAttribute('data-state', 'active')
  await Promise.all([audioFlows(follower), audioFlows(customer.page)])
  // The customer's phone kept its call: same call card, no new ring.
  await expect(customer.page.getByTestId('call')).toHaveCount(1)
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-call-id', customerCallId)
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  expect(await popupsSeen(customer.page)).toBe(0)
}

/**
 * One record of the call: at the CRM one ring, one answer and one hang-up, all with its `{ID}`;
 * in the history one row, answered, and not cut off unless `mayBeCutOff` (a page closed mid-call
 * may not finish its last IndexedDB write: its row can stay cut off, see `history.test.ts`).
 */
async function oneRecord(lab: Lab, page: Page, callId: string, mayBeCutOff = false): Promise<void> {
  await expect.poll(() => eventPaths(lab)).toEqual(['/event/ring', '/event/answer', '/event/hangup'])
  expect(new Set(eventIds(lab)).size).toBe(1)
  const rows = () => page.evaluate(historyRows).then((list) => list.map((r) => [r.callId, r.result, mayBeCutOff || r.cutOff]))
  await expect.poll(rows).toEqual([[callId, 'answered', mayBeCutOff]])
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
})

test('the leader\'s renderer crashes during a call → the other tab takes the line and the call: same call id, active, audio both ways, no new ring, one ring/answer/hang-up at the CRM', async ({ browser, lab, scene }) => {
  const { customer, leader, follower } = scene
  const leaderRenderer = await ownRenderer(browser, leader, [follower, customer.page])
  const { callId, customerCallId, followerPopups } = await talking(lab, scene)
  // The leader's dialog is kept (its heartbeat): the hint says the call survives a reload.
  await expect(leader.getByTestId('resume-hint')).toContainText('continues after the reload')

  const crashed = leader.waitForEvent('crash')
  const crashAt = Date.now()
  process.kill(leaderRenderer, 'SIGKILL')
  await crashed
  await tookTheCall(follower, customer, callId, customerCallId)
  console.log(`take-over rejoin after the leader's renderer crashed: audio both ways ${Date.now() - crashAt} ms after the SIGKILL`)
  expect(await popupsSeen(follower)).toBe(followerPopups)
  expect(eventPaths(lab)).toEqual(['/event/ring', '/event/answer'])

  await follower.getByTestId('call-hangup').click()
  for (const p of [follower, customer.page]) await expect(p.getByTestId('idle')).toBeVisible()
  await oneRecord(lab, follower, callId)
})

test('the leader reloads (F5) during a call while the other tab waits for the line → that tab takes the call (same id, audio both ways, no ring); the reloaded page follows it and shows the call', async ({ lab, scene }) => {
  const { customer, leader, follower } = scene
  const { callId, customerCallId, followerPopups } = await talking(lab, scene)

  const reloadAt = Date.now()
  await pressF5(leader)
  await tookTheCall(follower, customer, callId, customerCallId)
  console.log(`take-over rejoin after the leader reloaded: audio both ways ${Date.now() - reloadAt} ms after the reload began`)
  expect(await popupsSeen(follower)).toBe(followerPopups)
  // The reloaded page found the line taken: it follows and shows the call through the relay.
  const status = leader.getByTestId('registration-status')
  await expect(status).toHaveAttribute('data-leader', 'false')
  await expect(status).toHaveAttribute('data-state', 'registered')
  await expect(leader.getByTestId('call')).toHaveAttribute('data-call-id', callId)
  await expect(leader.getByTestId('call')).toHaveAttribute('data-state', 'active')
  expect(await popupsSeen(leader)).toBe(0)
  expect(eventPaths(lab)).toEqual(['/event/ring', '/event/answer'])

  // Hung up from the reloaded page, through the new leader.
  await leader.getByTestId('call-hangup').click()
  for (const p of [follower, leader, customer.page]) await expect(p.getByTestId('idle')).toBeVisible()
  await oneRecord(lab, follower, callId)
})

test('closing the leader\'s tab on purpose during a call (the leave prompt confirmed) still ends the call at once with BYE: the other tab takes the line, not the call; one hang-up', async ({ lab, scene }) => {
  const { customer, leader, follower } = scene
  const { callId } = await talking(lab, scene)
  await expect(leader.getByTestId('resume-hint')).toBeVisible()

  const asked = leader.waitForEvent('dialog')
  const closing = leader.close({ runBeforeUnload: true })
  const prompt = await asked
  expect(prompt.type()).toBe('beforeunload')
  await prompt.accept()
  await closing
  await expect(customer.page.getByTestId('idle')).toBeVisible()
  const status = follower.getByTestId('registration-status')
  await expect(status).toHaveAttribute('data-leader', 'true')
  await expect(status).toHaveAttribute('data-state', 'registered')
  await expect(follower.getByTestId('idle')).toBeVisible()
  await oneRecord(lab, follower, callId, true)
  // The new leader does not take the call back later either (it was ended on purpose).
  await expectStays(async () => [await follower.getByTestId('call').count(), await customer.page.getByTestId('call').count(), eventPaths(lab).length], [0, 0, 3], 1500)
})

test('"use here" in the other tab during a call moves the call with the line: same call id, active, audio both ways in the new tab, no BYE, no new ring, one ring/answer/hang-up', async ({ lab, scene }) => {
  const { customer, leader, follower } = scene
  const { callId, customerCallId, followerPopups } = await talking(lab, scene)

  const movedAt = Date.now()
  await follower.getByTestId('line-use-here').click()
  await tookTheCall(follower, customer, callId, customerCallId)
  console.log(`"use here" during a call: audio both ways in the new tab ${Date.now() - movedAt} ms after the click`)
  expect(await popupsSeen(follower)).toBe(followerPopups)
  // The old tab follows and shows the call through the new one; its media is closed.
  await expect(leader.getByTestId('registration-status')).toHaveAttribute('data-leader', 'false')
  await expect(leader.getByTestId('line-elsewhere')).toHaveAttribute('data-reason', 'moved')
  await expect(leader.getByTestId('call')).toHaveAttribute('data-call-id', callId)
  await expect(leader.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(leader.locator('audio[data-testid=remote-audio]')).toHaveCount(0)
  expect(eventPaths(lab)).toEqual(['/event/ring', '/event/answer'])

  await follower.getByTestId('call-hangup').click()
  for (const p of [follower, leader, customer.page]) await expect(p.getByTestId('idle')).toBeVisible()
  await oneRecord(lab, follower, callId)
})
