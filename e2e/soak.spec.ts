import { openSoakPhone, runSoak } from '../lab/soak.mjs'
import { expect, nextUser, test } from './fixtures'

/**
 * A shift in miniature (issue 11 item 6): 100 sipp calls against one agent page — answered (the
 * caller or the agent hangs up), cancelled while ringing, declined, up to three ringing at once,
 * every other one with raw `#` codes (lab/soak.mjs; `npm run bench` runs 1,000). Nothing may be lost
 * or doubled, and nothing may pile up per call.
 */
test('100 mixed calls: one popup, each access once and one history row per call, no console error, heap, listeners and timers flat', async ({ browser, lab }) => {
  test.setTimeout(180_000)
  const user = nextUser()
  lab.crm.clear()
  lab.crm.resetBehaviour()
  const { context, page } = await openSoakPhone(browser, { kamailio: lab.kamailio, crm: lab.crm, appUrl: lab.appUrl, user })
  try {
    const soak = await runSoak({ page, udpPort: lab.kamailio.udpPort, crm: lab.crm, user, calls: 100 })
    test.info().annotations.push({ type: 'soak', description: JSON.stringify({ ...soak, consoleErrors: undefined }) })
    expect(soak.calls).toBe(100)
    expect(soak.sippFailures).toEqual([])
    expect(soak.popups).toBe(100)
    expect(soak.popupProblems).toEqual([])
    expect(soak.accessProblems).toEqual([])
    expect(soak.accesses.answer?.expected).toBeGreaterThan(0)
    expect(soak.historyRows).toBe(100)
    expect(soak.historyProblems).toEqual([])
    expect(soak.consoleErrors).toEqual([])
    // The goal: at most 5 MB more heap after GC than after the warm-up calls.
    expect(soak.heapGrowthMB).toBeLessThanOrEqual(5)
    // Nothing per call: a leak of one listener or timer per call would show as ~100.
    expect(soak.timerGrowth).toBeLessThanOrEqual(0)
    expect(soak.listenerGrowth).toBeLessThanOrEqual(10)
    expect(soak.nodeGrowth).toBeLessThanOrEqual(100)
  } finally {
    await context.close()
  }
})
