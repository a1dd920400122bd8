/**
 * A phone page hidden behind another tab, under Chrome's intensive wake-up throttling, measured
 * (issue 11 item 2): `measureHiddenPhone()` starts its own Chromium (headless, driven over raw
 * CDP), opens the phone registered at the lab's Kamailio, hides its tab, and reports what ran on
 * time while it was hidden; then a sipp call rings it. Used by `scripts/bench-throttling.mjs`
 * (the long run, a minute between wake-ups) and `e2e/throttling.spec.ts` (a short one).
 *
 * Why raw CDP and not Playwright: Playwright sends `Emulation.setFocusEmulationEnabled` and
 * `Emulation.setActiveAndFocused` to every page it attaches to, and with those a page stays
 * `visible` whatever is in front; also its default flags turn background throttling off
 * (`--disable-background-timer-throttling`, `--disable-renderer-backgrounding`,
 * `--disable-backgrounding-occluded-windows`). Here Chromium is started by hand and driven over
 * its DevTools socket: a second tab made active in the same window hides the phone's tab
 * (`visibilityState: hidden`), and `--enable-features=IntensiveWakeUpThrottling:…` with a short
 * grace period (Chrome's default: 5 minutes) brings the throttled regime in seconds.
 *
 * Measured in the hidden page: a chained `setTimeout(…, 2000)` of the page's own (the throttled
 * kind), the SIP OPTIONS probes and REGISTER refreshes the line sends (WebSocket frames, stamped in
 * the page), the registration state shown (sampled over CDP every `sampleMs`), and at the end a
 * call from sipp: INVITE sent → popup in the DOM.
 *
 * @module lab/hidden-phone
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { runSipp } from './sipp.mjs'

/** Before the app: stamps the line's SIP requests as they leave, and runs the page's own timer chain. */
const PROBE = `(() => {
  const b = window.__throttle = { chain: [], options: [], registers: [], hiddenAt: undefined }
  document.addEventListener('visibilitychange', () => { if (document.hidden && b.hiddenAt === undefined) b.hiddenAt = Date.now() })
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string') {
      if (data.startsWith('OPTIONS ')) b.options.push(Date.now())
      else if (data.startsWith('REGISTER ')) b.registers.push(Date.now())
    }
    return send.call(this, data)
  }
  const tick = () => { b.chain.push(Date.now()); setTimeout(tick, 2000) }
  setTimeout(tick, 2000)
})()`

const gaps = (list) => list.slice(1).map((t, i) => t - list[i])
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Chromium with a DevTools socket; returns a tiny CDP client (flattened sessions). */
async function startChromium(profile, { graceS, wakeUpS }) {
  // Its own process group: closing ends its renderers and helpers too, not only the browser process.
  const proc = spawn('/usr/bin/chromium', [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/${graceS}/duration_between_wake_ups_seconds/${wakeUpS}`,
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: 'ignore', detached: true })
  const portFile = join(profile, 'DevToolsActivePort')
  for (let i = 0; i < 150 && !existsSync(portFile); i++) await sleep(100)
  await sleep(200)
  const [port, path] = readFileSync(portFile, 'utf8').trim().split('\n')
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`)
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  let seq = 0
  const waiting = new Map()
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw))
    const settle = message.id === undefined ? undefined : waiting.get(message.id)
    if (!settle) return
    waiting.delete(message.id)
    if (message.error) settle.reject(new Error(`${message.error.message}`))
    else settle.resolve(message.result)
  })
  const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
    const id = ++seq
    waiting.set(id, { resolve, reject })
    ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }))
  })
  return {
    send,
    async close() {
      ws.close()
      const exited = new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', resolve)))
      try {
        process.kill(-proc.pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
      await exited
    },
  }
}

/**
 * @param {{ kamailio: { wsUrl: string, domain: string, udpPort: number }, crm: { url: string, setProvision(name: string, doc: unknown): void },
 *   appUrl: string, user: string, seconds: number, graceS: number, wakeUpS: number, keepAliveS: number, expiresS: number, sampleMs?: number }} options
 *   `appUrl` serves dist/ with a deploy.json that trusts the CRM stand-in's provisioning.
 */
export async function measureHiddenPhone({ kamailio, crm, appUrl, user, seconds, graceS, wakeUpS, keepAliveS, expiresS, sampleMs = 5000 }) {
  const profile = mkdtempSync(join(tmpdir(), 'tsunagu-hidden-'))
  const chromium = await startChromium(profile, { graceS, wakeUpS })
  try {
    crm.setProvision(`hidden-${user}`, {
      version: 1,
      sip: { server: kamailio.wsUrl, domain: kamailio.domain, user, password: '', displayName: 'Agent', keepAliveSeconds: keepAliveS, registerExpires: expiresS },
    })
    const { targetInfos } = await chromium.send('Target.getTargets')
    const phoneTarget = targetInfos.find((t) => t.type === 'page').targetId
    const { sessionId } = await chromium.send('Target.attachToTarget', { targetId: phoneTarget, flatten: true })
    const evaluate = async (expression) => (await chromium.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)).result.value
    await chromium.send('Page.enable', {}, sessionId)
    await chromium.send('Page.addScriptToEvaluateOnNewDocument', { source: PROBE }, sessionId)
    await chromium.send('Page.navigate', { url: `${appUrl}/?config=${crm.url}/provision/hidden-${user}.json` }, sessionId)
    const state = () => evaluate(`document.querySelector('[data-testid=registration-status]')?.dataset.state ?? 'none'`)
    for (let i = 0; i < 150 && (await state()) !== 'registered'; i++) await sleep(100)
    if ((await state()) !== 'registered') throw new Error('the phone did not register')

    // Another tab in front, in the same window: the phone's tab is hidden.
    const { targetId: front } = await chromium.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false })
    await chromium.send('Target.activateTarget', { targetId: front })
    const hiddenAt = Date.now()
    const visibility = await evaluate('document.visibilityState')
    const samples = []
    while (Date.now() - hiddenAt < seconds * 1000) {
      samples.push({ at: Date.now() - hiddenAt, state: await state() })
      await sleep(sampleMs)
    }
    const probe = await evaluate('JSON.parse(JSON.stringify(window.__throttle))')
    const endedAt = Date.now()
    const after = (list, fromMs) => list.filter((t) => t >= hiddenAt + fromMs)
    // The throttled regime starts once the grace period is over (its first wake-up is aligned to the minute).
    const chainGaps = gaps(after(probe.chain, 0))
    const throttledChain = gaps(after(probe.chain, graceS * 1000))
    const optionsGaps = gaps(after(probe.options, 0))

    // A call now, to the hidden, throttled page: INVITE → popup in the DOM.
    await evaluate(`(() => { window.__popupAt = undefined; new MutationObserver(() => { if (window.__popupAt === undefined && document.querySelector('[data-testid=incoming-popup]')) window.__popupAt = Date.now() }).observe(document.body, { subtree: true, childList: true }) })()`)
    const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: kamailio.udpPort, to: user, fromUser: '0312345678' })
    const invitedAt = Date.now()
    let popupAt
    while (!popupAt && Date.now() - invitedAt < 15000) {
      popupAt = await evaluate('window.__popupAt')
      if (!popupAt) await sleep(50)
    }
    await sipp.hangUp()
    await sipp.done

    return {
      measuredAt: new Date().toISOString(),
      chromium: 'Debian /usr/bin/chromium, --headless=new, raw CDP (no Playwright)',
      flags: `IntensiveWakeUpThrottling:grace_period_seconds/${graceS}/duration_between_wake_ups_seconds/${wakeUpS}`,
      hiddenHow: 'Target.createTarget({ newWindow: false }) + Target.activateTarget: another tab in front',
      visibilityAfterHide: visibility,
      hiddenSeconds: seconds,
      pageTimerChain2s: {
        ticks: chainGaps.length + 1,
        gapsMs: chainGaps,
        afterGraceGapsMs: throttledChain,
        maxGapMs: Math.max(...chainGaps),
        /** From the chain's last tick to the end of the hidden time: a throttled chain is quiet this long. */
        quietAtEndMs: endedAt - (probe.chain.at(-1) ?? hiddenAt),
      },
      lineProbeOptions: { intervalSetS: keepAliveS, sent: optionsGaps.length + 1, gapsMs: optionsGaps, maxGapMs: Math.max(...optionsGaps) },
      registerRefreshes: { expiresS, sentWhileHidden: after(probe.registers, 0).length, gapsMs: gaps(after(probe.registers, 0)) },
      registrationShown: { samples: samples.length, notRegistered: samples.filter((s) => s.state !== 'registered') },
      ring: { popupAfterInviteMs: popupAt ? popupAt - invitedAt : null },
    }
  } finally {
    await chromium.close()
    // A helper process may still write its last files into the profile: retried.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
  }
}
