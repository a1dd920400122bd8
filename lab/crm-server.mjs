#!/usr/bin/env node
/**
 * The demo CRM: a real `node:http` server that plays the customer system a contact center connects the phone to.
 *
 * Why: the phone's CTI integration (look up the caller, notify ring/answer/hangup, open the CRM screen) must be
 * tested against real HTTP with real quirks — legacy Shift_JIS/EUC-JP bodies, session IDs from a login call,
 * servers that never answer, error codes, CORS and Private Network Access preflights — and every request the
 * phone sends must be inspectable byte for byte (`GET /api/requests`).
 *
 * Use from tests: `const crm = await startCrm()`; or run it: `node lab/crm-server.mjs --port 8090`.
 *
 * @module lab/crm-server
 */
import http from 'node:http'
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import iconv from 'iconv-lite'
import { readMediaInfo } from './media-container.mjs'

/**
 * @typedef {object} Contact
 * @property {string} id
 * @property {string} tel      digits only
 * @property {string} name
 * @property {string} company  may be empty
 */

/**
 * Sample customers. Includes an empty company (2-line format with an empty 2nd line) and one with HTML/quote
 * characters, so the phone's escaping is exercised.
 * @type {readonly Contact[]}
 */
export const CONTACTS = Object.freeze([
  { id: 'C0001', tel: '0312345678', name: '山田 太郎', company: '株式会社つなぐ商事' },
  { id: 'C0002', tel: '0663334444', name: '佐藤 花子', company: '大阪物産株式会社' },
  { id: 'C0003', tel: '09012345678', name: '鈴木 一郎', company: 'フリーランス' },
  { id: 'C0004', tel: '0522223333', name: '高橋 健二', company: '名古屋精機株式会社' },
  { id: 'C0005', tel: '0112345678', name: '伊藤 さくら', company: '札幌ソフト合同会社' },
  { id: 'C0006', tel: '08011112222', name: '田中 美咲', company: '' },
  { id: 'C0007', tel: '0399998888', name: '渡辺 "ナベ" <b>太字</b>', company: 'A&B <script>alert(1)</script> 株式会社' },
].map((c) => Object.freeze(c)))

/**
 * The demo's shared phonebook (共有電話帳), served as GET /phonebook/shared.csv (header
 * 名前,電話番号 plus a column the phone ignores, numbers as people write them) and
 * /phonebook/shared.json. Its names differ from the CRM's, so a test can tell where a name came from.
 */
export const SHARED_PHONEBOOK = Object.freeze([
  { name: '山田商店 本社', number: '03-1234-5678', dept: '代表' },
  { name: '大阪物産 受付', number: '+81 6 6333 4444', dept: '受付' },
  { name: '内線 2001 サポート', number: '2001', dept: '内線' },
].map((e) => Object.freeze(e)))

/**
 * @typedef {object} CallRecord
 * @property {string} id          the call's {ID}
 * @property {Record<string, string>} fields  every parameter of the first delivery (query and form fields)
 * @property {number} received    deliveries of this id (1 = exactly once)
 * @property {string} time        ISO time of the first delivery
 */

/**
 * @typedef {object} UploadedRecording
 * @property {string} id          the call's {ID} (form field `id`, or `?id=` in the URL)
 * @property {string} part        the part of the call's recording (form field `part` or `?part=`, the phone's {PART}); '' when not sent
 * @property {string} field       the form field that carried the file
 * @property {string} filename
 * @property {string} contentType
 * @property {number} bytes
 * @property {Record<string, string>} fields  the other form fields and query parameters
 * @property {import('./media-container.mjs').MediaInfo} media  container, codec and duration read from the bytes
 * @property {number} received    uploads of this id and part (1 = exactly once)
 * @property {string} time
 */

/**
 * A multipart/form-data body: its text fields and its files (any field name). `undefined` when
 * the content type is not multipart or has no boundary.
 * @param {Buffer} raw
 * @param {string} contentType
 * @returns {{ fields: Record<string, string>, files: { field: string, filename: string, contentType: string, data: Buffer }[] } | undefined}
 */
export function parseMultipart(raw, contentType) {
  const match = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  if (!match) return undefined
  const boundary = Buffer.from(`--${match[1] ?? match[2]}`)
  /** @type {Record<string, string>} */
  const fields = {}
  const files = []
  let at = raw.indexOf(boundary)
  while (at >= 0) {
    const start = at + boundary.length
    if (raw.subarray(start, start + 2).toString() === '--') break
    const next = raw.indexOf(boundary, start)
    if (next < 0) break
    const part = raw.subarray(start + 2, next - 2)
    const split = part.indexOf('\r\n\r\n')
    const head = part.subarray(0, split).toString('utf8')
    const data = part.subarray(split + 4)
    const name = /\bname="([^"]*)"/i.exec(head)?.[1] ?? ''
    const filename = /\bfilename="([^"]*)"/i.exec(head)?.[1]
    if (filename === undefined) fields[name] = data.toString('utf8')
    else files.push({ field: name, filename, contentType: /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '', data: Buffer.from(data) })
    at = next
  }
  return { fields, files }
}

/** Demo agents for GET /login. */
export const AGENTS = Object.freeze({ agent01: 'pass01', agent02: 'pass02' })

/**
 * @typedef {object} RecordedRequest
 * @property {number} seq      1, 2, 3… in arrival order
 * @property {string} time     ISO timestamp of arrival
 * @property {string} method
 * @property {string} path     pathname as received (not decoded)
 * @property {string} query    raw query string as received, without '?', byte for byte
 * @property {Record<string, string>} params  decoded query parameters, plus form fields of a urlencoded body
 * @property {Record<string, string | string[] | undefined>} headers  lower-cased names
 * @property {string} body     raw request body (UTF-8 decoded)
 */

/**
 * @typedef {object} Behaviour
 * @property {boolean} requireSession   /search needs a valid `sid` (else 401); default false
 * @property {number} sessionLifetimeMs lifetime of sessions created from now on; default 30 min
 * @property {number} delayMs           delay every non-/api response by this much; default 0
 * @property {boolean} cors             send CORS headers; false simulates a CRM without CORS; default true
 * @property {Record<string, number>} forceStatus  path (e.g. '/search') → status to answer instead; default {}
 * @property {Record<string, number>} failFirst    path → how many of its next requests get 503 (then it answers
 *   normally: a CRM that is down for a while); default {}
 */

/** @returns {Behaviour} */
const defaultBehaviour = () => ({
  requireSession: false,
  sessionLifetimeMs: 30 * 60 * 1000,
  delayMs: 0,
  cors: true,
  forceStatus: {},
  failFirst: {},
})

/** @param {string} s */
const escapeHtml = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** @param {string | undefined} tel */
const digits = (tel) => (tel ?? '').replace(/\D/g, '')

/**
 * @typedef {object} CrmHandle
 * @property {string} url        e.g. 'http://127.0.0.1:8090'
 * @property {number} port
 * @property {string} host
 * @property {() => RecordedRequest[]} requests   copy of everything received (except /api/*)
 * @property {() => void} clear                   forget recorded requests
 * @property {(b: Partial<Behaviour>) => Behaviour} setBehaviour  merge into the current behaviour
 * @property {() => Behaviour} behaviour
 * @property {() => void} resetBehaviour
 * @property {(name: string, value: unknown) => void} setProvision  serve `value` at /provision/<name>.json
 * @property {(contact: Contact) => void} addContact
 * @property {() => void} expireSessions          invalidate every session now (simulates a CRM-side logout)
 * @property {() => CallRecord[]} callRecords     the call records stored by POST /calls, oldest first
 * @property {() => UploadedRecording[]} recordings  the recordings stored by POST /recordings, oldest first
 * @property {(pred?: (r: RecordedRequest) => boolean, opts?: { timeoutMs?: number, count?: number }) => Promise<RecordedRequest[]>} waitForRequests
 *   resolve once at least `count` (default 1) recorded requests match `pred`
 * @property {() => Promise<void>} stop           close the server and every open socket (incl. /slow ones)
 */

/**
 * Start the demo CRM.
 * @param {{ port?: number, host?: string, provisionDir?: string, behaviour?: Partial<Behaviour>, quiet?: boolean }} [opts]
 *   port 0 / omitted = a free port.
 * @returns {Promise<CrmHandle>}
 */
export async function startCrm(opts = {}) {
  const host = opts.host ?? '127.0.0.1'
  /** @type {Behaviour} */
  let behaviour = { ...defaultBehaviour(), ...opts.behaviour }
  /** @type {RecordedRequest[]} */
  let recorded = []
  let seq = 0
  /** @type {Map<string, { user: string, expires: number }>} */
  const sessions = new Map()
  /** @type {Map<string, unknown>} */
  const provisions = new Map()
  /** @type {Contact[]} */
  const contacts = [...CONTACTS]
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  /** @type {Set<() => void>} */
  const waiters = new Set()
  /**
   * Recordings uploaded to POST /recordings (multipart/form-data), one per `id` and `part` (a
   * repeat is counted): a call resumed after a reload uploads one file per part under one id.
   * @type {Map<string, UploadedRecording>}
   */
  const recordings = new Map()
  /**
   * Call records the phone's history access delivered (POST/GET /calls), one per `id`: a repeat of
   * an id is counted in `received`, never stored twice (what "exactly once" looks like to a CRM).
   * @type {Map<string, CallRecord>}
   */
  const callRecords = new Map()

  const find = (/** @type {string|undefined} */ tel) => {
    const d = digits(tel)
    return d ? contacts.find((c) => c.tel === d) : undefined
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  const setCors = (req, res) => {
    if (!behaviour.cors) return
    const origin = req.headers.origin
    res.setHeader('Access-Control-Allow-Origin', origin ?? '*')
    res.setHeader('Vary', 'Origin')
    res.setHeader('Access-Control-Allow-Credentials', 'true')
    res.setHeader('Access-Control-Expose-Headers', 'Content-Type, Content-Length')
  }

  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {string | Buffer} body
   * @param {string} [type]
   */
  const send = (res, status, body, type = 'text/plain; charset=utf-8') => {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    res.statusCode = status
    if (status !== 204 && status !== 304) {
      res.setHeader('Content-Type', type)
      res.setHeader('Content-Length', buf.length)
      res.end(buf)
    } else res.end()
  }

  /**
   * Decide the session check for /search-like endpoints: with requireSession on, a missing, unknown or expired
   * sid is 401.
   * @param {Record<string,string>} params
   */
  const sessionOk = (params) => {
    if (!behaviour.requireSession) return true
    const s = params.sid ? sessions.get(params.sid) : undefined
    if (!s) return false
    if (s.expires <= Date.now()) {
      sessions.delete(params.sid)
      return false
    }
    return true
  }

  const server = http.createServer(async (req, res) => {
    const rawUrl = req.url ?? '/'
    const qi = rawUrl.indexOf('?')
    const rawPath = qi >= 0 ? rawUrl.slice(0, qi) : rawUrl
    const rawQuery = qi >= 0 ? rawUrl.slice(qi + 1) : ''
    const method = req.method ?? 'GET'
    const time = new Date().toISOString()

    /** @type {Buffer[]} */
    const chunks = []
    let size = 0
    for await (const c of req) {
      size += c.length
      // Recordings may be tens of megabytes; everything else stays small.
      if (size > (rawPath === '/recordings' ? 64 : 1) * 1024 * 1024) {
        send(res, 413, 'payload too large\n')
        return
      }
      chunks.push(c)
    }
    const raw = Buffer.concat(chunks)
    const body = raw.toString('utf8')

    /** @type {Record<string,string>} */
    const params = {}
    for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v
    const ctype = String(req.headers['content-type'] ?? '')
    if (method === 'POST' && ctype.startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v
    }

    const isApi = rawPath.startsWith('/api/')
    if (!isApi) {
      recorded.push({ seq: ++seq, time, method, path: rawPath, query: rawQuery, params, headers: { ...req.headers }, body })
      for (const w of waiters) w()
    }

    setCors(req, res)
    if (method === 'OPTIONS') {
      if (behaviour.cors) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS')
        res.setHeader(
          'Access-Control-Allow-Headers',
          req.headers['access-control-request-headers'] ?? 'Content-Type, Authorization, X-Requested-With',
        )
        res.setHeader('Access-Control-Allow-Private-Network', 'true')
        res.setHeader('Access-Control-Max-Age', '600')
      }
      send(res, 204, '')
      return
    }

    if (isApi) {
      handleApi(req, res, method, rawPath, body)
      return
    }

    if (rawPath === '/slow' || rawPath.startsWith('/slow/')) {
      // Never answer: the socket stays open until the client aborts or stop() destroys it.
      return
    }

    if (behaviour.delayMs > 0) await new Promise((r) => setTimeout(r, behaviour.delayMs))
    if ((behaviour.failFirst[rawPath] ?? 0) > 0) {
      behaviour.failFirst = { ...behaviour.failFirst, [rawPath]: behaviour.failFirst[rawPath] - 1 }
      send(res, 503, 'temporarily unavailable\n')
      return
    }
    const forced = behaviour.forceStatus[rawPath]
    if (forced) {
      send(res, forced, `forced status ${forced}\n`)
      return
    }

    try {
      await route(req, res, method, rawPath, params, raw)
    } catch (err) {
      send(res, 500, `internal error: ${/** @type {Error} */ (err).message}\n`)
    }
  })

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {string} method
   * @param {string} p
   * @param {Record<string,string>} params
   * @param {Buffer} raw  the request body as received
   */
  async function route(req, res, method, p, params, raw) {
    const getOrPost = method === 'GET' || method === 'POST'
    if (p === '/' && method === 'GET') {
      const rows = contacts
        .map((c) => `<tr><td>${escapeHtml(c.tel)}</td><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.company)}</td></tr>`)
        .join('')
      send(
        res,
        200,
        `<!doctype html><html lang="ja"><meta charset="utf-8"><title>Demo CRM</title><h1>Demo CRM</h1>` +
          `<p>Endpoints: /login, /search, /sjis/search, /eucjp/search, /json/search, /html/search, /event/:name, ` +
          `/crm/customer, /calls (call records), /recordings (uploads), /garbage, /loop/:n, /phonebook/shared.csv, /phonebook/shared.json, /provision/:name.json, /status/:code, /slow, /api/requests</p>` +
          `<table border="1"><tr><th>電話番号</th><th>名前</th><th>会社</th></tr>${rows}</table></html>`,
        'text/html; charset=utf-8',
      )
      return
    }
    if (p === '/login' && getOrPost) {
      const pass = Object.hasOwn(AGENTS, params.userid ?? '') ? AGENTS[/** @type {keyof typeof AGENTS} */ (params.userid)] : undefined
      if (!pass || pass !== params.password) {
        send(res, 401, 'invalid userid or password\n')
        return
      }
      const sid = `SID-${crypto.randomBytes(12).toString('hex')}`
      sessions.set(sid, { user: params.userid, expires: Date.now() + behaviour.sessionLifetimeMs })
      send(res, 200, `${sid}\r\n`)
      return
    }
    const searchMatch = /^\/(?:(sjis|eucjp|json|html)\/)?search$/.exec(p)
    if (searchMatch && getOrPost) {
      if (!sessionOk(params)) {
        send(res, 401, 'session invalid or expired\n')
        return
      }
      const c = find(params.tel)
      const kind = searchMatch[1]
      if (kind === 'json') {
        send(res, 200, JSON.stringify({ customer: c ? { name: c.name, company: c.company, id: c.id } : null }), 'application/json; charset=utf-8')
      } else if (kind === 'html') {
        const inner = c
          ? `<table class="customer"><tr><td>名前</td><td>${escapeHtml(c.name)}</td></tr>` +
            `<tr><td>会社</td><td>${escapeHtml(c.company)}</td></tr>` +
            `<tr><td>顧客ID</td><td>${escapeHtml(c.id)}</td></tr></table>`
          : '<p>該当なし</p>'
        send(res, 200, `<!doctype html><html lang="ja"><meta charset="utf-8"><title>検索結果</title><body>${inner}</body></html>`, 'text/html; charset=utf-8')
      } else {
        const text = c ? `${c.name}\r\n${c.company}\r\n` : ''
        if (kind === 'sjis') send(res, 200, iconv.encode(text, 'Shift_JIS'), 'text/plain; charset=Shift_JIS')
        else if (kind === 'eucjp') send(res, 200, iconv.encode(text, 'EUC-JP'), 'text/plain; charset=EUC-JP')
        else send(res, 200, text)
      }
      return
    }
    if (p === '/recordings' && method === 'POST') {
      const form = parseMultipart(raw, String(req.headers['content-type'] ?? ''))
      if (!form) {
        send(res, 400, 'multipart/form-data expected\n')
        return
      }
      const file = form.files[0]
      const id = form.fields.id ?? params.id ?? ''
      if (!file || !id) {
        send(res, 400, 'a file and an id are required\n')
        return
      }
      const part = form.fields.part ?? params.part ?? ''
      const key = part ? `${id}#${part}` : id
      const known = recordings.get(key)
      if (known) known.received += 1
      else {
        recordings.set(key, {
          id, part, field: file.field, filename: file.filename, contentType: file.contentType, bytes: file.data.length,
          fields: { ...params, ...form.fields }, media: readMediaInfo(new Uint8Array(file.data)), received: 1, time: new Date().toISOString(),
        })
      }
      send(res, 200, 'ok')
      return
    }
    if (p === '/recordings' && method === 'GET') {
      const rows = [...recordings.values()].reverse().map((r) =>
        `<tr data-id="${escapeHtml(r.id)}"><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.filename)}</td><td>${r.bytes}</td>` +
        `<td>${escapeHtml(`${r.media.container}/${r.media.codec}`)}</td><td>${r.media.durationMs === undefined ? '' : (r.media.durationMs / 1000).toFixed(1)}</td><td>${r.received}</td></tr>`).join('')
      send(
        res,
        200,
        `<!doctype html><html lang="ja"><meta charset="utf-8"><title>録音ファイル - Demo CRM</title><h1>録音ファイル (recordings)</h1>` +
          `<table border="1" id="recordings"><tr><th>id</th><th>file</th><th>bytes</th><th>format</th><th>seconds</th><th>received</th></tr>${rows}</table></html>`,
        'text/html; charset=utf-8',
      )
      return
    }
    if (p === '/calls' && method === 'POST') {
      const id = params.id ?? ''
      if (!id) {
        send(res, 400, 'id is required\n')
        return
      }
      const known = callRecords.get(id)
      if (known) known.received += 1
      else callRecords.set(id, { id, fields: { ...params }, received: 1, time: new Date().toISOString() })
      send(res, 200, 'ok')
      return
    }
    if (p === '/calls' && method === 'GET') {
      const head = ['id', 'tel', 'dir', 'result', 'start', 'end', 'duration', 'name']
      const rows = [...callRecords.values()]
        .reverse()
        .map((r) => `<tr data-id="${escapeHtml(r.id)}">${head.map((k) => `<td>${escapeHtml(r.fields[k] ?? '')}</td>`).join('')}<td>${r.received}</td></tr>`)
        .join('')
      send(
        res,
        200,
        `<!doctype html><html lang="ja"><meta charset="utf-8"><title>通話記録 - Demo CRM</title><h1>通話記録 (call records)</h1>` +
          `<table border="1" id="calls"><tr>${[...head, 'received'].map((k) => `<th>${k}</th>`).join('')}</tr>${rows}</table></html>`,
        'text/html; charset=utf-8',
      )
      return
    }
    const ev = /^\/event\/([^/]+)$/.exec(p)
    if (ev && getOrPost) {
      send(res, 200, 'ok')
      return
    }
    const st = /^\/status\/(\d{3})$/.exec(p)
    if (st) {
      const code = Number(st[1])
      if (code < 200 || code > 599) {
        send(res, 400, 'status must be 200-599\n')
        return
      }
      if (code >= 300 && code < 400) res.setHeader('Location', '/')
      send(res, code, `status ${code}\n`)
      return
    }
    // A CRM that answers 200 with garbage: bytes that are no UTF-8 (nor any Japanese charset), NULs, binary.
    if (p === '/garbage' && getOrPost) {
      const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x1b, 0x9d, 0xe3, 0x81, 0x00, 0xf8, 0x88, 0x80, 0x80, 0x80])
      send(res, 200, Buffer.concat(Array.from({ length: 64 }, () => bytes)), 'text/plain; charset=utf-8')
      return
    }
    // A redirect loop: /loop/1 → /loop/2 → … for ever (the query string goes along).
    const loop = /^\/loop\/(\d+)$/.exec(p)
    if (loop && getOrPost) {
      const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''
      res.setHeader('Location', `/loop/${Number(loop[1]) + 1}${query}`)
      send(res, 302, 'round and round\n')
      return
    }
    // A CRM that answers with far too much: `mb` MiB of text, streamed with backpressure, or a body
    // that never ends (`mb=0`). The phone must stop reading at its cap and not grow its memory.
    if (p === '/huge' && getOrPost) {
      const total = Number(params.mb ?? '100') * 1024 * 1024
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      const chunk = Buffer.alloc(64 * 1024, 0x41)
      let sent = 0
      const pump = () => {
        while (!res.destroyed && (total === 0 || sent < total)) {
          sent += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        if (!res.destroyed) res.end()
      }
      pump()
      return
    }
    if (p === '/phonebook/shared.csv' && method === 'GET') {
      const rows = SHARED_PHONEBOOK.map((e) => `${e.name},${e.number},${e.dept}`)
      send(res, 200, `\ufeff名前,電話番号,部署\r\n${rows.join('\r\n')}\r\n`, 'text/csv; charset=utf-8')
      return
    }
    if (p === '/phonebook/shared.json' && method === 'GET') {
      send(res, 200, JSON.stringify(SHARED_PHONEBOOK.map(({ name, number }) => ({ name, number }))), 'application/json; charset=utf-8')
      return
    }
    if (p === '/crm/customer' && method === 'GET') {
      const c = find(params.tel)
      const title = c ? `${c.name} 様` : '未登録の番号'
      const bodyHtml = c
        ? `<dl><dt>顧客ID</dt><dd id="customer-id">${escapeHtml(c.id)}</dd><dt>名前</dt><dd id="customer-name">${escapeHtml(c.name)}</dd>` +
          `<dt>会社</dt><dd id="customer-company">${escapeHtml(c.company)}</dd><dt>電話番号</dt><dd id="customer-tel">${escapeHtml(c.tel)}</dd></dl>`
        : `<p id="unknown">この番号は登録されていません: <span id="customer-tel">${escapeHtml(params.tel ?? '')}</span></p>`
      send(
        res,
        200,
        `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Demo CRM</title></head>` +
          `<body><h1 id="title">${escapeHtml(title)}</h1>${bodyHtml}</body></html>`,
        'text/html; charset=utf-8',
      )
      return
    }
    const prov = /^\/provision\/([^/]+)\.json$/.exec(p)
    if (prov && method === 'GET') {
      let name
      try {
        name = decodeURIComponent(prov[1])
      } catch {
        send(res, 400, 'bad name\n')
        return
      }
      if (!/^[\w.-]+$/.test(name) || name.includes('..')) {
        send(res, 400, 'bad name\n')
        return
      }
      if (provisions.has(name)) {
        send(res, 200, JSON.stringify(provisions.get(name)), 'application/json; charset=utf-8')
        return
      }
      if (opts.provisionDir) {
        try {
          const text = await fs.readFile(path.join(opts.provisionDir, `${name}.json`), 'utf8')
          send(res, 200, text, 'application/json; charset=utf-8')
          return
        } catch {
          /* fall through to 404 */
        }
      }
      send(res, 404, `no provisioning file ${name}.json\n`)
      return
    }
    send(res, 404, `not found: ${p}\n`)
  }

  /**
   * /api/*: the lab's own control surface (not recorded).
   * @param {http.IncomingMessage} _req
   * @param {http.ServerResponse} res
   * @param {string} method
   * @param {string} p
   * @param {string} body
   */
  function handleApi(_req, res, method, p, body) {
    if (p === '/api/requests' && method === 'GET') {
      send(res, 200, JSON.stringify(recorded), 'application/json; charset=utf-8')
    } else if (p === '/api/requests' && method === 'DELETE') {
      recorded = []
      send(res, 204, '')
    } else if (p === '/api/behaviour' && method === 'GET') {
      send(res, 200, JSON.stringify(behaviour), 'application/json; charset=utf-8')
    } else if (p === '/api/behaviour' && (method === 'POST' || method === 'PUT')) {
      try {
        handle.setBehaviour(JSON.parse(body || '{}'))
        send(res, 200, JSON.stringify(behaviour), 'application/json; charset=utf-8')
      } catch (err) {
        send(res, 400, `bad behaviour: ${/** @type {Error} */ (err).message}\n`)
      }
    } else if (p === '/api/behaviour' && method === 'DELETE') {
      behaviour = defaultBehaviour()
      send(res, 204, '')
    } else if (p === '/api/sessions' && method === 'DELETE') {
      sessions.clear()
      send(res, 204, '')
    } else if (p === '/api/recordings' && method === 'GET') {
      send(res, 200, JSON.stringify([...recordings.values()]), 'application/json; charset=utf-8')
    } else if (p === '/api/recordings' && method === 'DELETE') {
      recordings.clear()
      send(res, 204, '')
    } else if (p === '/api/calls' && method === 'GET') {
      send(res, 200, JSON.stringify([...callRecords.values()]), 'application/json; charset=utf-8')
    } else if (p === '/api/calls' && method === 'DELETE') {
      callRecords.clear()
      send(res, 204, '')
    } else if (p === '/api/health') {
      send(res, 200, 'ok')
    } else {
      send(res, 404, `not found: ${p}\n`)
    }
  }

  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  // Keep-alive sockets must not keep stop() waiting.
  server.keepAliveTimeout = 2000

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve(undefined))
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  /** @type {CrmHandle} */
  const handle = {
    url,
    port,
    host,
    requests: () => recorded.map((r) => structuredClone(r)),
    clear: () => {
      recorded = []
    },
    setBehaviour: (b) => {
      const allowed = Object.keys(defaultBehaviour())
      for (const key of Object.keys(b)) {
        if (!allowed.includes(key)) throw new Error(`unknown behaviour "${key}" (known: ${allowed.join(', ')})`)
      }
      behaviour = { ...behaviour, ...b, forceStatus: { ...(b.forceStatus ?? behaviour.forceStatus) } }
      return { ...behaviour }
    },
    behaviour: () => ({ ...behaviour }),
    resetBehaviour: () => {
      behaviour = defaultBehaviour()
    },
    setProvision: (name, value) => {
      if (!/^[\w.-]+$/.test(name) || name.includes('..')) throw new Error(`bad provision name ${name}`)
      provisions.set(name, value)
    },
    addContact: (c) => {
      contacts.push({ ...c, tel: digits(c.tel) })
    },
    expireSessions: () => sessions.clear(),
    callRecords: () => [...callRecords.values()].map((r) => structuredClone(r)),
    recordings: () => [...recordings.values()].map((r) => structuredClone(r)),
    waitForRequests: (pred = () => true, o = {}) => {
      const { timeoutMs = 10000, count = 1 } = o
      const matches = () => recorded.filter(pred)
      if (matches().length >= count) return Promise.resolve(matches())
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = matches()
          if (m.length >= count) {
            cleanup()
            resolve(m)
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`CRM: expected ${count} matching request(s) within ${timeoutMs} ms, got ${matches().length}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
      })
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
  if (!opts.quiet && process.env.TSUNAGU_LAB_LOG === '1') process.stderr.write(`[crm] listening on ${url}\n`)
  return handle
}

/** CLI: `node lab/crm-server.mjs [--port 8090] [--host 127.0.0.1] [--provision-dir DIR] [--require-session]` */
async function main() {
  const argv = process.argv.slice(2)
  /** @param {string} name */
  const val = (name) => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: node lab/crm-server.mjs [--port 8090] [--host 127.0.0.1] [--provision-dir DIR] [--require-session]\n',
    )
    return
  }
  const port = Number(val('--port') ?? 8090)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${val('--port')}`)
  const crm = await startCrm({
    port,
    host: val('--host') ?? '127.0.0.1',
    provisionDir: val('--provision-dir'),
    behaviour: { requireSession: argv.includes('--require-session') },
  })
  process.stdout.write(`Demo CRM listening on ${crm.url}  (agents: agent01/pass01, agent02/pass02)\n`)
  for (const c of CONTACTS) process.stdout.write(`  ${c.tel}  ${c.name} / ${c.company}\n`)
  const shutdown = () => {
    crm.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`crm-server: ${err.message}\n`)
    process.exit(1)
  })
}

export const CRM_SERVER_FILE = fileURLToPath(import.meta.url)
