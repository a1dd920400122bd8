#!/usr/bin/env node
/**
 * `npm start`: the phone with a working local demo, on a fresh Debian machine.
 *  1. installs what is missing (npm ci; Debian's kamailio, sipp, chromium),
 *  2. builds the phone and serves it on http://127.0.0.1:8080 (a secure context: loopback),
 *  3. starts Kamailio (SIP over WebSocket on 127.0.0.1:8088, UDP on 5060 for test calls),
 *  4. starts the demo CRM on http://127.0.0.1:8090 with a provisioning file for agent 1001,
 *     and writes dist/deploy.json, the deployment's trust anchor: the demo CRM's origin may
 *     provision the phone and its click-to-dial links dial without asking,
 *  5. prints the URL to open; `npm run call -- 0312345678` then rings that page.
 * Ports that are taken are replaced by free ones. Ctrl+C stops everything.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { ensureNodeModules, ensureSystemPackages } from './setup-lab.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const runDir = join(root, '.run')

ensureNodeModules()
ensureSystemPackages()

// Imported after the install step: these modules need nothing from npm, but keep the order obvious.
const { startKamailio } = await import('../lab/kamailio.mjs')
const { startCrm } = await import('../lab/crm-server.mjs')
const { startStaticServer } = await import('../lab/static-server.mjs')
const { securityHeaders } = await import('../lab/security-headers.mjs')
const { demoProvisioning } = await import('../lab/demo-provisioning.mjs')

console.log('Building the phone …')
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })

/** The documented port when it is free, else undefined (a free one is chosen). */
async function pick(port, udp = false) {
  const free = await new Promise((resolve) => {
    const done = (ok) => { try { socket.close() } catch { /* already closed */ } resolve(ok) }
    const socket = udp ? createSocket('udp4') : createServer()
    socket.once('error', () => resolve(false))
    if (udp) socket.bind(port, '127.0.0.1', () => done(true))
    else socket.listen(port, '127.0.0.1', () => done(true))
  })
  return free ? port : undefined
}
const kamailio = await startKamailio({ wsPort: await pick(8088), udpPort: await pick(5060, true) })
const crm = await startCrm({ port: (await pick(8090)) ?? 0 })
// The phone's security headers (CSP, COOP). The demo's connect-src and form-action allow loopback
// on any port (its PBX and CRM, and whatever is tried next to them); a deployment lists its own.
const app = await startStaticServer({ dir: join(root, 'dist'), port: (await pick(8080)) ?? 0, headers: securityHeaders() })

// What IT would put next to index.html (README, "deploy.json"); the CRM's port is known only now.
const deployment = { provisioning: { origins: [crm.url], hashConfig: 'off' }, dial: { trustedOrigins: [crm.url] } }
writeFileSync(join(root, 'dist', 'deploy.json'), `${JSON.stringify(deployment, null, 2)}\n`)

const provisioning = demoProvisioning({ wsUrl: kamailio.wsUrl, domain: kamailio.domain, crmUrl: crm.url })
crm.setProvision('demo', provisioning)
const phoneUrl = `${app.url}/?config=${encodeURIComponent(`${crm.url}/provision/demo.json`)}`

mkdirSync(runDir, { recursive: true })
writeFileSync(join(runDir, 'demo.json'), JSON.stringify({
  kamailio: { udpPort: kamailio.udpPort, wsUrl: kamailio.wsUrl, domain: kamailio.domain },
  crmUrl: crm.url,
  appUrl: app.url,
  phoneUrl,
  agent: provisioning.sip.user,
}, null, 2))

console.log(`
Tsunagu demo is running.

  Phone (agent ${provisioning.sip.user}):  ${phoneUrl}
  PBX (Kamailio):        ${kamailio.wsUrl}  (SIP/UDP 127.0.0.1:${kamailio.udpPort})
  Demo CRM:              ${crm.url}  (requests it got: ${crm.url}/api/requests)

Open the phone URL in Chrome or Edge and log in to the demo CRM as agent01 / pass01,
then place a test call from another terminal:

  npm run call -- 0312345678            # 山田 太郎, answer it in the phone, hang up there
  npm run call -- 0312345678 --cancel-after 5

Ctrl+C stops the demo.
`)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await Promise.allSettled([app.stop(), crm.stop(), kamailio.stop()])
  rmSync(join(runDir, 'demo.json'), { force: true })
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
