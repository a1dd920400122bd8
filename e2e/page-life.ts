import { chromium, type Browser, type Page } from '@playwright/test'
import { CHROMIUM_ARGS } from '../playwright.config'
import { expect } from './fixtures'

/**
 * The ways a page of the phone ends or starts again in the reload and crash specs: F5 as the
 * agent presses it, a browser of its own (pages of one site share a renderer: lab notes), and
 * a renderer crash as a real one happens (SIGKILL; CDP's Page.crash does not work here).
 */

/**
 * F5 as the agent presses it: the page sees the key, then the browser reloads. Headless Chromium
 * does not act on a synthetic F5 (seen here: the page gets the keydown, nothing reloads), so
 * the browser's part is `page.reload()`. No leave prompt may show: Playwright would dismiss it
 * and the reload would not happen. Resolves once the new page is registered, with when.
 */
export async function pressF5(page: Page): Promise<number> {
  let prompted = false
  page.on('dialog', (d) => { prompted = true; void d.dismiss() })
  await page.keyboard.press('F5')
  await page.reload()
  expect(prompted, 'a leave prompt on F5').toBe(false)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  return Date.now()
}

/** The product in a browser of its own, so crashing its renderers touches no other test's pages. */
export async function ownBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/** The process ids of `browser`'s renderers (CDP SystemInfo), for signals: a crash, a freeze. */
export async function rendererPids(browser: Browser): Promise<number[]> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] }
    return info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id)
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}

/** SIGKILLs every renderer of `browser` (use {@link ownBrowser}), as a real renderer crash does; resolves once `page` saw it. */
export async function crashRenderers(browser: Browser, page: Page): Promise<void> {
  const pids = await rendererPids(browser)
  const crashed = page.waitForEvent('crash')
  for (const pid of pids) process.kill(pid, 'SIGKILL')
  await crashed
}
