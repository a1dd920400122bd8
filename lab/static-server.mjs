/**
 * Serves the built phone (dist/) over HTTP on loopback, with the SPA fallback to
 * index.html and the phone's security headers (CSP, COOP, see `security-headers.mjs`). Used by
 * `npm start` and the browser tests; production deployments put dist/ behind any HTTPS web
 * server instead (see README), with the same headers.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'
import { securityHeaders } from './security-headers.mjs'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
}

/**
 * `setFile('/deploy.json', text)` serves `text` at that path instead of dist/ (a test's or the
 * demo's deployment file); `setFile(path, undefined)` goes back to dist/.
 *
 * @param {{ dir: string, port?: number, host?: string, headers?: Record<string, string> }} options
 *   `headers`: sent with every response (default: `securityHeaders()`, loopback PBX and CRMs).
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void>, setFile: (path: string, body: string | undefined) => void }>}
 */
export function startStaticServer({ dir, port = 0, host = '127.0.0.1', headers = securityHeaders() }) {
  const root = resolve(dir)
  if (!existsSync(join(root, 'index.html'))) {
    return Promise.reject(new Error(`${root}/index.html not found: build the phone first (npm run build)`))
  }
  /** @type {Map<string, string>} */
  const overrides = new Map()
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const override = overrides.get(path)
    if (override !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' })
      res.end(override)
      return
    }
    let file = normalize(join(root, path))
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
    const type = TYPES[extname(file)] ?? 'application/octet-stream'
    const immutable = file.includes(`${root}/assets/`)
    res.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port
      resolvePromise({
        url: `http://${host}:${actual}`,
        port: actual,
        stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
        setFile: (path, body) => { if (body === undefined) overrides.delete(path); else overrides.set(path, body) },
      })
    })
  })
}
