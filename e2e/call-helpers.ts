import type { Page } from '@playwright/test'
import { expect } from './fixtures'

/**
 * Init scripts and small steps shared by the call-handling specs. Init scripts run before the
 * app on every load of the page; a spec adds them, then reloads the provisioned page.
 */

/**
 * Keeps every RTCPeerConnection of the page's calls, in the order each became a call's (when it
 * got the other side's description), so a test can read directions and stats. The phone's spare
 * connection for the next dial (src/sip/sipjs/spare-offer.ts) joins the list only once a call uses it.
 */
export const TRACK_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection
  const list = []
  window.__tsunaguPeerConnections = list
  const setRemote = Native.prototype.setRemoteDescription
  Native.prototype.setRemoteDescription = function (...args) {
    if (!list.includes(this)) list.push(this)
    return setRemote.apply(this, args)
  }
  window.RTCPeerConnection = function (...args) { return new Native(...args) }
  window.RTCPeerConnection.prototype = Native.prototype
  Object.setPrototypeOf(window.RTCPeerConnection, Native)
})()`

/** Records the tones an RTCDTMFSender really played (its tonechange events), i.e. RFC 4733 events sent. */
export const RECORD_DTMF_TONES = `(() => {
  window.__dtmfTones = []
  const insert = RTCDTMFSender.prototype.insertDTMF
  RTCDTMFSender.prototype.insertDTMF = function (...args) {
    if (!this.__tsunaguWatched) {
      this.__tsunaguWatched = true
      this.addEventListener('tonechange', (e) => { if (e.tone) window.__dtmfTones.push(e.tone) })
    }
    return insert.apply(this, args)
  }
})()`

/** Adds init scripts and reloads, waiting until the phone is registered again. */
export async function withInitScripts(page: Page, ...scripts: string[]): Promise<void> {
  for (const script of scripts) await page.addInitScript(script)
  await page.reload()
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
}

export async function dial(page: Page, target: string): Promise<void> {
  await page.getByTestId('dial-input').locator('input').fill(target)
  await page.getByTestId('dial-call').click()
}

/** The negotiated direction of the page's audio transceiver(s), newest connection last. */
export async function audioDirections(page: Page): Promise<(string | null)[]> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    return pcs.filter((pc) => pc.connectionState !== 'closed').flatMap((pc) => pc.getTransceivers().map((t) => t.currentDirection))
  })
}

/**
 * Headless Chromium always reports a visible, focused page (lab notes): this makes the page
 * believe the agent is elsewhere, and wraps `Notification` so the test can see what was shown,
 * closed, and click it. Real notifications are still created underneath.
 */
export const FAKE_HIDDEN_PAGE_WITH_NOTIFICATIONS = `(() => {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
  document.hasFocus = () => false
  document.dispatchEvent(new Event('visibilitychange'))
  const Native = window.Notification
  const shown = []
  window.__notifications = shown
  class Recorded extends Native {
    constructor(title, options = {}) {
      super(title, options)
      this.__record = { title, body: options.body ?? '', tag: options.tag ?? '', closed: false }
      shown.push(this)
    }
    close() { this.__record.closed = true; super.close() }
  }
  window.Notification = Recorded
})()`

export interface ShownNotification {
  title: string
  body: string
  tag: string
  closed: boolean
}

/** Notifications the page created, oldest first. */
export async function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() => ((window as unknown as { __notifications?: { __record: ShownNotification }[] }).__notifications ?? []).map((n) => ({ ...n.__record })))
}

/** Clicks the newest notification with this tag, as the OS would when the agent clicks it. */
export async function clickNotification(page: Page, tagPart: string): Promise<void> {
  await page.evaluate((part) => {
    const list = (window as unknown as { __notifications: (Notification & { __record: ShownNotification })[] }).__notifications
    const target = [...list].reverse().find((n) => n.__record.tag.includes(part))
    if (!target) throw new Error(`no notification with tag ${part}`)
    target.dispatchEvent(new Event('click'))
  }, tagPart)
}

/**
 * A negative ("nothing appears", "it stays") checked over a window, not read once: `read` is polled
 * every 100 ms for `ms` and must give `expected` each time. Start it once the state that would
 * cause the change has been reached (the call rings, the click was made).
 */
export async function expectStays<T>(read: () => Promise<T>, expected: T, ms = 1500): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const value: unknown = await read()
    expect(value).toEqual(expected)
    if (Date.now() >= end) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * Audio bytes received on the page's newest open peer connection (the call's current leg), from
 * getStats(); 0 when none is open.
 */
export async function bytesIn(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    const pc = pcs.filter((p) => p.connectionState !== 'closed').at(-1)
    if (!pc) return 0
    let total = 0
    ;(await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0
    })
    return total
  })
}

/** Resolves once audio arrives on `page`'s newest leg and keeps arriving (two reads apart). Needs {@link TRACK_PEER_CONNECTIONS}. */
export async function audioFlows(page: Page): Promise<void> {
  await expect.poll(() => bytesIn(page), { intervals: [100] }).toBeGreaterThan(0)
  const first = await bytesIn(page)
  await expect.poll(() => bytesIn(page), { intervals: [100] }).toBeGreaterThan(first)
}

/** Counts the incoming popups that appeared during the page's life (an init script): `popupsSeen`. */
export const COUNT_POPUPS = `(() => {
  window.__popups = 0
  new MutationObserver(() => {
    const now = document.querySelectorAll('[data-testid=incoming-popup]').length
    if (now > (window.__shownPopups ?? 0)) window.__popups += now - (window.__shownPopups ?? 0)
    window.__shownPopups = now
  }).observe(document, { childList: true, subtree: true })
})()`

export const popupsSeen = (page: Page) => page.evaluate(() => (window as unknown as { __popups: number }).__popups)
