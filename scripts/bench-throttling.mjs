/**
 * Intensive wake-up throttling, measured (issue 11 item 2): the phone's tab hidden behind another
 * tab for `--seconds` under Chrome's once-a-minute regime (its grace period cut from 5 minutes to
 * `--grace` seconds), then rung by sipp. See `lab/hidden-phone.mjs` for how and what is measured.
 *
 *   node scripts/bench-throttling.mjs [--seconds 150] [--grace 10] [--out FILE]   (needs dist/: npx vite build)
 *
 * Writes the figures as JSON to `--out` (default bench/throttling.json) and prints them.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCrm } from '../lab/crm-server.mjs'
import { measureHiddenPhone } from '../lab/hidden-phone.mjs'
import { startKamailio } from '../lab/kamailio.mjs'
import { startStaticServer } from '../lab/static-server.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1] : fallback
}
const OUT = arg('out', join(root, 'bench', 'throttling.json'))

const kamailio = await startKamailio()
const crm = await startCrm({})
const app = await startStaticServer({ dir: join(root, 'dist') })
app.setFile('/deploy.json', JSON.stringify({ provisioning: { origins: [crm.url] } }))
try {
  const figures = await measureHiddenPhone({
    kamailio, crm, appUrl: app.url, user: '1001',
    seconds: Number(arg('seconds', 150)), graceS: Number(arg('grace', 10)), wakeUpS: 60,
    // A 10 s probe and a 60 s registration (refreshed at 30 s): a minute's wake-up would miss both.
    keepAliveS: 10, expiresS: 60,
  })
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, `${JSON.stringify(figures, null, 2)}\n`)
  console.log(JSON.stringify(figures, null, 2))
} finally {
  await app.stop()
  await crm.stop()
  await kamailio.stop()
}
