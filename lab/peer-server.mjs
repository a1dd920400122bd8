/**
 * Serves the lab's sip.js test peer (`lab/peer/`): a page running sip.js's full API (UserAgent,
 * Inviter, Invitation) with Replaces support, the other party of the resume tests (issue 12).
 * sip.js's own ES modules are served as they are from node_modules (`/sip.js/…`), no bundler.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }

/** @returns {Promise<{ url: string, stop: () => Promise<void> }>} */
export function startPeerServer({ host = '127.0.0.1' } = {}) {
  const roots = { '/sip.js/': resolve(here, '../node_modules/sip.js/lib'), '/': resolve(here, 'peer') }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const [prefix, root] = Object.entries(roots).find(([p]) => path.startsWith(p)) ?? ['/', roots['/']]
    let file = normalize(join(root, path.slice(prefix.length) || 'index.html'))
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
      resolvePromise({
        url: `http://${host}:${port}`,
        stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
      })
    })
  })
}
