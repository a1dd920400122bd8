import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { chromium } from '@playwright/test'
import { startKamailio } from '/work/main/lab/kamailio.mjs'
import { startCrm } from '/work/main/lab/crm-server.mjs'
import { startStaticServer } from '/work/main/lab/static-server.mjs'
import { runSipp } from '/work/main/lab/sipp.mjs'
const root = '/work/main'
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
const kamailio = await startKamailio(); const crm = await startCrm({}); const app = await startStaticServer({ dir: join(root, 'dist') })
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
try {
  const user = '1001'
  crm.setProvision(`p-${user}`, { version: 1, sip: { server: kamailio.wsUrl, domain: kamailio.domain, user, password: '', displayName: 'A' } })
  const context = await browser.newContext({ permissions: ['microphone'] })
  const page = await context.newPage()
  await page.goto(`${app.url}/?config=${crm.url}/provision/p-${user}.json`)
  await page.locator('[data-testid=registration-status][data-state=registered]').waitFor({ timeout: 15000 })
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
  const agg = new Map()
  for (let i = 0; i < 8; i++) {
    if (i >= 3) await cdp.send('Profiler.start')
    const sipp = await runSipp({ scenario: 'cancel', udpPort: kamailio.udpPort, to: user, fromUser: `03123456${i}0`, fromName: 'Bench', holdMs: 400 })
    await page.getByTestId('incoming-popup').waitFor({ timeout: 10000 })
    if (i >= 3) {
      const { profile } = await cdp.send('Profiler.stop')
      const byId = new Map(profile.nodes.map((n) => [n.id, n]))
      const dt = profile.timeDeltas; const counts = new Map()
      profile.samples.forEach((id, k) => counts.set(id, (counts.get(id) ?? 0) + (dt[k] ?? 0)))
      const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
      for (const [id, us] of counts) { const n0 = byId.get(id); if (n0.callFrame.functionName === 'getBoundingClientRect' || n0.callFrame.functionName === 'setAttribute') { let p = id, chain = []; for (let d = 0; d < 14 && p; d++) { const nn = byId.get(p); chain.push(`${nn.callFrame.functionName || 'anon'}@${nn.callFrame.url.split('/').pop()}:${nn.callFrame.lineNumber}:${nn.callFrame.columnNumber}`); p = parent.get(p) } const k = chain.join(' < '); agg.set('STACK ' + k, (agg.get('STACK ' + k) ?? 0) + us) } }
      for (const [id, us] of counts) { const n = byId.get(id); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; agg.set(key, (agg.get(key) ?? 0) + us) }
    }
    await sipp.done
    await page.getByTestId('incoming-popup').waitFor({ state: 'detached', timeout: 10000 })
  }
  const top = [...agg].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]).slice(0, 60)
  for (const [k, us] of top) console.log((us / 1000 / 5).toFixed(2).padStart(7), 'ms/call', k)
} finally { await browser.close(); await app.stop(); await crm.stop(); await kamailio.stop() }
