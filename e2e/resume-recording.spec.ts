import type { BrowserContext, Page } from '@playwright/test'
import { startPeerServer } from '../lab/peer-server.mjs'
import { audioDirections, audioFlows, dial, expectStays, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { expect, nextUser, provisionPage, test, type Lab, type Phone } from './fixtures'
import { crashRenderers, ownBrowser, pressF5 } from './page-life'

/**
 * Issue 12 with issue 10: a call resumed after F5 is the same call, also for its recording and
 * its hold. The recording goes on as part 2 of the call (each part its own file and upload,
 * `{PART}`), and a call on hold comes back on hold. The other party is a second page of the
 * phone; the CRM stand-in reads each uploaded file (container, codec, duration).
 */

/** `caller` dials `callee`, who answers; resolves when both cards are active, with when. */
async function talking(caller: Phone, callee: Phone): Promise<number> {
  await dial(caller.page, callee.user)
  await callee.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  for (const p of [caller.page, callee.page]) await expect(p.getByTestId('call')).toHaveAttribute('data-state', 'active')
  return Date.now()
}

function recordingSettings(lab: Lab) {
  return {
    agent: { id: 'agent01', password: 'pass01' },
    recording: { mode: 'auto' },
    cti: {
      target: 'custom',
      timeoutSeconds: 5,
      // The customer is another browser phone: an extension, internal by the default pattern.
      skipInternal: false,
      accesses: { recording: { method: 'post-internal', url: `${lab.crm.url}/recordings?id={ID}&part={PART}`, fields: { rec: '{RECORDED}' } } },
    },
  }
}

test.beforeEach(async ({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
  await fetch(`${lab.crm.url}/api/recordings`, { method: 'DELETE' })
})

test('a recorded call resumed after F5 reaches the CRM as two WebM/Opus files, parts 1 and 2 of one {ID}, each once, their durations the call\'s', async ({ phones, lab }) => {
  const agent = await phones({ user: nextUser(), settings: recordingSettings(lab) })
  const customer = await phones({ user: nextUser() })
  const answeredAt = await talking(customer, agent)
  const call = agent.page.getByTestId('call')
  const callId = await call.getAttribute('data-call-id')
  await expect(call.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
  await expect(call.getByTestId('call-timer')).toHaveText('0:03', { timeout: 6000 })

  const leftAt = Date.now()
  await pressF5(agent.page)
  await expect(call).toHaveAttribute('data-call-id', callId!)
  await expect(call).toHaveAttribute('data-state', 'active')
  // Part 2 records from the new leg on.
  await expect(call.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
  const backAt = Date.now()
  await expect(call.getByTestId('call-timer')).toHaveText(/0:0[89]|0:1\d/, { timeout: 10_000 })
  await agent.page.getByTestId('call-hangup').click()
  const endedAt = Date.now()
  await expect(agent.page.getByTestId('idle')).toBeVisible()

  await expect.poll(() => lab.crm.recordings().length, { timeout: 15_000 }).toBe(2)
  const uploads = lab.crm.recordings().sort((a, b) => a.part.localeCompare(b.part))
  expect(uploads.map((u) => u.part)).toEqual(['1', '2'])
  expect(uploads[0]!.id).toMatch(/^\d{20}$/)
  expect(uploads[1]!.id).toBe(uploads[0]!.id)
  expect(uploads.map((u) => u.filename)).toEqual([`${uploads[0]!.id}.webm`, `${uploads[0]!.id}-2.webm`])
  for (const upload of uploads) {
    expect(upload.media).toMatchObject({ container: 'webm', codec: 'opus' })
    expect(upload.fields).toMatchObject({ rec: '1' })
  }
  const [one, two] = uploads.map((u) => u.media.durationMs!)
  test.info().annotations.push({ type: 'figures', description: `talk ${endedAt - answeredAt} ms, part 1 ${one} ms of ${leftAt - answeredAt}, part 2 ${two} ms of ${endedAt - backAt}, reload gap ${backAt - leftAt} ms` })
  // Part 1: answer to the reload, at most its last second (the chunk not yet handed over) lost.
  expect(one!, `part 1 ${one} ms of ${leftAt - answeredAt}`).toBeGreaterThan(leftAt - answeredAt - 2000)
  expect(one!).toBeLessThan(leftAt - answeredAt + 1000)
  // Part 2: the new leg to the hang-up.
  expect(Math.abs(two! - (endedAt - backAt)), `part 2 ${two} ms of ${endedAt - backAt}`).toBeLessThan(1500)
  // Together the call's length, less the seconds the reload took.
  expect(one! + two!).toBeLessThanOrEqual(endedAt - answeredAt + 500)
  await expectStays(async () => lab.crm.recordings().map((u) => u.received), [1, 1])

  // The history row lists both parts, each playable.
  await agent.page.getByRole('button', { name: /History/ }).click()
  const row = agent.page.getByTestId('history-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('history-recording-delivery')).toHaveAttribute('data-state', 'delivered')
  await expect(row.getByTestId('history-recording-delivery-2')).toHaveAttribute('data-state', 'delivered')
  await expect(row.getByTestId('history-recording-play')).toBeVisible()
  await row.getByTestId('history-recording-play-2').click()
  await expect(agent.page.getByTestId('history-recording-player')).toHaveAttribute('src', /^blob:/)
})

test('after a renderer crash the part recorded so far is not lost: the new page finishes it from its stored chunks and records part 2', async ({ phones, lab }) => {
  const customer = await phones({ user: nextUser() })
  const browser = await ownBrowser()
  try {
    const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
    const options = { user: nextUser(), settings: recordingSettings(lab) }
    const first = await context.newPage()
    await provisionPage(first, lab, options)
    const answeredAt = await talking(customer, { page: first, context, user: options.user })
    await expect(first.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
    await expect(first.getByTestId('call-timer')).toHaveText('0:04', { timeout: 7000 })
    const crashedAt = Date.now()
    await crashRenderers(browser, first)

    const second = await context.newPage()
    await provisionPage(second, lab, options)
    await expect(second.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await expect(second.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
    await expect(second.getByTestId('call-timer')).toHaveText(/0:(09|1\d)/, { timeout: 10_000 })
    await second.getByTestId('call-hangup').click()
    await expect(customer.page.getByTestId('idle')).toBeVisible()

    await expect.poll(() => lab.crm.recordings().length, { timeout: 15_000 }).toBe(2)
    const [one, two] = lab.crm.recordings().sort((a, b) => a.part.localeCompare(b.part))
    expect([one!.part, two!.part]).toEqual(['1', '2'])
    expect(two!.id).toBe(one!.id)
    expect(one!.media).toMatchObject({ container: 'webm', codec: 'opus' })
    // Chunks are stored once a second: a crash loses at most about that much of part 1.
    const upToCrash = crashedAt - answeredAt
    test.info().annotations.push({ type: 'figures', description: `part 1 ${one!.media.durationMs} ms of ${upToCrash} ms up to the crash, part 2 ${two!.media.durationMs} ms` })
    expect(one!.media.durationMs!, `part 1 ${one!.media.durationMs} ms of ${upToCrash}`).toBeGreaterThan(upToCrash - 2500)
    expect(one!.media.durationMs!).toBeLessThan(upToCrash + 1000)
    expect(two!.media).toMatchObject({ container: 'webm', codec: 'opus' })
    expect(two!.media.durationMs!).toBeGreaterThan(1000)
  } finally {
    await browser.close()
  }
})

test('a call on hold stays on hold across F5: the new leg offers sendonly, the card shows it held, and resuming it brings the audio back', async ({ phones }) => {
  const agent = await phones({ user: nextUser() })
  const customer = await phones({ user: nextUser() })
  await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS)
  await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS)
  await talking(customer, agent)
  await agent.page.getByTestId('hold').click()
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-held', 'true')
  await expect(customer.page.getByTestId('remote-held')).toBeVisible()

  await pressF5(agent.page)
  const call = agent.page.getByTestId('call')
  await expect(call).toHaveAttribute('data-state', 'active')
  await expect(call).toHaveAttribute('data-held', 'true')
  // The new leg was negotiated held: we only send (silence), the customer only receives.
  // (The customer's old leg closes when its BYE to the page that went away times out: read the newest.)
  await expect.poll(async () => (await audioDirections(agent.page)).at(-1)).toBe('sendonly')
  await expect.poll(async () => (await audioDirections(customer.page)).at(-1)).toBe('recvonly')
  await expect(customer.page.getByTestId('remote-held')).toBeVisible()

  await agent.page.getByTestId('hold').click()
  await expect(call).toHaveAttribute('data-held', 'false')
  await expect.poll(async () => (await audioDirections(customer.page)).at(-1)).toBe('sendrecv')
  await expect(customer.page.getByTestId('remote-held')).toHaveCount(0)
  await Promise.all([audioFlows(agent.page), audioFlows(customer.page)])
  await agent.page.getByTestId('call-hangup').click()
  await expect(customer.page.getByTestId('idle')).toBeVisible()
})

test('held by the other side before F5: the resumed call shows that again, and audio flows once the other side resumes', async ({ phones }) => {
  const agent = await phones({ user: nextUser() })
  const customer = await phones({ user: nextUser() })
  await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS)
  await withInitScripts(customer.page, TRACK_PEER_CONNECTIONS)
  await talking(customer, agent)
  await customer.page.getByTestId('hold').click()
  await expect(agent.page.getByTestId('remote-held')).toBeVisible()

  await pressF5(agent.page)
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(agent.page.getByTestId('remote-held')).toBeVisible()
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-held', 'false')
  await expect(customer.page.getByTestId('call')).toHaveAttribute('data-held', 'true')

  await customer.page.getByTestId('hold').click()
  await expect(agent.page.getByTestId('remote-held')).toHaveCount(0)
  await Promise.all([audioFlows(agent.page), audioFlows(customer.page)])
  await agent.page.getByTestId('call-hangup').click()
  await expect(customer.page.getByTestId('idle')).toBeVisible()
})

test.describe('with the sip.js test peer (full API, Replaces)', () => {
  let peerServer: Awaited<ReturnType<typeof startPeerServer>>
  test.beforeAll(async () => { peerServer = await startPeerServer() })
  test.afterAll(async () => { await peerServer.stop() })

  async function sipJsPeer(context: BrowserContext, lab: Lab, user: string): Promise<Page> {
    const page = await context.newPage()
    await page.addInitScript(TRACK_PEER_CONNECTIONS)
    await page.goto(peerServer.url)
    await page.waitForFunction(() => 'peer' in window)
    await page.evaluate((o) => (window as unknown as { peer: { start(o: unknown): Promise<void> } }).peer.start(o), { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user })
    return page
  }
  const peerState = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { peer: { state: Record<string, unknown> } }).peer.state }))

  test('held, F5: the peer takes the sendonly offer without ringing and answers recvonly; after resuming, audio flows both ways', async ({ phones, lab, browser }) => {
    const agent = await phones({ user: nextUser() })
    await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS)
    const context = await browser.newContext({ permissions: ['microphone'] })
    try {
      const peer = await sipJsPeer(context, lab, nextUser())
      await peer.evaluate((to) => { void (window as unknown as { peer: { call(t: string): Promise<void> } }).peer.call(to) }, agent.user)
      await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
      const call = agent.page.getByTestId('call')
      await expect(call).toHaveAttribute('data-state', 'active')
      await agent.page.getByTestId('hold').click()
      await expect(call).toHaveAttribute('data-held', 'true')

      await pressF5(agent.page)
      await expect(call).toHaveAttribute('data-state', 'active')
      await expect(call).toHaveAttribute('data-held', 'true')
      await expect.poll(async () => (await audioDirections(agent.page)).at(-1)).toBe('sendonly')
      await expect.poll(async () => (await audioDirections(peer)).at(-1)).toBe('recvonly')
      // Its microphone had to be moved onto the negotiated transceiver (lab/peer/peer.js, JSEP §5.10).
      expect(await peerState(peer)).toMatchObject({ rang: 0, replaced: 1, adopted: 1, active: true })

      await agent.page.getByTestId('hold').click()
      await expect(call).toHaveAttribute('data-held', 'false')
      await Promise.all([audioFlows(agent.page), audioFlows(peer)])
      await agent.page.getByTestId('call-hangup').click()
      await expect.poll(async () => (await peerState(peer)).active).toBe(false)
    } finally {
      await context.close()
    }
  })
})
