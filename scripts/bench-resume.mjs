/**
 * The resume figures of `npm run bench` (issue 12): a call between two pages of the phone, the
 * agent's page reloaded (F5) `reloads` times; each time, how long until audio flows both ways
 * again, from the key press and from the new page's registration.
 *
 * Times are wall-clock (`Date.now()`, one machine clock for both pages), stamped inside the
 * pages: a poller in each page reads getStats() every 20 ms and stamps the moment the call's
 * newest leg has received audio; the agent's new page stamps its registration from the DOM.
 * Headless Chromium does not reload on a synthetic F5 (the page gets the key): the key goes to
 * the page, then `page.reload()` does the browser's part.
 */
import { stats } from './bench-report.mjs'

/** In every page, before the app: keeps the peer connections, stamps audio and registration. */
const PROBE = `(() => {
  const Native = window.RTCPeerConnection
  const list = []
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); list.push(pc); return pc }
  window.RTCPeerConnection.prototype = Native.prototype
  Object.setPrototypeOf(window.RTCPeerConnection, Native)
  window.__bench = { audioAt: undefined, registeredAt: undefined, legs: 0 }
  /** Stamps the first audio on a leg newer than the ones known when armed. */
  window.__benchArm = () => { window.__bench.audioAt = undefined; window.__bench.legs = list.length }
  setInterval(async () => {
    const b = window.__bench
    if (b.registeredAt === undefined && document.querySelector('[data-testid=registration-status][data-state=registered]')) b.registeredAt = Date.now()
    const pc = list.at(-1)
    if (b.audioAt !== undefined || !pc || list.length <= b.legs || pc.connectionState === 'closed') return
    let bytes = 0
    ;(await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += s.bytesReceived ?? 0 })
    if (bytes > 0 && b.audioAt === undefined) b.audioAt = Date.now()
  }, 20)
})()`

const read = (page) => page.evaluate(() => ({ ...window.__bench }))

/**
 * @param {{ openPhone: (user: string, init?: string) => Promise<import('@playwright/test').Page>, reloads?: number, users: [string, string] }} options
 *   `openPhone(user, initScript)`: a registered phone page with `initScript` added before the app.
 */
export async function measureResume({ openPhone, reloads = 10, users: [agentUser, customerUser] }) {
  const agent = await openPhone(agentUser, PROBE)
  const customer = await openPhone(customerUser, PROBE)
  await customer.getByTestId('dial-input').locator('input').fill(agentUser)
  await customer.getByTestId('dial-call').click()
  await agent.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await agent.locator('[data-testid=call][data-state=active]').waitFor({ timeout: 10000 })
  await agent.waitForFunction(() => window.__bench.audioAt !== undefined, undefined, { timeout: 10000 })
  const reloadToAudioMs = []
  const registeredToAudioMs = []
  for (let i = 0; i < reloads; i++) {
    await customer.evaluate(() => window.__benchArm())
    const pressedAt = Date.now()
    await agent.keyboard.press('F5')
    await agent.reload()
    await agent.locator('[data-testid=call][data-state=active]').waitFor({ timeout: 15000 })
    await agent.waitForFunction(() => window.__bench.audioAt !== undefined, undefined, { timeout: 15000 })
    await customer.waitForFunction(() => window.__bench.audioAt !== undefined, undefined, { timeout: 15000 })
    const [a, c] = await Promise.all([read(agent), read(customer)])
    const back = Math.max(a.audioAt, c.audioAt)
    reloadToAudioMs.push(back - pressedAt)
    registeredToAudioMs.push(back - a.registeredAt)
  }
  await agent.getByTestId('call-hangup').click()
  await customer.getByTestId('idle').waitFor({ timeout: 10000 })
  return { reloadToAudioMs: stats(reloadToAudioMs), registeredToAudioMs: stats(registeredToAudioMs) }
}
