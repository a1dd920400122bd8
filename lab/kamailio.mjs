/**
 * Start and stop a throw-away Kamailio (WebSocket registrar/proxy) for tests and the demo.
 *
 * Why: the phone must be tested against a real SIP server speaking SIP over WebSocket, with real callers (sipp
 * over UDP, other browsers over ws/wss). Each test gets its own Kamailio on free loopback ports with its own
 * runtime dir, so tests never share state and never need a system service.
 *
 * The config is lab/kamailio.cfg; ports and paths are passed as pre-processor defines (`-A NAME=value`), and
 * TLS is only loaded when a certificate is given (`-A WITH_TLS`).
 *
 * @module lab/kamailio
 */
import { spawn, execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { existsSync, rmSync } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import dgram from 'node:dgram'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { freePort, freeUdpPort, waitForPort } from './ports.mjs'
import { onProcessEnd } from './cleanup.mjs'

const execFileP = promisify(execFile)

/** Path of the Kamailio binary (override with KAMAILIO_BIN). */
export const KAMAILIO_BIN = process.env.KAMAILIO_BIN || '/usr/sbin/kamailio'
/** Path of kamcmd, used by locations() (override with KAMCMD_BIN). */
export const KAMCMD_BIN = process.env.KAMCMD_BIN || '/usr/sbin/kamcmd'
/** Where Debian puts Kamailio's modules; used only to give a precise install hint. */
const MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules'
/** The config template shipped next to this file. */
export const KAMAILIO_CFG = fileURLToPath(new URL('./kamailio.cfg', import.meta.url))

const INSTALL_HINT =
  'run `npm run lab:setup` (or `apt-get install -y kamailio kamailio-websocket-modules kamailio-tls-modules`)'

/** True when the Kamailio binary is installed (tests use this to skip cleanly on machines without it). */
export function kamailioAvailable() {
  return existsSync(KAMAILIO_BIN)
}

/**
 * @typedef {object} KamailioOptions
 * @property {number} [wsPort]  TCP port for ws:// (default: a free port)
 * @property {number} [wssPort] TCP port for wss:// (only with `tls`; default: a free port)
 * @property {number} [udpPort] UDP port for sipp/PBX-style callers (default: a free port)
 * @property {{ certFile: string, keyFile: string }} [tls] enable wss:// with this certificate (see lab/tls.mjs)
 * @property {boolean} [auth] require digest auth on REGISTER; the password of auth user U is `pw-U`
 * @property {boolean} [log] also stream Kamailio's log to this process's stderr (or set TSUNAGU_LAB_LOG=1)
 * @property {number} [debug] Kamailio debug level (default 2; 3 = debug)
 * @property {number} [startTimeoutMs] how long to wait for the ports (default 20000)
 */

/**
 * @typedef {object} KamailioHandle
 * @property {string} wsUrl   e.g. 'ws://127.0.0.1:34567'
 * @property {string} [wssUrl] e.g. 'wss://127.0.0.1:34568' (only with tls)
 * @property {number} udpPort
 * @property {number} wsPort
 * @property {number} [wssPort]
 * @property {string} host    '127.0.0.1'
 * @property {string} domain  '127.0.0.1' (the SIP domain users register in)
 * @property {string} rundir  the runtime dir (removed on stop)
 * @property {number} pid
 * @property {() => Promise<void>} stop  kill the process group and remove the runtime dir (idempotent)
 * @property {(method: string, ...params: string[]) => Promise<string>} rpc  any kamcmd RPC on this instance
 * @property {() => Promise<string>} locations  `kamcmd ul.dump` output (who is registered)
 * @property {(user: string, opts?: { timeoutMs?: number, present?: boolean }) => Promise<string>} waitForRegistration
 *   poll locations() until `user` is (or, with present:false, is no longer) registered
 * @property {() => string} logs  everything Kamailio logged so far (tail-capped at 4 MB)
 * @property {Promise<number|null>} exited  resolves with the exit code when the process ends
 */

/**
 * Start Kamailio in the foreground (`-DD -E`) in a fresh runtime dir and wait until it really serves: the
 * WebSocket port(s) accept TCP connections, the UDP port answers an OPTIONS with 200, and the ctl socket exists.
 * When ports were chosen automatically and one got taken in the meantime, it retries with new ports.
 *
 * @param {KamailioOptions} [opts]
 * @returns {Promise<KamailioHandle>}
 */
export async function startKamailio(opts = {}) {
  if (!kamailioAvailable()) throw new Error(`kamailio not found at ${KAMAILIO_BIN}: ${INSTALL_HINT}`)
  if (existsSync(MODULE_DIR)) {
    if (!existsSync(path.join(MODULE_DIR, 'websocket.so'))) {
      throw new Error(`Kamailio's websocket module is missing: ${INSTALL_HINT}`)
    }
    if (opts.tls && !existsSync(path.join(MODULE_DIR, 'tls.so'))) {
      throw new Error(`Kamailio's tls module is missing (needed for wss://): ${INSTALL_HINT}`)
    }
  }
  const autoPorts = opts.wsPort == null || opts.udpPort == null || (opts.tls && opts.wssPort == null)
  const attempts = autoPorts ? 3 : 1
  let lastErr
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts)
    } catch (err) {
      lastErr = err
      const msg = String(/** @type {Error} */ (err).message)
      if (!/Address already in use/i.test(msg)) break // only a port race is worth retrying
    }
  }
  throw lastErr
}

/**
 * @param {KamailioOptions} opts
 * @returns {Promise<KamailioHandle>}
 */
async function startOnce(opts) {
  const host = '127.0.0.1'
  const rundir = await fs.mkdtemp(path.join(os.tmpdir(), 'tsunagu-kamailio-'))
  const udpPort = opts.udpPort ?? (await freeUdpPort(host))
  const wsPort = opts.wsPort ?? (await freePort(host))
  const wssPort = opts.tls ? (opts.wssPort ?? (await freePort(host))) : undefined
  const ctlSock = path.join(rundir, 'ctl.sock')
  const pidFile = path.join(rundir, 'pid')

  const args = [
    '-f', KAMAILIO_CFG,
    '-DD', '-E',
    '-Y', rundir,
    '-P', pidFile,
    // Small memory pools: tests run several Kamailios on a 2-core machine.
    '-m', '64', '-M', '8',
    '-A', `UDPPORT=${udpPort}`,
    '-A', `WSPORT=${wsPort}`,
    '-A', `CTLSOCK="unix:${ctlSock}"`,
    '-A', `DBGLEVEL=${opts.debug ?? 2}`,
  ]
  if (opts.tls) {
    const tlsCfg = path.join(rundir, 'tls.cfg')
    // verify_certificate=no: browsers are clients without certificates; self-signed server cert.
    await fs.writeFile(
      tlsCfg,
      [
        '[server:default]',
        'method = TLSv1.2+',
        'verify_certificate = no',
        'require_certificate = no',
        `private_key = ${path.resolve(opts.tls.keyFile)}`,
        `certificate = ${path.resolve(opts.tls.certFile)}`,
        '',
        '[client:default]',
        'method = TLSv1.2+',
        'verify_certificate = no',
        'require_certificate = no',
        '',
      ].join('\n'),
    )
    args.push('-A', 'WITH_TLS', '-A', `WSSPORT=${wssPort}`, '-A', `TLSCFG="${tlsCfg}"`)
  }

  if (opts.auth) args.push('-A', 'WITH_AUTH')

  const streamLog = opts.log ?? process.env.TSUNAGU_LAB_LOG === '1'
  const child = spawn(KAMAILIO_BIN, args, {
    cwd: rundir,
    // Own process group: stop() kills Kamailio and all its worker processes at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const MAX_LOG = 4 * 1024 * 1024
  let logText = ''
  const onData = (/** @type {Buffer} */ chunk) => {
    const s = chunk.toString('utf8')
    logText += s
    if (logText.length > MAX_LOG) logText = logText.slice(logText.length - MAX_LOG)
    if (streamLog) process.stderr.write(s.replace(/^/gm, '[kamailio] '))
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)

  let alive = true
  /** @type {Promise<number|null>} */
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false
      resolve(code ?? (signal ? 128 : null))
    })
    child.once('error', (err) => {
      alive = false
      logText += `\nspawn error: ${err.message}\n`
      resolve(null)
    })
  })

  let removed = false
  const killSync = () => {
    if (alive && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
    if (!removed) {
      removed = true
      try {
        rmSync(rundir, { recursive: true, force: true })
      } catch {
        /* best effort at exit */
      }
    }
  }
  // If this process ends without stop() (crash, Ctrl-C), still kill Kamailio and remove its dir.
  const unregister = onProcessEnd(killSync)

  /** @type {Promise<void> | undefined} */
  let stopping
  const stop = () => {
    stopping ??= (async () => {
      if (alive && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL')
          } catch {
            /* gone */
          }
        }, 5000)
        await exited
        clearTimeout(timer)
        // Kamailio's workers normally die with the main process; make sure none is left in the group.
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL')
        } catch {
          /* group empty: good */
        }
      }
      removed = true
      await fs.rm(rundir, { recursive: true, force: true })
      unregister()
    })()
    return stopping
  }

  const startTimeoutMs = opts.startTimeoutMs ?? 20000
  try {
    const deadline = Date.now() + startTimeoutMs
    const isAlive = () => alive
    await waitForPort(wsPort, host, startTimeoutMs, { isAlive })
    if (wssPort) await waitForPort(wssPort, host, Math.max(1, deadline - Date.now()), { isAlive })
    await waitForUdpOptions(udpPort, host, Math.max(1, deadline - Date.now()), isAlive)
    while (!existsSync(ctlSock)) {
      if (!alive) throw new Error('kamailio exited during start-up')
      if (Date.now() > deadline) throw new Error(`ctl socket ${ctlSock} did not appear`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } catch (err) {
    const tail = logText.split('\n').slice(-40).join('\n')
    await stop()
    throw new Error(
      `kamailio did not start (${/** @type {Error} */ (err).message}).\nCommand: ${KAMAILIO_BIN} ${args.join(' ')}\n` +
        `Last log lines:\n${tail}`,
    )
  }

  /**
   * Run one kamcmd RPC against this instance's ctl socket.
   * @param {string} method e.g. 'ul.dump', 'system.listMethods', 'tls.list'
   * @param {...string} params
   */
  const rpc = async (method, ...params) => {
    try {
      const { stdout } = await execFileP(KAMCMD_BIN, ['-s', `unix:${ctlSock}`, method, ...params], { timeout: 10000 })
      return stdout
    } catch (err) {
      const e = /** @type {NodeJS.ErrnoException & { stderr?: string }} */ (err)
      if (e.code === 'ENOENT') throw new Error(`kamcmd not found at ${KAMCMD_BIN}: ${INSTALL_HINT}`)
      throw new Error(`kamcmd ${method} failed: ${e.stderr || e.message}`)
    }
  }
  const locations = () => rpc('ul.dump')

  /**
   * @param {string} user
   * @param {{ timeoutMs?: number, present?: boolean }} [o]
   */
  const waitForRegistration = async (user, o = {}) => {
    const { timeoutMs = 10000, present = true } = o
    const deadline = Date.now() + timeoutMs
    // ul.dump prints one `AoR: <user>` line per registered user.
    const re = new RegExp(`^\\s*AoR:\\s*${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'mi')
    for (;;) {
      const dump = await locations()
      if (re.test(dump) === present) return dump
      if (Date.now() > deadline) {
        throw new Error(`user ${user} ${present ? 'did not register' : 'is still registered'} within ${timeoutMs} ms`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  return {
    wsUrl: `ws://${host}:${wsPort}`,
    ...(wssPort ? { wssUrl: `wss://${host}:${wssPort}`, wssPort } : {}),
    udpPort,
    wsPort,
    host,
    domain: host,
    rundir,
    pid: /** @type {number} */ (child.pid),
    stop,
    rpc,
    locations,
    waitForRegistration,
    logs: () => logText,
    exited,
  }
}

/**
 * Send SIP OPTIONS to Kamailio's UDP port until it answers 200: proves the UDP listener and the routing script
 * run (a bound UDP port alone cannot be probed with connect()). Exported so scripts can check that a running
 * demo's Kamailio is really there.
 *
 * @param {number} port
 * @param {string} [host='127.0.0.1']
 * @param {number} [timeoutMs=3000]
 * @param {() => boolean} [isAlive] stop early (reject) when this returns false
 * @returns {Promise<void>}
 */
export function waitForUdpOptions(port, host = '127.0.0.1', timeoutMs = 3000, isAlive = () => true) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4')
    const callId = crypto.randomUUID()
    /** @type {NodeJS.Timeout | undefined} */
    let timer
    /** @type {NodeJS.Timeout | undefined} */
    let deadlineTimer
    const finish = (/** @type {Error|undefined} */ err) => {
      clearInterval(timer)
      clearTimeout(deadlineTimer)
      sock.close()
      if (err) reject(err)
      else resolve()
    }
    sock.on('message', (msg) => {
      if (/^SIP\/2\.0 200 /.test(msg.toString('utf8')) && msg.includes(callId)) finish(undefined)
    })
    sock.on('error', (err) => finish(err))
    sock.bind(0, host, () => {
      const local = sock.address().port
      let n = 0
      const send = () => {
        if (!isAlive()) return finish(new Error('kamailio exited during start-up'))
        n++
        const req =
          `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
          `Via: SIP/2.0/UDP ${host}:${local};branch=z9hG4bK-probe-${n}-${callId.slice(0, 8)};rport\r\n` +
          `Max-Forwards: 70\r\n` +
          `From: <sip:probe@${host}>;tag=probe${n}\r\n` +
          `To: <sip:${host}>\r\n` +
          `Call-ID: ${callId}\r\n` +
          `CSeq: ${n} OPTIONS\r\n` +
          `Content-Length: 0\r\n\r\n`
        sock.send(req, port, host)
      }
      send()
      timer = setInterval(send, 100)
      deadlineTimer = setTimeout(
        () => finish(new Error(`no 200 to OPTIONS on udp ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      )
    })
  })
}
