import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { startKamailio } from '/work/main/lab/kamailio.mjs'
import { startCrm } from '/work/main/lab/crm-server.mjs'
import { startStaticServer } from '/work/main/lab/static-server.mjs'
import { runSipp } from '/work/main/lab/sipp.mjs'
const root = '/work/main'
if (!process.env.NOBUILD) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
const kamailio = await startKamailio(); const crm = await startCrm({}); const app = await startStaticServer({ dir: join(root, 'dist') })
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
const N = Number(process.env.N ?? 20)
try {
  const user = '1001'
  crm.setProvision(`p-${user}`, { version: 1, sip: { server: kamailio.wsUrl, domain: kamailio.domain, user, password: '', displayName: 'A' }, ...(process.env.CTI ? { agent: { id: 'a', password: 'b' }, cti: { target: 'custom', accesses: { search: { method: 'get-internal', url: `${crm.url}/search?tel={TEL}`, format: '{NAME}{COMPANY}' } } } } : {}) })
  const context = await browser.newContext({ permissions: ['microphone'] })
  const page = await context.newPage()
  await page.goto(`${app.url}/?config=${crm.url}/provision/p-${user}.json`)
  await page.locator('[data-testid=registration-status][data-state=registered]').waitFor({ timeout: 15000 })
  await page.evaluate(() => { new MutationObserver(() => { if (!window.__dom && document.querySelector('[data-testid=incoming-popup]')) window.__dom = performance.now() }).observe(document.body, { subtree: true, childList: true }) })
  const rows = []
  for (let i = 0; i < N; i++) {
    await page.evaluate(() => { performance.clearMarks(); window.__dom = undefined })
    const sipp = await runSipp({ scenario: 'cancel', udpPort: kamailio.udpPort, to: user, fromUser: `03123456${String(i).padStart(2, '0')}#A1#B2`, fromName: 'Bench', holdMs: 400 })
    await page.waitForFunction(() => performance.getEntriesByName('tsunagu:popup').length > 0, undefined, { timeout: 10000 })
    rows.push(await page.evaluate(() => {
      const t = (n) => performance.getEntriesByName(n).at(-1)?.startTime
      const inv = t('tsunagu:invite')
      const r = {}
      for (const n of ['sip-call', 'call-read', 'call-added', 'popup-dom', 'popup']) r[n] = t('tsunagu:' + n) - inv
      r.observed = window.__dom - inv
      return r
    }))
    await sipp.done
    await page.getByTestId('incoming-popup').waitFor({ state: 'detached', timeout: 10000 })
  }
  const keys = Object.keys(rows[0])
  for (const k of keys) {
    const s = rows.map((r) => r[k]).filter((x) => x === x).sort((a, b) => a - b)
    if (!s.length) { console.log(k, 'n/a'); continue }
    const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]
    console.log(k.padEnd(12), 'p50', q(0.5).toFixed(1), 'p95', q(0.95).toFixed(1), 'max', s.at(-1).toFixed(1))
  }
} finally { await browser.close(); await app.stop(); await crm.stop(); await kamailio.stop() }
