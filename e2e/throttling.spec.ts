import { measureHiddenPhone } from '../lab/hidden-phone.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * Intensive wake-up throttling (issue 11 item 2), on a short scale: the phone's tab hidden behind
 * another tab of its own Chromium (raw CDP: through Playwright a page never becomes hidden here,
 * see `lab/hidden-phone.mjs`), Chrome's grace period cut to 1 s and its wake-ups to every 10 s.
 * The page's own chained 2 s timer is throttled, while the line's timers (the worker clock) keep
 * theirs: the 2 s probe leaves on time, the registration holds, and a call rings at once.
 * `node scripts/bench-throttling.mjs` is the long run, with Chrome's real minute.
 */
test('a hidden, throttled phone page: its own 2 s timer chain stalls, the line\'s 2 s probe keeps time, it stays registered and rings', async ({ lab }) => {
  test.setTimeout(90_000)
  const hidden = await measureHiddenPhone({
    kamailio: lab.kamailio, crm: lab.crm, appUrl: lab.appUrl, user: nextUser(),
    seconds: 30, graceS: 1, wakeUpS: 10, keepAliveS: 2, expiresS: 10, sampleMs: 1000,
  })
  console.log(`hidden 30 s: page chain ${JSON.stringify(hidden.pageTimerChain2s.gapsMs)} then quiet ${hidden.pageTimerChain2s.quietAtEndMs} ms; OPTIONS max gap ${hidden.lineProbeOptions.maxGapMs} ms; popup ${hidden.ring.popupAfterInviteMs} ms after the INVITE`)
  expect(hidden.visibilityAfterHide).toBe('hidden')
  // Unthrottled, a 2 s chain ticks 15 times in 30 s; hidden but not intensively throttled, every 3 s (1 s alignment).
  expect(hidden.pageTimerChain2s.ticks).toBeLessThan(12)
  // Whether Chrome also applies its intensive (wake-ups every 10 s here) regime within 30 s varies
  // from run to run (seen in 4 of 5 runs on this 2-core machine, one run stayed at 3 s): recorded,
  // not asserted. `npm run bench` hides the page for 150 s under the real 1-minute regime.
  const stall = Math.max(hidden.pageTimerChain2s.maxGapMs, hidden.pageTimerChain2s.quietAtEndMs)
  test.info().annotations.push({ type: 'page timer chain', description: stall >= 5000 ? `intensively throttled: stalled ${stall} ms` : `only aligned (largest gap ${stall} ms)` })
  // The line's probe every 2 s all along (a few ms late at most), a REGISTER refresh every 5 s.
  expect(hidden.lineProbeOptions.sent).toBeGreaterThanOrEqual(13)
  expect(hidden.lineProbeOptions.maxGapMs).toBeLessThan(2500)
  expect(hidden.registerRefreshes.sentWhileHidden).toBeGreaterThanOrEqual(5)
  expect(hidden.registrationShown.notRegistered).toEqual([])
  expect(hidden.ring.popupAfterInviteMs).not.toBeNull()
  expect(hidden.ring.popupAfterInviteMs!).toBeLessThan(2000)
})
