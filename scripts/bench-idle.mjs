#!/usr/bin/env node
/**
 * The idle figure of `npm run bench` (design guide: idle CPU ≤ 0.2 % of a core): one registered
 * phone page left alone, visible, for a settle period, then measured over a window.
 *
 * Why a 40 s settle: measured here in 10 s bins after registration, the page's renderer spends
 * ~60–70 ms once between ~20 and ~35 s (V8's major GC after the load, the heap 9.0 → 7.8 MB, and
 * the first OPTIONS probe at 25 s), then 0–20 ms per 10 s. A window from 10 s counts that
 * one-off and read 0.15–0.23 % on a loaded machine; from 40 s it reads the steady idle state.
 *
 *  - the budget: CPU time of the page's renderer process (CDP `SystemInfo.getProcessInfo`,
 *    cumulative `cpuTime` per process) over the window's wall time, % of one core. The line's
 *    worker clock is a dedicated worker, which runs in that same process, so it counts.
 *  - for information: the browser process and the other processes (GPU, network, audio
 *    services…) over the same window, and the page's main-thread task time
 *    (CDP `Performance.getMetrics` `TaskDuration`, `ScriptDuration`) with the layout and
 *    style-recalc counts, which say whether anything renders while idle; on Linux, the renderer's
 *    CPU time by thread name (`/proc/<pid>/task/<tid>/stat`: main thread, worker, compositor, IO…).
 *
 * Which renderer is the page's: `getProcessInfo` names no page, so before the settle period the
 * page runs a 400 ms busy loop and the renderer whose CPU time grew by far the most is the one
 * (pages of other contexts have renderers of their own and are left out; Chromium's own WebUI
 * renderer and a spare one count under "other processes").
 *
 * With `hidden: true` the page is told it is hidden (an init script overrides
 * `document.hidden`/`visibilityState`/`hasFocus` and fires `visibilitychange`, as the e2e tests
 * do): what the app itself does differently when hidden. Headless Chromium keeps the page
 * visible to the browser, so the browser's throttling of hidden tabs is not part of this figure.
 *
 * Standalone, with a lab of its own (build first: `npx vite build --outDir /tmp/idle-dist`):
 *   node scripts/bench-idle.mjs --dist /tmp/idle-dist [--window-s 60] [--settle-s 40] [--hidden]
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The page's busy loop that names its renderer (ms of wall time; on a loaded machine it gets less
 * CPU than that, hence a low floor), tried up to `PROBE_TRIES` times.
 */
const PROBE_MS = 400
const PROBE_MIN_SECONDS = 0.08
const PROBE_TRIES = 5

/** Before the app: the page believes it is hidden (see e2e/call-helpers.ts). */
export const HIDDEN_INIT = `(() => {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
  document.hasFocus = () => false
  addEventListener('DOMContentLoaded', () => document.dispatchEvent(new Event('visibilitychange')))
})()`

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** `{ pid: { type, cpuTime } }` of every process of the browser (cpuTime in seconds). */
async function processes(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo')
  return new Map(processInfo.map((p) => [p.id, { type: p.type, cpuTime: p.cpuTime }]))
}

/**
 * The renderer whose CPU time grew by at least `minSeconds` between `before` and `after`, and by
 * three times as much as any other renderer; `undefined` when none stands out so.
 * @param {Map<number, { type: string, cpuTime: number }>} before
 * @param {Map<number, { type: string, cpuTime: number }>} after
 */
export function busiestRenderer(before, after, minSeconds) {
  const grown = [...after]
    .filter(([, p]) => p.type === 'renderer')
    .map(([pid, p]) => ({ pid, grew: p.cpuTime - (before.get(pid)?.cpuTime ?? 0) }))
    .sort((a, b) => b.grew - a.grew)
  const [best, next] = grown
  if (!best || best.grew < minSeconds || (next && best.grew < 3 * next.grew)) return undefined
  return best.pid
}

/**
 * CPU ticks (utime + stime) of each thread of `pid` by thread name, from `/proc`; `undefined`
 * where there is no `/proc` (not Linux). `read` is `readFileSync`-like, `list` `readdirSync`-like.
 */
export function threadTicks(pid, { read = (f) => readFileSync(f, 'utf8'), list = readdirSync } = {}) {
  let tids
  try {
    tids = list(`/proc/${pid}/task`)
  } catch {
    return undefined
  }
  const ticks = new Map()
  for (const tid of tids) {
    try {
      // `tid (comm) state …`: comm may hold spaces and parentheses, so split at the last ')'.
      const stat = read(`/proc/${pid}/task/${tid}/stat`)
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks.set(tid, { name, ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {
      // the thread ended meanwhile
    }
  }
  return ticks
}

/**
 * Ms of CPU per thread name between two `threadTicks` snapshots (10 ms a tick), busiest first,
 * threads that did not run left out; a thread that ended meanwhile is not counted.
 */
export function threadMs(before, after, msPerTick = 10) {
  if (!before || !after) return undefined
  const byName = {}
  for (const [tid, t] of after) {
    const grew = t.ticks - (before.get(tid)?.ticks ?? 0)
    if (grew > 0) byName[t.name] = (byName[t.name] ?? 0) + grew * msPerTick
  }
  return Object.fromEntries(Object.entries(byName).sort((a, b) => b[1] - a[1]))
}

/** CPU seconds over `wallSeconds` as % of one core, two decimals (0.2 % is the budget). */
export const percentOfCore = (cpuSeconds, wallSeconds) => +((cpuSeconds / wallSeconds) * 100).toFixed(2)

/**
 * The figures of one window from two process snapshots and two metric snapshots.
 * @param {{ pid: number, wallSeconds: number, before: Map<number, { type: string, cpuTime: number }>, after: Map<number, { type: string, cpuTime: number }>, metricsBefore: Record<string, number>, metricsAfter: Record<string, number> }} w
 */
export function idleFigures({ pid, wallSeconds, before, after, metricsBefore, metricsAfter }) {
  const grew = (id) => (after.get(id)?.cpuTime ?? 0) - (before.get(id)?.cpuTime ?? 0)
  const browserPid = [...after].find(([, p]) => p.type === 'browser')?.[0]
  let others = 0
  const otherTypes = {}
  for (const [id, p] of after) {
    if (id === pid || id === browserPid) continue
    const s = grew(id)
    others += s
    otherTypes[p.type] = +(((otherTypes[p.type] ?? 0) + (s / wallSeconds) * 100)).toFixed(2)
  }
  const metric = (name) => (metricsAfter[name] ?? 0) - (metricsBefore[name] ?? 0)
  return {
    windowS: +wallSeconds.toFixed(1),
    rendererCpuPercent: percentOfCore(grew(pid), wallSeconds),
    browserCpuPercent: browserPid === undefined ? undefined : percentOfCore(grew(browserPid), wallSeconds),
    otherProcessesCpuPercent: percentOfCore(others, wallSeconds),
    otherProcessesByType: otherTypes,
    mainThreadTaskPercent: percentOfCore(metric('TaskDuration'), wallSeconds),
    mainThreadScriptMs: +(metric('ScriptDuration') * 1000).toFixed(1),
    layouts: metric('LayoutCount'),
    styleRecalcs: metric('RecalcStyleCount'),
  }
}

/**
 * @param {{
 *   browser: import('@playwright/test').Browser,
 *   openPhone: (initScript?: string) => Promise<import('@playwright/test').Page>,
 *   settleMs?: number, windowMs?: number, hidden?: boolean,
 * }} options `openPhone(initScript)`: a registered phone page of a context of its own.
 * @returns the figures of `idleFigures`, the page's context closed afterwards.
 */
/** `afterIdle(page)`: runs on the page once the window is over (e.g. the first call after the idle time); its result is kept. */
export async function measureIdle({ browser, openPhone, settleMs = 40_000, windowMs = 60_000, hidden = false, afterIdle = undefined }) {
  const cdp = await browser.newBrowserCDPSession()
  const page = await openPhone(hidden ? HIDDEN_INIT : undefined)
  try {
    let pid
    for (let i = 0; i < PROBE_TRIES && pid === undefined; i++) {
      const beforeProbe = await processes(cdp)
      await page.evaluate((ms) => { const end = performance.now() + ms; while (performance.now() < end); }, PROBE_MS)
      pid = busiestRenderer(beforeProbe, await processes(cdp), PROBE_MIN_SECONDS)
    }
    if (pid === undefined) throw new Error('no renderer stood out running the page\'s busy loop: cannot tell which process is the page\'s')
    const session = await page.context().newCDPSession(page)
    await session.send('Performance.enable')
    const metrics = async () => Object.fromEntries((await session.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
    await sleep(settleMs)
    const metricsBefore = await metrics()
    const threadsBefore = threadTicks(pid)
    const before = await processes(cdp)
    const startedAt = performance.now()
    await sleep(windowMs)
    const after = await processes(cdp)
    const threadsAfter = threadTicks(pid)
    const wallSeconds = (performance.now() - startedAt) / 1000
    const metricsAfter = await metrics()
    const after_ = afterIdle ? await afterIdle(page) : undefined
    return {
      ...(after_ === undefined ? {} : { afterIdle: after_ }),
      hidden,
      settleS: settleMs / 1000,
      rendererPid: pid,
      ...idleFigures({ pid, wallSeconds, before, after, metricsBefore, metricsAfter }),
      rendererThreadsMs: threadMs(threadsBefore, threadsAfter),
    }
  } finally {
    await cdp.detach().catch(() => {})
    await page.context().close()
  }
}

/** Standalone: a lab of its own, one measurement, the figures as JSON on stdout. */
async function main(argv) {
  const arg = (name, fallback) => { const i = argv.indexOf(name); return i > 0 ? argv[i + 1] : fallback }
  const dist = arg('--dist', '/tmp/idle-dist')
  const { chromium } = await import('@playwright/test')
  const { startKamailio } = await import('../lab/kamailio.mjs')
  const { startCrm } = await import('../lab/crm-server.mjs')
  const { startStaticServer } = await import('../lab/static-server.mjs')
  readFileSync(`${dist}/index.html`) // fails early without a build
  const kamailio = await startKamailio()
  const crm = await startCrm({ quiet: true })
  const app = await startStaticServer({ dir: dist })
  app.setFile('/deploy.json', JSON.stringify({ provisioning: { origins: [crm.url] } }))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS })
  try {
    const user = arg('--user', '1201')
    const figures = await measureIdle({
      browser,
      settleMs: Number(arg('--settle-s', 40)) * 1000,
      windowMs: Number(arg('--window-s', 60)) * 1000,
      hidden: argv.includes('--hidden'),
      openPhone: async (initScript) => {
        crm.setProvision(`idle-${user}`, { version: 1, sip: { server: kamailio.wsUrl, domain: kamailio.domain, user, password: '', displayName: `Agent ${user}` } })
        const context = await browser.newContext({ permissions: ['microphone'] })
        const page = await context.newPage()
        if (initScript) await page.addInitScript(initScript)
        await page.goto(`${app.url}/?config=${crm.url}/provision/idle-${user}.json`)
        await page.locator('[data-testid=registration-status][data-state=registered]').waitFor({ timeout: 15000 })
        return page
      },
    })
    console.log(JSON.stringify(figures, null, 2))
  } finally {
    await browser.close()
    await app.stop()
    await crm.stop()
    await kamailio.stop()
  }
}

/** The Chromium flags of bench.mjs (lab notes). */
const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2))
