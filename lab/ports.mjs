/**
 * Port helpers for the test lab.
 *
 * Why: every lab service (Kamailio, the demo CRM, sipp) must run on ports that are free *now* so that parallel
 * test files, a running `npm start` demo and CI never collide, and readiness must be decided by looking at the
 * real state (a port that accepts connections) instead of sleeping for a guessed time.
 *
 * @module lab/ports
 */
import net from 'node:net'
import dgram from 'node:dgram'

/**
 * Ask the kernel for a free TCP port on `host` by listening on port 0, reading the port, and closing.
 * There is a small window between close and reuse in which another process could take the port; callers that
 * start servers on it should treat "address in use" as retryable (startKamailio does).
 *
 * @param {string} [host='127.0.0.1']
 * @returns {Promise<number>}
 */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))))
    })
  })
}

/**
 * Like {@link freePort} but for UDP (sipp and Kamailio's UDP listener): a TCP-free port is not necessarily
 * UDP-free, so we bind a datagram socket instead.
 *
 * @param {string} [host='127.0.0.1']
 * @returns {Promise<number>}
 */
export function freeUdpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4')
    sock.unref()
    sock.once('error', reject)
    sock.bind(0, host, () => {
      const { port } = sock.address()
      sock.close(() => resolve(port))
    })
  })
}

/**
 * A UDP port `p` such that p…p+span-1 are all free: sipp binds its RTP echo sockets at -mp and -mp+2 and
 * dies when the second one is taken.
 *
 * @param {string} [host='127.0.0.1']
 * @param {number} [span=4]
 * @param {number} [tries=20]
 * @returns {Promise<number>}
 */
export async function freeUdpPortRange(host = '127.0.0.1', span = 4, tries = 20) {
  const canBind = (/** @type {number} */ port) =>
    new Promise((resolve) => {
      const sock = dgram.createSocket('udp4')
      sock.once('error', () => resolve(false))
      sock.bind(port, host, () => sock.close(() => resolve(true)))
    })
  for (let i = 0; i < tries; i++) {
    const base = await freeUdpPort(host)
    if (base + span - 1 > 65535) continue
    let ok = true
    for (let k = 1; k < span && ok; k++) ok = /** @type {boolean} */ (await canBind(base + k))
    if (ok) return base
  }
  throw new Error(`no ${span} consecutive free UDP ports on ${host} after ${tries} tries`)
}

/**
 * A port that is free for both TCP and UDP, so one number can serve a service that listens on both.
 *
 * @param {string} [host='127.0.0.1']
 * @param {number} [tries=20]
 * @returns {Promise<number>}
 */
export async function freeTcpUdpPort(host = '127.0.0.1', tries = 20) {
  for (let i = 0; i < tries; i++) {
    const port = await freePort(host)
    const ok = await new Promise((resolve) => {
      const sock = dgram.createSocket('udp4')
      sock.once('error', () => resolve(false))
      sock.bind(port, host, () => sock.close(() => resolve(true)))
    })
    if (ok) return port
  }
  throw new Error(`no port free for both TCP and UDP on ${host} after ${tries} tries`)
}

/**
 * Try one TCP connection; resolves true when the port accepts it.
 *
 * @param {number} port
 * @param {string} host
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
function tryConnect(port, host, timeoutMs) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host })
    const done = (/** @type {boolean} */ ok) => {
      sock.removeAllListeners()
      sock.on('error', () => {})
      sock.destroy()
      resolve(ok)
    }
    sock.setTimeout(timeoutMs, () => done(false))
    sock.once('connect', () => done(true))
    sock.once('error', () => done(false))
  })
}

/**
 * Wait until `host:port` accepts TCP connections, polling every `intervalMs` (the only sleep: a short poll
 * interval, never a guess of how long a service needs to start).
 *
 * @param {number} port
 * @param {string} [host='127.0.0.1']
 * @param {number} [timeoutMs=10000]
 * @param {{ intervalMs?: number, signal?: AbortSignal, isAlive?: () => boolean }} [opts]
 *   `isAlive` lets a caller stop waiting early when the process that should listen has already died.
 * @returns {Promise<void>} rejects with a clear message on timeout, abort, or a dead process
 */
export async function waitForPort(port, host = '127.0.0.1', timeoutMs = 10000, opts = {}) {
  const { intervalMs = 50, signal, isAlive } = opts
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (signal?.aborted) throw new Error(`waiting for ${host}:${port} aborted`)
    if (isAlive && !isAlive()) throw new Error(`process exited before ${host}:${port} accepted connections`)
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${host}:${port} to accept connections`)
    if (await tryConnect(port, host, Math.min(1000, left))) return
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))))
  }
}
