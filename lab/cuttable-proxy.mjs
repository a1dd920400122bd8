/**
 * A TCP proxy between the phone and Kamailio that a test can cut: the lab's stand-in for a Wi-Fi
 * change or a NAT that forgot the connection. `cut()` destroys every open connection at once (no
 * goodbye from either end reaches the other) and refuses new ones until `restore()`, so the phone
 * sees its WebSocket drop and its reconnects fail, as on a network that is gone for a while.
 *
 * @module lab/cuttable-proxy
 */
import net from 'node:net'

/**
 * @typedef {object} CuttableProxy
 * @property {number} port
 * @property {string} url         ws://127.0.0.1:PORT (the phone's `sip.server`)
 * @property {() => number} cut   drops every connection, refuses new ones; returns how many were dropped
 * @property {() => void} restore accepts connections again
 * @property {() => number} connections  how many connections were accepted so far
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ targetPort: number, targetHost?: string, host?: string }} opts
 * @returns {Promise<CuttableProxy>}
 */
export async function startCuttableProxy(opts) {
  const host = opts.host ?? '127.0.0.1'
  const targetHost = opts.targetHost ?? '127.0.0.1'
  /** @type {Set<net.Socket>} */
  const open = new Set()
  let refusing = false
  let accepted = 0
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    accepted += 1
    const upstream = net.connect(opts.targetPort, targetHost)
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      open.add(a)
      a.on('error', () => b.destroy())
      a.on('close', () => {
        open.delete(a)
        b.destroy()
      })
      a.pipe(b)
    }
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => resolve(undefined))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    url: `ws://${host}:${port}`,
    cut() {
      refusing = true
      const dropped = open.size / 2
      // resetAndDestroy sends RST: neither side gets a WebSocket close frame or a FIN handshake to wait for.
      for (const socket of [...open]) socket.resetAndDestroy()
      return dropped
    },
    restore() {
      refusing = false
    },
    connections: () => accepted,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of [...open]) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
