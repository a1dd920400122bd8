import type { BrowserContext, Page } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { dial, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { expect, nextUser, provisionPage, test, type Lab } from './fixtures'

/**
 * One line, many tabs (issue 11 item 4): of the phone's tabs in one browser, exactly one (the
 * leader) registers, holds the CRM session and runs the CTI accesses; the others show its line
 * and work it through it over BroadcastChannel. When the leader's tab closes or crashes, another
 * tab takes the line by itself (Web Locks queue) and rings for the next call.
 */

/** How many contacts Kamailio holds for `user` (from `kamcmd ul.dump`). */
function contactsOf(dump: string, user: string): number {
  const aor = dump.split(/AoR: /).find((block) => block.startsWith(`${user}\n`))
  return aor ? (aor.match(/Address: /g) ?? []).length : 0
}

/** The Call-ID of `user`'s (first) binding: a new REGISTER dialog has a new one. */
function callIdOf(dump: string, user: string): string | undefined {
  const aor = dump.split(/AoR: /).find((block) => block.startsWith(`${user}\n`))
  return aor ? /Call-ID: (\S+)/.exec(aor)?.[1] : undefined
}

/** Bytes of audio received on the page's RTCPeerConnection(s), read from getStats(). */
async function audioBytesReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    let total = 0
    for (const pc of pcs) {
      const stats = await pc.getStats()
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0
      })
    }
    return total
  })
}

/** A CTI setup whose every access the CRM stand-in records: login (provisioned agent), search, ring. */
function ctiSettings(lab: Lab) {
  const crm = lab.crm.url
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      // The first caller is another agent's browser (an extension): integrate its calls too.
      skipInternal: false,
      accesses: {
        auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        ring: { method: 'get-internal', url: `${crm}/event/ring?tel={TEL}&id={ID}` },
      },
    },
  }
}

/** CRM requests of one kind (`/search`, `/event/ring`, `/login`) for `tel` (any tel when omitted). */
function accesses(lab: Lab, path: string, tel?: string): number {
  return lab.crm.requests().filter((r) => r.path === path && (tel === undefined || new URLSearchParams(r.query ?? '').get('tel') === tel)).length
}

/**
 * The leader tab, then a second tab of the same browser. The lab's Kamailio keeps one contact
 * per user (`save("location", "0x04")`), so one contact alone would not show that only one tab
 * registered: `sockets` lists the SIP WebSockets each tab opened.
 */
async function agentTabs(lab: Lab, context: BrowserContext, user: string) {
  const options = { user, settings: ctiSettings(lab), noWait: true }
  const sockets = { first: [] as string[], second: [] as string[] }
  const first = await context.newPage()
  first.on('websocket', (ws) => sockets.first.push(ws.url().replace(/\/$/, '')))
  await provisionPage(first, lab, options)
  const firstStatus = first.getByTestId('registration-status')
  await expect(firstStatus).toHaveAttribute('data-state', 'registered')
  await expect(firstStatus).toHaveAttribute('data-leader', 'true')
  await expect(first.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const second = await context.newPage()
  second.on('websocket', (ws) => sockets.second.push(ws.url().replace(/\/$/, '')))
  await provisionPage(second, lab, options)
  const secondStatus = second.getByTestId('registration-status')
  await expect(secondStatus).toHaveAttribute('data-leader', 'false')
  await expect(secondStatus).toHaveAttribute('data-state', 'registered')
  await expect(second.getByTestId('line-elsewhere')).toHaveAttribute('data-reason', 'busy')
  expect(sockets.first).toEqual([lab.kamailio.wsUrl])
  expect(sockets.second).toEqual([])
  return { first, second, sockets }
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('two tabs: one registration; the second answers through the first (audio in the first); the first closes → the second registers within 3 s and rings', async ({ browser, lab, phones }) => {
  const caller = await phones({ user: nextUser() })
  await withInitScripts(caller.page, TRACK_PEER_CONNECTIONS)
  const user = nextUser()
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
  try {
    await context.addInitScript(TRACK_PEER_CONNECTIONS)
    const { first, second, sockets } = await agentTabs(lab, context, user)
    await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
    // One CRM session: only the leader logged in.
    expect(accesses(lab, '/login')).toBe(1)

    await dial(caller.page, user)
    await expect(first.getByTestId('incoming-popup')).toHaveCount(1)
    const popup = second.getByTestId('incoming-popup')
    await expect(popup).toHaveCount(1)
    await expect(popup).toContainText(caller.user)
    await popup.getByTestId('popup-answer').click()
    await expect(first.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await expect(second.getByTestId('call')).toHaveAttribute('data-state', 'active')
    await expect(caller.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
    // The voice is in the leader's tab, both ways; the follower has no media at all.
    await expect.poll(() => audioBytesReceived(first)).toBeGreaterThan(0)
    await expect.poll(() => audioBytesReceived(caller.page)).toBeGreaterThan(0)
    expect(await second.evaluate(() => (window as unknown as { __tsunaguPeerConnections?: unknown[] }).__tsunaguPeerConnections?.length ?? 0)).toBe(0)
    await expect(first.locator('audio[data-testid=remote-audio]')).toHaveCount(1)
    await expect(second.locator('audio[data-testid=remote-audio]')).toHaveCount(0)

    // Hold and hang up from the follower, too.
    await second.getByTestId('hold').click()
    await expect(first.getByTestId('call')).toHaveAttribute('data-held', 'true')
    await second.getByTestId('call-hangup').click()
    await expect(caller.page.getByTestId('call')).toHaveCount(0)
    await expect(second.getByTestId('call')).toHaveCount(0)
    // Each access once for the call, from the leader.
    expect(accesses(lab, '/search', caller.user)).toBe(1)
    expect(accesses(lab, '/event/ring', caller.user)).toBe(1)

    const closedAt = Date.now()
    await first.close()
    const status = second.getByTestId('registration-status')
    await expect(status).toHaveAttribute('data-leader', 'true', { timeout: 3000 })
    await expect(status).toHaveAttribute('data-state', 'registered', { timeout: Math.max(1, 3000 - (Date.now() - closedAt)) })
    await lab.kamailio.waitForRegistration(user)
    const tookOverMs = Date.now() - closedAt
    console.log(`take-over after the leader's tab closed: registered ${tookOverMs} ms after close()`)
    expect(tookOverMs).toBeLessThan(3000)
    await expect(second.getByTestId('line-elsewhere')).toHaveCount(0)
    await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
    // Only now did the second tab connect to the PBX.
    expect(sockets.second).toEqual([lab.kamailio.wsUrl])

    const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678' })
    await expect(second.getByTestId('incoming-popup')).toHaveCount(1)
    await sipp.hangUp()
    expect((await sipp.done).code).toBe(0)
    await expect(second.getByTestId('incoming-popup')).toHaveCount(0)
    // The new leader logged in again and ran the next call's accesses once; nothing of the old call was replayed.
    await expect.poll(() => accesses(lab, '/event/ring', '0312345678')).toBe(1)
    expect(accesses(lab, '/search', '0312345678')).toBe(1)
    expect(accesses(lab, '/search', caller.user)).toBe(1)
    expect(accesses(lab, '/event/ring', caller.user)).toBe(1)
  } finally {
    await context.close()
  }
})

test('the leader\'s renderer crashes with a call ringing → the other tab takes the line within 3 s and rings for the next call; the ring is not replayed', async ({ browser, lab }) => {
  const user = nextUser()
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
  try {
    const { first, second, sockets } = await agentTabs(lab, context, user)
    const ringing = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444' })
    await expect(first.getByTestId('incoming-popup')).toHaveCount(1)
    await expect(second.getByTestId('incoming-popup')).toHaveCount(1)
    // The leader's CRM search answered; the follower's popup shows it too.
    await expect(second.getByTestId('incoming-popup').getByTestId('popup-name')).toHaveText('佐藤 花子')
    await expect.poll(() => accesses(lab, '/event/ring', '0663334444')).toBe(1)

    const callIdBefore = callIdOf(await lab.kamailio.locations(), user)
    // Tabs opened apart (not by window.open) get renderers of their own here: navigating to
    // chrome://crash kills only the leader's renderer, as a real crash does (no pagehide, no
    // un-REGISTER, no goodbye on the channel); the browser releases its lock.
    const crashed = first.waitForEvent('crash')
    const crashAt = Date.now()
    await first.goto('chrome://crash').catch(() => undefined)
    await crashed
    const status = second.getByTestId('registration-status')
    await expect(status).toHaveAttribute('data-leader', 'true', { timeout: 3000 })
    await expect(status).toHaveAttribute('data-state', 'registered', { timeout: Math.max(1, 3000 - (Date.now() - crashAt)) })
    const tookOverMs = Date.now() - crashAt
    console.log(`take-over after the leader's renderer crashed: registered ${tookOverMs} ms after the crash`)
    expect(tookOverMs).toBeLessThan(3000)
    // The dead tab's call is gone from the new leader (its INVITE went to the dead connection).
    await expect(second.getByTestId('incoming-popup')).toHaveCount(0)
    ringing.kill()
    await ringing.done
    // The crashed tab could not unregister: the new leader's REGISTER replaced its binding.
    await expect.poll(async () => contactsOf(await lab.kamailio.locations(), user)).toBe(1)
    await expect.poll(async () => callIdOf(await lab.kamailio.locations(), user)).not.toBe(callIdBefore)
    expect(sockets.second).toEqual([lab.kamailio.wsUrl])

    const next = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0399998888' })
    await expect(second.getByTestId('incoming-popup')).toHaveCount(1)
    await expect.poll(() => accesses(lab, '/event/ring', '0399998888')).toBe(1)
    await next.hangUp()
    expect((await next.done).code).toBe(0)
    expect(accesses(lab, '/event/ring', '0663334444')).toBe(1)
    expect(accesses(lab, '/search', '0663334444')).toBe(1)
    expect(accesses(lab, '/search', '0399998888')).toBe(1)
  } finally {
    await context.close()
  }
})
