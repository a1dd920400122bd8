#!/usr/bin/env node
/**
 * `npm run call -- 0312345678 [--name Yamada] [--to 1001] [--codes[=#A1#B2]] [--cancel-after 5] [--hold 10]`
 *
 * Place a test call to the agent's phone through the running demo's Kamailio, as a PBX would: sipp over UDP
 * with a WebRTC-style SDP the browser can answer, and — with --codes — the PBX's `#` codes appended RAW to the
 * caller number (`0312345678#A1#B2`), which is exactly what sip.js cannot parse unless the phone copes.
 *
 * Why a script: a person trying the demo (or a developer reproducing a bug) needs an incoming call on demand,
 * without a PBX. It reads `.run/demo.json`, written by `npm start`, to find the demo's Kamailio.
 *
 * Modes:
 *   default           ring; when the agent answers, stay on the line until the agent hangs up
 *   --hold S          when answered, the caller hangs up after S seconds
 *   --cancel-after S  the caller gives up after S seconds of ringing (CANCEL)
 *   --expect-decline  the agent is expected to decline (486 Busy Here)
 *
 * Other options:
 *   --name NAME           caller display name (default Yamada)
 *   --to USER             the agent's SIP user (default 1001)
 *   --codes[=CODES]       append PBX codes to the number, raw (default #A1#B2)
 *   --header 'Name: val'  extra INVITE header (repeatable), e.g. --header 'X-Request-Id: abc'
 *   --timeout S           give up waiting after S seconds (default 180)
 *   --udp-port N          call a Kamailio on 127.0.0.1:N directly instead of reading .run/demo.json
 *
 * Exit code: 0 when the call went as the mode expects, 1 otherwise, 2 for usage errors / demo not running.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runSipp, sippAvailable, SIPP_BIN } from '../lab/sipp.mjs'
import { waitForUdpOptions } from '../lab/kamailio.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DEMO_JSON = path.join(ROOT, '.run', 'demo.json')

/** @param {string} msg */
function fail(msg, code = 2) {
  process.stderr.write(`call: ${msg}\n`)
  process.exit(code)
}

const t0 = Date.now()
/** @param {string} msg */
const say = (msg) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`)

/** The last request the caller sent, so a 200 can be named ("answered" after INVITE, "hung up" after BYE). */
let lastSent = ''

/**
 * Turn a sipp trace line into words a person trying the demo understands.
 * @param {string} line "> INVITE sip:…" or "< SIP/2.0 180 Ringing"
 * @param {string} to
 */
function explain(line, to) {
  const dir = line[0]
  const rest = line.slice(2)
  const status = /^SIP\/2\.0 (\d{3})/.exec(rest)?.[1]
  const method = /^([A-Z]+) /.exec(rest)?.[1]
  const notes = /** @type {Record<string,string>} */ ({
    '>INVITE': `calling ${to}`,
    '<100': 'Kamailio is trying',
    '<180': `ringing at ${to}`,
    '<183': 'session progress',
    '<200': 'OK',
    '<404': `${to} is not registered (is the phone open and registered?)`,
    '<408': 'no answer (timeout)',
    '<480': `${to} is temporarily unavailable`,
    '<486': `${to} is busy / declined`,
    '<487': 'the INVITE was cancelled',
    '<603': `${to} declined`,
    '>ACK': 'ACK',
    '>BYE': 'caller hangs up',
    '<BYE': 'agent hung up',
    '>CANCEL': 'caller gives up (CANCEL)',
    '<INFO': 'agent sent INFO (DTMF?)',
    '<INVITE': 'agent re-INVITE (hold/resume?)',
    '<REFER': 'agent transfers the call (REFER)',
    '>NOTIFY': 'transfer accepted (NOTIFY)',
    '>SIP/2.0': 'reply',
  })
  const key = `${dir}${status ?? method ?? ''}`
  let note = notes[key] ?? (dir === '>' && status ? 'reply' : '')
  if (key === '<200' && lastSent === 'INVITE') note = `answered by ${to}`
  if (key === '<200' && lastSent === 'BYE') note = 'hung up'
  if (dir === '>' && method) lastSent = method
  return `${dir === '>' ? 'caller →' : 'caller ←'} ${rest}${note ? `   (${note})` : ''}`
}

async function main() {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string', default: 'Yamada' },
        to: { type: 'string', default: '1001' },
        codes: { type: 'string' },
        'cancel-after': { type: 'string' },
        hold: { type: 'string' },
        'expect-decline': { type: 'boolean', default: false },
        header: { type: 'string', multiple: true, default: [] },
        timeout: { type: 'string', default: '180' },
        'udp-port': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      // `--codes` alone means the default codes: parseArgs needs a value, so map it below.
      args: process.argv.slice(2).map((a) => (a === '--codes' ? '--codes=#A1#B2' : a)),
    })
  } catch (err) {
    fail(`${/** @type {Error} */ (err).message}\nusage: npm run call -- 0312345678 [--name Yamada] [--to 1001] [--codes] [--cancel-after 5] [--hold 10]`)
    return
  }
  const { values: v, positionals } = parsed
  if (v.help) {
    const src = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8')
    process.stdout.write(/\/\*\*([\s\S]*?)\*\//.exec(src)?.[1].replace(/^ \* ?/gm, '') ?? '')
    return
  }
  const number = positionals[0]
  if (!number) fail('missing the caller number, e.g. `npm run call -- 0312345678`')
  if (positionals.length > 1) fail(`unexpected arguments: ${positionals.slice(1).join(' ')}`)
  if (!/^\+?[0-9*#]+$/.test(number)) fail(`the caller number should be digits (got ${JSON.stringify(number)})`)
  const seconds = (/** @type {string|undefined} */ s, /** @type {string} */ name) => {
    if (s === undefined) return undefined
    const n = Number(s)
    if (!Number.isFinite(n) || n < 0) fail(`--${name} wants a number of seconds, got ${JSON.stringify(s)}`)
    return n
  }
  const cancelAfter = seconds(v['cancel-after'], 'cancel-after')
  const hold = seconds(v.hold, 'hold')
  const timeoutS = seconds(v.timeout, 'timeout') ?? 180
  const modes = [cancelAfter !== undefined, hold !== undefined, v['expect-decline']].filter(Boolean).length
  if (modes > 1) fail('choose one of --cancel-after, --hold, --expect-decline')

  /** @type {Record<string,string>} */
  const extraHeaders = {}
  for (const h of v.header ?? []) {
    const i = h.indexOf(':')
    if (i <= 0) fail(`--header wants "Name: value", got ${JSON.stringify(h)}`)
    extraHeaders[h.slice(0, i).trim()] = h.slice(i + 1).trim()
  }

  if (!sippAvailable()) fail(`sipp not found at ${SIPP_BIN}: run \`npm run lab:setup\` (or \`apt-get install -y sip-tester\`)`)

  let udpPort
  let host = '127.0.0.1'
  if (v['udp-port']) {
    udpPort = Number(v['udp-port'])
    if (!Number.isInteger(udpPort) || udpPort <= 0 || udpPort > 65535) fail(`bad --udp-port ${v['udp-port']}`)
  } else {
    if (!fs.existsSync(DEMO_JSON)) {
      fail(
        `the demo is not running (${path.relative(process.cwd(), DEMO_JSON) || DEMO_JSON} not found).\n` +
          '      Start it with `npm start` in another terminal, then run this again ' +
          '(or pass --udp-port N to call a Kamailio directly).',
      )
    }
    let demo
    try {
      demo = JSON.parse(fs.readFileSync(DEMO_JSON, 'utf8'))
    } catch (err) {
      fail(`cannot read ${DEMO_JSON}: ${/** @type {Error} */ (err).message}`)
    }
    udpPort = Number(demo?.kamailio?.udpPort)
    if (!udpPort) fail(`${DEMO_JSON} has no kamailio.udpPort: is it from an older demo? Restart \`npm start\`.`)
    host = demo?.kamailio?.host ?? host
    if (demo.appUrl) say(`demo app: ${demo.appUrl}`)
  }
  try {
    await waitForUdpOptions(udpPort, host, 2000)
  } catch {
    fail(
      `no SIP server answers on udp ${host}:${udpPort}. ` +
        (v['udp-port'] ? 'Is Kamailio running there?' : 'Is `npm start` still running? (.run/demo.json may be stale)'),
    )
  }

  const codes = v.codes ?? ''
  if (codes && !/^[#*A-Za-z0-9]+$/.test(codes)) fail(`--codes should look like #A1#B2, got ${JSON.stringify(codes)}`)
  const fromUser = `${number}${codes}`
  const scenario =
    cancelAfter !== undefined ? 'cancel' : v['expect-decline'] ? 'declined' : hold !== undefined ? 'answerable' : 'answerable-wait-bye'
  const holdMs = Math.round(1000 * (cancelAfter ?? hold ?? 0))
  const what = {
    cancel: `will give up after ${cancelAfter}s of ringing`,
    declined: 'expects the agent to decline (486)',
    answerable: `will hang up ${hold}s after the agent answers`,
    'answerable-wait-bye': 'waits for the agent to answer and then to hang up',
  }[scenario]
  say(`calling ${v.to} from "${v.name}" <sip:${fromUser}@${host}> via Kamailio udp ${host}:${udpPort}; the caller ${what}`)
  if (Object.keys(extraHeaders).length) say(`extra headers: ${JSON.stringify(extraHeaders)}`)

  const handle = await runSipp({
    scenario,
    udpPort,
    host,
    to: v.to,
    fromUser,
    fromName: v.name,
    holdMs,
    extraHeaders,
    timeoutS,
    onMessage: (line) => say(explain(line, v.to)),
  })
  const onSignal = () => {
    say('interrupted: stopping sipp')
    handle.kill()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const r = await handle.done
  if (r.code === 0) {
    say('done: the call went as expected')
    return 0
  }
  const why = /Aborting call[^\n]*|[^\n]*unexpected[^\n]*|[^\n]*timeout[^\n]*/i.exec(r.errors || r.stderr)?.[0]
  say(`sipp exited with code ${r.code}: the call did not go as expected${why ? `\n       ${why.trim()}` : ''}`)
  if (/\b404\b/.test(r.messages)) say(`hint: ${v.to} is not registered — open the phone and log in as ${v.to}`)
  if (r.stderr.trim() && r.code !== 1) process.stderr.write(r.stderr.slice(-2000))
  return 1
}

main().then(
  (code) => process.exit(code ?? 0),
  (err) => fail(err?.stack ?? String(err), 1),
)
