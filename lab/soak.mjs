/**
 * The soak (issue 11 item 6): many sipp calls against ONE agent page, as a shift would bring them —
 * answered (the caller or the agent hangs up), cancelled while ringing, declined by the agent, some
 * ringing at the same time, every other one with the PBX's raw `#` codes — and what must not drift:
 * one popup per call, each configured CTI access received by the CRM stand-in exactly once per call,
 * one history row per call, no console error, the JS heap after GC, event listeners, DOM nodes and
 * pending timers.
 *
 * Used by e2e/soak.spec.ts (100 calls inside the e2e suite) and scripts/bench.mjs (1,000 calls in
 * `npm run bench`); `node lab/soak.mjs --calls 20` runs it alone against a lab of its own.
 *
 * @module lab/soak
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { runSipp, summarizeMessages } from './sipp.mjs'

/**
 * Runs in the page before the app (add it with `addInitScript`): counts pending timers (setTimeout
 * not fired nor cleared, setInterval not cleared) and the distinct popup elements shown per number.
 */
export const SOAK_INIT_SCRIPT = `(() => {
  const pending = new Set()
  const st = window.setTimeout, ct = window.clearTimeout, si = window.setInterval, ci = window.clearInterval
  window.setTimeout = function (fn, ms, ...args) {
    if (typeof fn !== 'function') return st.call(window, fn, ms, ...args)
    const id = st.call(window, function (...a) { pending.delete(id); return fn.apply(this, a) }, ms, ...args)
    pending.add(id)
    return id
  }
  window.clearTimeout = function (id) { pending.delete(id); return ct.call(window, id) }
  window.setInterval = function (...args) { const id = si.apply(window, args); pending.add(id); return id }
  window.clearInterval = function (id) { pending.delete(id); return ci.call(window, id) }
  window.__soakTimers = () => pending.size
  const popups = {}
  const seen = new WeakSet()
  window.__soakPopups = popups
  const look = (el) => {
    const list = el.matches?.('[data-testid=incoming-popup]') ? [el] : [...(el.querySelectorAll?.('[data-testid=incoming-popup]') ?? [])]
    for (const popup of list) {
      if (seen.has(popup)) continue
      seen.add(popup)
      const number = popup.querySelector('[data-testid=popup-number]')?.textContent?.trim() ?? '?'
      popups[number] = (popups[number] ?? 0) + 1
    }
  }
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) look(n)
  }).observe(document, { subtree: true, childList: true })
})()`

/** Calls ringing together, in a repeating pattern: at most one of a wave is answered (no hold needed). */
const WAVES = [
  ['answer-caller-bye'],
  ['cancel', 'decline'],
  ['answer-agent-bye'],
  ['answer-caller-bye', 'cancel', 'decline'],
  ['decline'],
  ['cancel'],
  ['answer-agent-bye', 'cancel'],
]

/** The CTI settings of the soak agent: every event access goes to the CRM stand-in with the number. */
export function soakSettings(crmUrl) {
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      timeoutSeconds: 10,
      accesses: {
        search: { method: 'get-internal', url: `${crmUrl}/search?tel={TEL}`, format: '{NAME}{COMPANY}' },
        ring: { method: 'get-internal', url: `${crmUrl}/event/ring?tel={TEL}&id={ID}` },
        answer: { method: 'get-internal', url: `${crmUrl}/event/answer?tel={TEL}&id={ID}` },
        hangup: { method: 'get-internal', url: `${crmUrl}/event/hangup?tel={TEL}&id={ID}` },
      },
    },
  }
}

/** Which CRM path each access of {@link soakSettings} hits, and whether every call or only answered ones expect it. */
const ACCESSES = [
  ['search', '/search', 'all'],
  ['ring', '/event/ring', 'all'],
  ['answer', '/event/answer', 'answered'],
  ['hangup', '/event/hangup', 'all'],
]

const MB = 1024 * 1024
/** Longer than sip.js's longest transaction timer (32 s) after the last call. */
const SETTLE_MAX_MS = 40_000

/**
 * @param {import('@playwright/test').Page} page
 * @param {import('@playwright/test').CDPSession} cdp
 */
async function sample(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN
  return {
    heapMB: +(metric('JSHeapUsedSize') / MB).toFixed(2),
    listeners: metric('JSEventListeners'),
    nodes: metric('Nodes'),
    timers: await page.evaluate(() => window.__soakTimers?.() ?? NaN),
  }
}

/** What each sipp of a wave did, for the message of a soak that stopped: which side lost the call. */
async function sippAccount(calls) {
  const lines = []
  for (const call of calls) {
    let result = await Promise.race([call.sipp.done, new Promise((resolve) => setTimeout(() => resolve(undefined), 2000))])
    const running = !result
    if (running) {
      call.sipp.kill()
      result = await call.sipp.done
    }
    const said = summarizeMessages(result.messages).join(' | ')
    const how = running ? 'sipp was still running (killed now)' : `sipp exit ${result.code}`
    lines.push(`  ${call.number} ${call.kind}: ${how}; ${said || 'sent nothing'}; ${(result.stderr + result.errors).trim().split('\n').slice(-3).join(' / ')}`)
  }
  return lines.join('\n')
}

/**
 * @typedef {object} SoakOptions
 * @property {import('@playwright/test').Page} page  the agent's page, registered, with SOAK_INIT_SCRIPT and {@link soakSettings}
 * @property {number} udpPort   Kamailio's UDP port (sipp calls through it)
 * @property {import('./crm-server.mjs').CrmHandle} crm
 * @property {string} user      the agent's SIP user
 * @property {number} calls
 * @property {(line: string) => void} [progress]
 */

/**
 * @param {SoakOptions} opts
 */
export async function runSoak(opts) {
  const { page, crm, user, udpPort } = opts
  const consoleErrors = []
  const onConsole = (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()) }
  const onPageError = (error) => consoleErrors.push(`pageerror: ${error.message}`)
  page.on('console', onConsole)
  page.on('pageerror', onPageError)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  crm.clear()
  const started = Date.now()
  const atStart = await sample(page, cdp)
  /** @type {{ number: string, kind: string, sippCode: number | null }[]} */
  const placed = []
  const sippFailures = []
  let warm
  let seq = 0
  const warmUpCalls = Math.min(WAVES.flat().length, Math.floor(opts.calls / 2))
  const popupOf = (number) => page.getByTestId('incoming-popup').filter({ has: page.getByTestId('popup-number').filter({ hasText: number }) })

  try {
    for (let w = 0; placed.length < opts.calls; w++) {
      const wave = WAVES[w % WAVES.length].slice(0, opts.calls - placed.length)
      const calls = []
      for (const kind of wave) {
        seq += 1
        const number = `0399${String(seq).padStart(6, '0')}`
        const fromUser = seq % 2 === 0 ? `${number}#A${seq % 10}#B2` : number
        const scenario = { 'answer-caller-bye': 'answerable', 'answer-agent-bye': 'answerable-wait-bye', cancel: 'cancel', decline: 'declined' }[kind]
        const untilHangUp = kind === 'answer-caller-bye' || kind === 'cancel'
        const sipp = await runSipp({ scenario, untilHangUp, udpPort, to: user, fromUser, fromName: `Soak ${seq}`, timeoutS: 30 })
        calls.push({ kind, number, sipp })
      }
      for (const call of calls) {
        await popupOf(call.number).waitFor({ timeout: 10_000 }).catch(async (error) => {
          throw new Error(`no popup for ${call.number} (call ${placed.length + calls.indexOf(call) + 1}, ${call.kind}): ${String(error?.message ?? error).split('\n')[0]}\n${await sippAccount(calls)}`)
        })
      }
      // Cancelled and declined first, the answered one last: answering never has to hold another call.
      const order = [...calls].sort((a, b) => Number(a.kind.startsWith('answer')) - Number(b.kind.startsWith('answer')))
      for (const call of order) {
        if (call.kind === 'cancel') await call.sipp.hangUp()
        else if (call.kind === 'decline') await popupOf(call.number).getByTestId('popup-hangup').click()
        else {
          await popupOf(call.number).getByTestId('popup-answer').click()
          await page.locator('[data-testid=call][data-state=active]').waitFor({ timeout: 10_000 })
          if (call.kind === 'answer-caller-bye') await call.sipp.hangUp()
          else await page.getByTestId('call-hangup').click()
        }
      }
      for (const call of calls) {
        const result = await call.sipp.done
        if (result.code !== 0) sippFailures.push({ number: call.number, kind: call.kind, code: result.code, errors: result.errors.slice(-500) })
        placed.push({ number: call.number, kind: call.kind, sippCode: result.code })
      }
      await page.getByTestId('idle').waitFor({ timeout: 10_000 })
      await page.getByTestId('incoming-popup').first().waitFor({ state: 'detached', timeout: 10_000 })
      if (!warm && placed.length >= warmUpCalls) warm = await sample(page, cdp)
      if (placed.length % 50 < wave.length) opts.progress?.(`${placed.length}/${opts.calls} calls`)
    }

    // The hang-up access runs after every other access of its call: wait until the CRM has them all.
    const expected = placed.length * 3 + placed.filter((c) => c.kind.startsWith('answer')).length
    const deadline = Date.now() + 15_000
    while (crm.requests().filter((r) => r.path === '/search' || r.path.startsWith('/event/')).length < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const durationS = +((Date.now() - started) / 1000).toFixed(1)
    // sip.js keeps each finished INVITE transaction for 32 s (RFC 6026 Timer L, 64·T1): those timers
    // fire by themselves. What is still pending after they have is what a call left behind.
    const settleStart = Date.now()
    while (Date.now() - settleStart < SETTLE_MAX_MS && (await page.evaluate(() => window.__soakTimers?.() ?? 0)) > atStart.timers) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    const settleS = +((Date.now() - settleStart) / 1000).toFixed(1)
    const end = await sample(page, cdp)

    const requests = crm.requests()
    /** @type {Record<string, { received: number, expected: number, min: number, max: number }>} */
    const accesses = {}
    const accessProblems = []
    for (const [name, p, who] of ACCESSES) {
      const counts = new Map(placed.map((c) => [c.number, 0]))
      for (const r of requests) if (r.path === p) counts.set(r.params.tel, (counts.get(r.params.tel) ?? 0) + 1)
      const per = placed.map((c) => counts.get(c.number) ?? 0)
      const wanted = placed.map((c) => (who === 'all' || c.kind.startsWith('answer') ? 1 : 0))
      accesses[name] = { received: per.reduce((a, b) => a + b, 0), expected: wanted.reduce((a, b) => a + b, 0), min: Math.min(...per), max: Math.max(...per) }
      placed.forEach((c, i) => { if (per[i] !== wanted[i]) accessProblems.push(`${name} ${c.number} (${c.kind}): ${per[i]} received, ${wanted[i]} expected`) })
      const strangers = [...counts.keys()].filter((tel) => !placed.some((c) => c.number === tel))
      for (const tel of strangers) accessProblems.push(`${name} for an unknown number ${tel}`)
    }

    const popupCounts = await page.evaluate(() => ({ ...window.__soakPopups }))
    const popupProblems = placed.filter((c) => popupCounts[c.number] !== 1).map((c) => `${c.number}: ${popupCounts[c.number] ?? 0} popups`)

    const rows = await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('tsunagu-history')
      open.onerror = () => reject(open.error)
      open.onsuccess = () => {
        const db = open.result
        if (!db.objectStoreNames.contains('calls')) { db.close(); resolve([]); return }
        const all = db.transaction('calls').objectStore('calls').getAll()
        all.onsuccess = () => { db.close(); resolve(all.result.map((r) => ({ number: r.remoteNumber, result: r.result, cutOff: r.cutOff }))) }
        all.onerror = () => reject(all.error)
      }
    }))
    const rowsPer = new Map()
    for (const row of rows) rowsPer.set(row.number, (rowsPer.get(row.number) ?? 0) + 1)
    const historyProblems = [
      ...placed.filter((c) => rowsPer.get(c.number) !== 1).map((c) => `${c.number}: ${rowsPer.get(c.number) ?? 0} history rows`),
      ...rows.filter((r) => r.cutOff).map((r) => `${r.number}: row still open`),
    ]

    /** @type {Record<string, number>} */
    const mix = {}
    for (const c of placed) mix[c.kind] = (mix[c.kind] ?? 0) + 1
    const base = warm ?? atStart
    return {
      calls: placed.length,
      mix,
      concurrentWaves: WAVES.filter((w) => w.length > 1).length,
      withHashCodes: placed.filter((_c, i) => (i + 1) % 2 === 0).length,
      durationS,
      popups: Object.values(popupCounts).reduce((a, b) => a + b, 0),
      popupProblems,
      accesses,
      accessesPerCall: Object.fromEntries(Object.entries(accesses).map(([k, v]) => [k, +(v.received / placed.length).toFixed(3)])),
      accessProblems,
      historyRows: rows.length,
      historyProblems,
      sippFailures,
      errors: consoleErrors.length,
      consoleErrors: consoleErrors.slice(0, 20),
      atStart,
      afterWarmUp: warm,
      atEnd: end,
      warmUpCalls,
      heapBeforeMB: base.heapMB,
      heapAfterMB: end.heapMB,
      heapGrowthMB: +(end.heapMB - base.heapMB).toFixed(2),
      listenerGrowth: end.listeners - base.listeners,
      nodeGrowth: end.nodes - base.nodes,
      // Against the start: the warm-up sample still holds the transactions' 32 s timers.
      timerGrowth: end.timers - atStart.timers,
      settleS,
    }
  } finally {
    page.off('console', onConsole)
    page.off('pageerror', onPageError)
    await cdp.detach().catch(() => undefined)
  }
}

/** `node lab/soak.mjs [--calls 20]`: a lab of its own (Kamailio, CRM, the built app in dist/), one agent page. */
async function main() {
  const argv = process.argv.slice(2)
  const at = argv.indexOf('--calls')
  const calls = at >= 0 ? Number(argv[at + 1]) : 20
  const { chromium } = await import('@playwright/test')
  const { startKamailio } = await import('./kamailio.mjs')
  const { startCrm } = await import('./crm-server.mjs')
  const { startStaticServer } = await import('./static-server.mjs')
  const kamailio = await startKamailio()
  const crm = await startCrm({})
  const app = await startStaticServer({ dir: 'dist' })
  app.setFile('/deploy.json', JSON.stringify({ provisioning: { origins: [crm.url] } }))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: SOAK_CHROMIUM_ARGS })
  try {
    const { page } = await openSoakPhone(browser, { kamailio, crm, appUrl: app.url, user: '1101' })
    const result = await runSoak({ page, udpPort: kamailio.udpPort, crm, user: '1101', calls, progress: (line) => process.stderr.write(`[soak] ${line}\n`) })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } finally {
    await browser.close()
    await app.stop()
    await crm.stop()
    await kamailio.stop()
  }
}

export const SOAK_CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']

/**
 * A fresh context and page for the soak agent, provisioned through the CRM stand-in, registered.
 * @param {import('@playwright/test').Browser} browser
 * @param {{ kamailio: { wsUrl: string, domain: string }, crm: import('./crm-server.mjs').CrmHandle, appUrl: string, user: string }} lab
 */
export async function openSoakPhone(browser, lab) {
  lab.crm.setProvision(`soak-${lab.user}`, {
    version: 1,
    ...soakSettings(lab.crm.url),
    sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user: lab.user, password: '', displayName: `Agent ${lab.user}` },
  })
  const context = await browser.newContext({ permissions: ['microphone'] })
  const page = await context.newPage()
  await page.addInitScript(SOAK_INIT_SCRIPT)
  await page.goto(`${lab.appUrl}/?config=${lab.crm.url}/provision/soak-${lab.user}.json`)
  await page.locator('[data-testid=registration-status][data-state=registered]').waitFor({ timeout: 15_000 })
  return { context, page }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => {
    process.stderr.write(`soak: ${error?.stack ?? error}\n`)
    process.exit(1)
  })
}
