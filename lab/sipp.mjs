/**
 * Run a scripted PBX-style caller (sipp over UDP) against the lab's Kamailio.
 *
 * Why: the phone's real callers are PBXs/trunks sending INVITEs over UDP, with quirks a browser-to-browser test
 * never shows — above all a RAW `#` in the From user (`0312345678#A1#B2`) that sip.js cannot parse unless the
 * phone escapes it. sipp puts exactly those bytes on the wire.
 *
 * Scenarios live in lab/sipp/*.xml; values go in with `-set NAME VALUE` (declared as `<Global variables>`), the
 * callee is sipp's service (`-s USER`), the hold time is the pause length (`-d MS`).
 *
 * Tests should not race a hold time: with `untilHangUp: true` the caller waits at that pause until the test calls
 * `hangUp()` (`cancel`: CANCEL, `answerable`: BYE). The scenario's `<pause />` becomes a `<recvCmd />`, and
 * `hangUp()` sends that twin command over sipp's 3PCC socket (`-3pcc`, sipp listening, ESC-terminated
 * `Call-ID:` line, the Call-ID fixed with `-cid_str`) once sipp's trace shows it has reached the pause.
 *
 * @module lab/sipp
 */
import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import net from 'node:net'
import { freePort, freeUdpPort, freeUdpPortRange } from './ports.mjs'
import { onProcessEnd } from './cleanup.mjs'

/** Path of the sipp binary (override with SIPP_BIN). */
export const SIPP_BIN = process.env.SIPP_BIN || '/usr/bin/sipp'
/** Folder of the scenario files. */
export const SCENARIO_DIR = fileURLToPath(new URL('./sipp/', import.meta.url))

/**
 * Scenario names and what they do:
 * - `answerable`: WebRTC-style INVITE; after 200/ACK the caller waits `holdMs` then sends BYE. The browser may
 *   hang up first (BYE answered), send INFO, re-INVITE (hold) or REFER (202 + NOTIFY) meanwhile.
 * - `answerable-wait-bye`: same INVITE, but the caller never hangs up: it waits for the browser's BYE.
 * - `declined`: same INVITE, expects the browser to reject with 486 Busy Here, then ACKs.
 * - `cancel`: same INVITE, waits for 180, pauses `holdMs`, CANCELs; expects 200 (CANCEL) and 487, ACKs.
 * - `not-found`: same INVITE, expects 404 Not Found from Kamailio (lab self-test: callee not registered).
 * @typedef {'answerable' | 'answerable-wait-bye' | 'declined' | 'cancel' | 'not-found'} ScenarioName
 */
export const SCENARIOS = ['answerable', 'answerable-wait-bye', 'declined', 'cancel', 'not-found']

/** True when sipp is installed (tests skip cleanly without it). */
export function sippAvailable() {
  return existsSync(SIPP_BIN)
}

/**
 * @typedef {object} SippOptions
 * @property {ScenarioName | string} scenario  a name from SCENARIOS or a path to an XML file
 * @property {number} udpPort     Kamailio's UDP port
 * @property {string} [host]      Kamailio's address (default 127.0.0.1)
 * @property {string} [to]        callee user (default '1001')
 * @property {string} [fromUser]  caller user, sent raw (default '0312345678#A1#B2')
 * @property {string} [fromName]  caller display name (default 'Yamada')
 * @property {number} [holdMs]    pause length: talk time for `answerable`, ring time before CANCEL for `cancel`
 *   (default 2000); ignored with `untilHangUp`
 * @property {boolean} [untilHangUp] `cancel` and `answerable`: no hold time; the caller waits until `hangUp()`
 * @property {Record<string,string>} [extraHeaders] added to the INVITE, e.g. { 'X-Request-Id': 'abc' }
 * @property {boolean} [waitForBye] with `answerable`: wait for the browser's BYE instead of hanging up
 * @property {number} [timeoutS]  overall sipp timeout (default 60)
 * @property {number} [localPort] the UDP port sipp sends from (default: a free one). When sipp cannot bind a port
 *   (another process took it since it was checked), it starts again on free ones, up to BIND_RETRIES times
 * @property {boolean} [log]      stream sipp's stderr to this process's stderr
 * @property {(line: string) => void} [onMessage] called with "> INVITE sip:…" / "< SIP/2.0 180 Ringing" as
 *   sipp sends/receives (polled from its message trace every 100 ms), e.g. to narrate a call live
 */

/**
 * @typedef {object} SippResult
 * @property {number | null} code    sipp's exit code: 0 = the call followed the scenario, 1 = it failed,
 *   others = sipp could not run (see stderr)
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} messages   every SIP message sipp sent/received (-trace_msg), for assertions
 * @property {string} errors     sipp's error log (-trace_err), e.g. "unexpected message" details
 * @property {string[]} args     the command line, for error messages
 */

/**
 * @typedef {object} SippHandle
 * @property {Promise<SippResult>} done  resolves when sipp exits (never rejects for a failed call: check code)
 * @property {() => void} kill          stop sipp now (SIGKILL); `done` still resolves
 * @property {() => Promise<void>} hangUp with `untilHangUp`: the caller ends the call now (`cancel`: CANCEL while it
 *   rings, `answerable`: BYE). Waits until sipp has reached that point (180 received, or ACK sent); rejects when
 *   sipp ended before, or when it is called without `untilHangUp`
 */

/**
 * Start sipp for one call (`-m 1`).
 * @param {SippOptions} opts
 * @returns {Promise<SippHandle>}
 */
export async function runSipp(opts) {
  if (!sippAvailable()) {
    throw new Error(`sipp not found at ${SIPP_BIN}: run \`npm run lab:setup\` (or \`apt-get install -y sip-tester\`)`)
  }
  const {
    udpPort,
    host = '127.0.0.1',
    to = '1001',
    fromUser = '0312345678#A1#B2',
    fromName = 'Yamada',
    holdMs = 2000,
    extraHeaders = {},
    waitForBye = false,
    timeoutS = 60,
  } = opts
  if (!udpPort) throw new Error('runSipp: udpPort (Kamailio UDP port) is required')
  let scenario = opts.scenario
  if (scenario === 'answerable' && waitForBye) scenario = 'answerable-wait-bye'
  let file = SCENARIOS.includes(scenario) ? path.join(SCENARIO_DIR, `${scenario}.xml`) : path.resolve(scenario)
  if (!existsSync(file)) throw new Error(`sipp scenario not found: ${file} (known: ${SCENARIOS.join(', ')})`)
  const readyForHangUp = opts.untilHangUp ? HANG_UP_READY[scenario] : undefined
  if (opts.untilHangUp && !readyForHangUp) {
    throw new Error(`untilHangUp works with ${Object.keys(HANG_UP_READY).join(', ')}, not ${scenario}`)
  }

  for (const [k, v] of Object.entries(extraHeaders)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) throw new Error(`invalid SIP header name: ${JSON.stringify(k)}`)
    if (/[\r\n]/.test(String(v))) throw new Error(`header ${k} must not contain CR/LF`)
  }
  for (const [k, v] of Object.entries({ fromUser, fromName, to })) {
    if (/[\r\n"]/.test(v)) throw new Error(`${k} must not contain CR, LF or double quotes`)
  }
  // Each extra header is preceded by CRLF so the scenario can append [$extra_headers] to an existing header
  // line: when there is none, no empty line (which would end the header block) appears.
  const extra = Object.entries(extraHeaders)
    .map(([k, v]) => `\r\n${k}: ${v}`)
    .join('')

  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tsunagu-sipp-'))
  const messageFile = path.join(workDir, 'messages.log')
  const errorFile = path.join(workDir, 'errors.log')
  const callId = `tsunagu-${process.pid}-${path.basename(workDir).replace(/[^A-Za-z0-9]/g, '')}`
  if (readyForHangUp) {
    const xml = await fs.readFile(file, 'utf8')
    if (!xml.includes('<pause />')) throw new Error(`${file} has no <pause /> to wait at`)
    file = path.join(workDir, path.basename(file))
    await fs.writeFile(file, xml.replace('<pause />', '<recvCmd />'))
  }
  /** The ports of one start: a free port is only free until someone else binds it, so each start asks anew. */
  const choosePorts = async (first = false) => ({
    localPort: (first && opts.localPort) || (await freeUdpPort(host)),
    // sipp binds RTP echo sockets at -mp and -mp+2 (fatal if taken), so pick a free range.
    mediaPort: await freeUdpPortRange(host, 4),
    twinPort: readyForHangUp ? await freePort(host) : undefined,
  })
  /** @param {{ localPort: number, mediaPort: number, twinPort?: number }} ports */
  const argsFor = ({ localPort, mediaPort, twinPort }) => [
    `${host}:${udpPort}`,
    '-sf', file,
    '-s', to,
    '-m', '1',
    '-nostdin',
    '-timeout', `${timeoutS}s`,
    '-timeout_error',
    '-i', host,
    '-p', String(localPort),
    '-mi', host,
    '-mp', String(mediaPort),
    '-t', 'u1',
    '-d', String(holdMs),
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', errorFile,
    '-set', 'from_user', fromUser,
    '-set', 'from_name', fromName,
    '-set', 'extra_headers', extra,
    ...(twinPort ? ['-3pcc', `${host}:${twinPort}`, '-cid_str', callId] : []),
  ]

  let ports = await choosePorts(true)
  let args = argsFor(ports)
  /** @type {import('node:child_process').ChildProcess} */
  let child
  let stdout = ''
  let stderr = ''
  let alive = true
  let killed = false
  let finished = false
  const cap = (/** @type {string} */ s) => (s.length > 1_000_000 ? s.slice(-1_000_000) : s)
  const kill = () => {
    killed = true
    if (!alive || !child?.pid) return
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  const exitKill = () => {
    kill()
    rmSync(workDir, { recursive: true, force: true })
  }
  const unregister = onProcessEnd(exitKill)
  // Live narration: re-read the (small) trace file and report lines not reported yet.
  let reported = 0
  const report = async () => {
    if (!opts.onMessage) return
    const text = await fs.readFile(messageFile, 'utf8').catch(() => '')
    const lines = summarizeMessages(text)
    while (reported < lines.length) opts.onMessage(lines[reported++])
  }
  let polling = false
  const poller = opts.onMessage
    ? setInterval(() => {
        if (polling) return
        polling = true
        report().finally(() => (polling = false))
      }, 100)
    : undefined
  /** @type {Promise<net.Socket | undefined> | undefined} */
  let twin
  /**
   * One sipp process; resolves with its exit code.
   * @returns {Promise<number | null>}
   */
  const start = () => {
    stdout = ''
    stderr = ''
    alive = true
    const proc = spawn(SIPP_BIN, args, { cwd: workDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    proc.stdout?.on('data', (d) => (stdout = cap(stdout + d)))
    proc.stderr?.on('data', (d) => {
      stderr = cap(stderr + d)
      if (opts.log) process.stderr.write(String(d).replace(/^/gm, '[sipp] '))
    })
    // sipp exits as soon as its twin socket closes: keep it open until sipp is done.
    const twinPort = ports.twinPort
    twin = twinPort ? connectTwin(host, twinPort, () => alive && child === proc) : undefined
    return new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)))
      proc.once('error', (err) => {
        stderr += `\nspawn error: ${err.message}`
        resolve(null)
      })
    })
  }
  /** @type {Promise<SippResult>} */
  const done = (async () => {
    let code = await start()
    // Another process took one of the ports between our check and sipp's bind: nothing was sent, start again.
    for (let retry = 1; retry <= BIND_RETRIES && !killed && isBindFailure(code, stderr); retry++) {
      alive = false
      void twin?.then((socket) => socket?.destroy())
      ports = await choosePorts()
      args = argsFor(ports)
      if (killed) break
      code = await start()
    }
    alive = false
    finished = true
    unregister()
    clearInterval(poller)
    void twin?.then((socket) => socket?.destroy())
    while (polling) await new Promise((r) => setTimeout(r, 10))
    await report()
    const read = (/** @type {string} */ f) => fs.readFile(f, 'utf8').catch(() => '')
    const messages = await read(messageFile)
    const errors = await read(errorFile)
    await fs.rm(workDir, { recursive: true, force: true })
    return { code, stdout, stderr, messages, errors, args }
  })()
  const hangUp = async () => {
    if (!twin || !readyForHangUp) throw new Error('hangUp() needs runSipp({ untilHangUp: true })')
    // A command that arrives before sipp waits for it fails the call: wait for the step before the pause.
    while (!summarizeMessages(await fs.readFile(messageFile, 'utf8').catch(() => '')).some((line) => line.startsWith(readyForHangUp))) {
      if (finished) throw new Error(`sipp ended before "${readyForHangUp}": nothing to hang up`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const socket = await twin
    if (!socket || finished) throw new Error('sipp ended before the caller could hang up')
    socket.write(`Call-ID: ${callId}\r\n\x1b`)
  }
  return { done, kill, hangUp }
}

/** How often a sipp that could not bind its ports starts again with new ones. */
const BIND_RETRIES = 5

/**
 * sipp could not bind a socket at start-up (exit 254, "Unable to bind … errno = 98"): it sent nothing.
 * @param {number | null} code
 * @param {string} stderr
 */
export function isBindFailure(code, stderr) {
  return code === 254 && /Unable to bind [^\n]*(errno = 98|Address already in use)/.test(stderr)
}

/** For `untilHangUp`: the trace line after which the scenario waits at its pause. */
const HANG_UP_READY = { cancel: '< SIP/2.0 180', answerable: '> ACK' }

/**
 * Connects to sipp's 3PCC twin socket, retrying while sipp starts up. Resolves undefined when sipp ended first.
 * @param {string} host
 * @param {number} port
 * @param {() => boolean} alive
 * @returns {Promise<net.Socket | undefined>}
 */
async function connectTwin(host, port, alive) {
  while (alive()) {
    const socket = await new Promise((resolve) => {
      const s = net.connect(port, host, () => resolve(s))
      s.once('error', () => resolve(undefined))
    })
    if (socket) {
      socket.on('error', () => {})
      return socket
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return undefined
}

/**
 * A short human-readable account of a sipp run: the first line of every message with its direction, e.g.
 * "> INVITE sip:1001@…", "< SIP/2.0 180 Ringing". Handy in assertion messages and scripts/call.mjs output.
 * @param {string} messages the `messages` of a SippResult
 * @returns {string[]}
 */
export function summarizeMessages(messages) {
  const out = []
  const blocks = messages.split(/-{10,}[^\n]*\n/)
  for (const b of blocks) {
    const dir = /message sent/.test(b) ? '>' : /message received/.test(b) ? '<' : ''
    const first = b.split('\n').find((l) => /^(SIP\/2\.0 \d{3}|[A-Z]+ sip:)/.test(l.trim()))
    if (dir && first) out.push(`${dir} ${first.trim()}`)
  }
  return out
}
