/**
 * A deliberately small SIP-over-WebSocket user agent for lab self-tests.
 *
 * Why: the lab must prove that Kamailio routes what a browser phone needs (REGISTER over ws/wss, INVITE from a
 * UDP PBX-style caller, browser-to-browser calls, in-dialog ACK/BYE/re-INVITE/INFO/REFER/NOTIFY, CANCEL) without
 * starting Chromium. It also tolerates what sip.js does not: a raw `#` in the From user (PBXs send
 * `0312345678#A1#B2`), because it only splits headers and never parses URIs strictly.
 *
 * It is not a general SIP stack: reliable transport only (no retransmissions), no authentication, one INVITE
 * dialog at a time per call, Route sets as in RFC 3261 loose routing.
 *
 * @module lab/sip-ws-client
 */
import crypto from 'node:crypto'
import { EventEmitter } from 'node:events'
import WebSocket from 'ws'

/**
 * @typedef {object} SipMessage
 * @property {boolean} isRequest
 * @property {string} [method]      request method
 * @property {string} [ruri]        request URI
 * @property {number} [status]      response status
 * @property {string} [reason]      response reason phrase
 * @property {[string, string][]} headers  [name as received, value] in order (repeated headers kept apart)
 * @property {string} body
 * @property {string} raw           the message exactly as received
 * @property {(name: string) => string | undefined} get     first value of a header (case-insensitive)
 * @property {(name: string) => string[]} getAll            all values, comma-separated lists split for Route/RR/Via
 */

const COMPACT = /** @type {Record<string,string>} */ ({
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported',
})

/** Split "a, <b>, <c;lr>" for list headers without breaking inside <...> or quotes. */
function splitList(/** @type {string} */ v) {
  const out = []
  let depth = 0
  let quoted = false
  let cur = ''
  for (const ch of v) {
    if (ch === '"') quoted = !quoted
    if (!quoted && ch === '<') depth++
    if (!quoted && ch === '>') depth--
    if (!quoted && depth === 0 && ch === ',') {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  if (cur.trim()) out.push(cur.trim())
  return out
}

/**
 * Parse one SIP message (as one WebSocket frame carries it).
 * @param {string} raw
 * @returns {SipMessage}
 */
export function parseSip(raw) {
  const sep = raw.indexOf('\r\n\r\n')
  const head = sep >= 0 ? raw.slice(0, sep) : raw
  const body = sep >= 0 ? raw.slice(sep + 4) : ''
  const lines = head.split('\r\n')
  const first = lines.shift() ?? ''
  /** @type {[string,string][]} */
  const headers = []
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1][1] += ' ' + line.trim()
      continue
    }
    const i = line.indexOf(':')
    if (i > 0) headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()])
  }
  const norm = (/** @type {string} */ n) => {
    const l = n.toLowerCase()
    return COMPACT[l] ?? l
  }
  const get = (/** @type {string} */ name) => headers.find(([n]) => norm(n) === norm(name))?.[1]
  const getAll = (/** @type {string} */ name) => {
    const vals = headers.filter(([n]) => norm(n) === norm(name)).map(([, v]) => v)
    return ['via', 'route', 'record-route'].includes(norm(name)) ? vals.flatMap(splitList) : vals
  }
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(first)
  if (m) return { isRequest: false, status: Number(m[1]), reason: m[2], headers, body, raw, get, getAll }
  const [method, ruri] = first.split(' ')
  return { isRequest: true, method, ruri, headers, body, raw, get, getAll }
}

/** @param {string} hdr a From/To value @returns {string|undefined} its tag parameter */
export function tagOf(hdr) {
  const m = /;\s*tag=([^;>\s]+)/i.exec(hdr.replace(/<[^>]*>/, '<>'))
  return m?.[1]
}

/** @param {string} hdr a Contact/From/To value @returns {string} the URI inside <...> (or the bare URI) */
export function uriOf(hdr) {
  const m = /<([^>]*)>/.exec(hdr)
  return m ? m[1] : hdr.split(';')[0].trim()
}

/** A minimal WebRTC-style SDP (what a browser offers); no media ever flows in these tests. */
export function fakeWebRtcSdp(direction = 'sendrecv', setup = 'actpass') {
  const fp = Array.from(crypto.randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')
  return [
    'v=0',
    `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
    'c=IN IP4 127.0.0.1',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:labx',
    'a=ice-pwd:labxlabxlabxlabxlabxlabx',
    `a=fingerprint:sha-256 ${fp}`,
    `a=setup:${setup}`,
    'a=mid:0',
    `a=${direction}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n')
}

const rand = (n = 8) => crypto.randomBytes(n).toString('hex')

/**
 * @typedef {object} Dialog
 * @property {string} callId
 * @property {string} localUri
 * @property {string} localTag
 * @property {string} remoteUri
 * @property {string} [remoteTag]
 * @property {string} remoteTarget
 * @property {string[]} routeSet
 * @property {number} localCseq
 * @property {string} [localName]
 */

/**
 * One SIP user agent on one WebSocket connection.
 *
 * Events: 'request' (SipMessage) for every incoming request, 'response' for every incoming response,
 * 'message' for everything, 'close'.
 */
export class SipWsClient extends EventEmitter {
  /**
   * @param {string} url ws:// or wss:// URL of Kamailio
   * @param {{ user: string, domain?: string, displayName?: string }} opts
   */
  constructor(url, opts) {
    super()
    this.url = url
    this.user = opts.user
    this.domain = opts.domain ?? '127.0.0.1'
    this.displayName = opts.displayName
    this.transport = url.startsWith('wss:') ? 'WSS' : 'WS'
    /** A stable fake host like sip.js's `<random>.invalid` */
    this.viaHost = `${rand(6)}.invalid`
    this.contact = `<sip:${rand(4)}@${this.viaHost};transport=ws>`
    /** @type {SipMessage[]} every message received, for assertions */
    this.received = []
    /** @type {Map<string, { resolve: (m: SipMessage) => void, onProvisional?: (m: SipMessage) => void }>} */
    this.pending = new Map()
    /** @type {WebSocket | undefined} */
    this.ws = undefined
    /** @type {string | undefined} REGISTER Call-ID, kept across re-registrations as RFC 3261 wants */
    this.regCallId = undefined
    /** @type {number} */
    this.regCseq = 0
  }

  /** Open the WebSocket with subprotocol "sip" (Kamailio refuses others). Self-signed wss certs are accepted. */
  async connect() {
    const ws = new WebSocket(this.url, 'sip', { rejectUnauthorized: false })
    this.ws = ws
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.on('message', (/** @type {Buffer} */ data) => this.#onMessage(data.toString('utf8')))
    ws.on('close', () => this.emit('close'))
    ws.on('error', () => {})
    return this
  }

  /** Close the socket (no un-REGISTER: like a tab that is closed). */
  async close() {
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) return
    await new Promise((resolve) => {
      ws.once('close', resolve)
      ws.close()
      setTimeout(() => ws.terminate(), 2000).unref()
    })
  }

  /** @param {string} raw */
  #onMessage(raw) {
    const msg = parseSip(raw)
    this.received.push(msg)
    this.emit('message', msg)
    if (msg.isRequest) {
      this.emit('request', msg)
      return
    }
    const via = msg.getAll('via')[0] ?? ''
    const branch = /branch=([^;\s]+)/i.exec(via)?.[1] ?? ''
    const method = (msg.get('cseq') ?? '').split(/\s+/)[1]
    const key = `${branch} ${method}`
    const p = this.pending.get(key)
    this.emit('response', msg)
    if (!p) return
    if ((msg.status ?? 0) < 200) {
      p.onProvisional?.(msg)
    } else {
      this.pending.delete(key)
      p.resolve(msg)
    }
  }

  /** @param {string} text */
  send(text) {
    if (!this.ws) throw new Error('not connected')
    this.ws.send(text)
  }

  /**
   * Wait for an incoming request. With `includePast` (default) a matching request that already arrived and was
   * not handed out by an earlier call counts too, so a test cannot miss a request that beat it.
   * @param {string | ((m: SipMessage) => boolean)} match a method name or predicate
   * @param {{ timeoutMs?: number, includePast?: boolean }} [opts]
   * @returns {Promise<SipMessage>}
   */
  waitForRequest(match, opts = {}) {
    const { timeoutMs = 10000, includePast = true } = opts
    const pred = typeof match === 'string' ? (/** @type {SipMessage} */ m) => m.method === match : match
    if (includePast) {
      const found = this.received.find((m) => m.isRequest && !claimed.has(m) && pred(m))
      if (found) {
        claimed.add(found)
        return Promise.resolve(found)
      }
    }
    return new Promise((resolve, reject) => {
      const onReq = (/** @type {SipMessage} */ m) => {
        if (claimed.has(m) || !pred(m)) return
        claimed.add(m)
        clearTimeout(timer)
        this.off('request', onReq)
        resolve(m)
      }
      const timer = setTimeout(() => {
        this.off('request', onReq)
        reject(new Error(`${this.user}: no ${typeof match === 'string' ? match : 'matching'} request within ${timeoutMs} ms`))
      }, timeoutMs)
      this.on('request', onReq)
    })
  }

  /**
   * Send a request and resolve with its final response.
   * @param {string} text full request text whose top Via carries `branch`
   * @param {string} branch
   * @param {string} method
   * @param {{ onProvisional?: (m: SipMessage) => void, timeoutMs?: number }} [opts]
   * @returns {Promise<SipMessage>}
   */
  #transact(text, branch, method, opts = {}) {
    const { timeoutMs = 15000 } = opts
    return new Promise((resolve, reject) => {
      const key = `${branch} ${method}`
      const timer = setTimeout(() => {
        this.pending.delete(key)
        reject(new Error(`${this.user}: no final response to ${method} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(key, {
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m)
        },
        onProvisional: opts.onProvisional,
      })
      this.send(text)
    })
  }

  /** @param {string} branch */
  #via(branch) {
    return `Via: SIP/2.0/${this.transport} ${this.viaHost};branch=${branch}`
  }

  #aor() {
    return `sip:${this.user}@${this.domain}`
  }

  /**
   * REGISTER the user (no auth in the lab) and resolve with the final response.
   * @param {{ expires?: number }} [opts]
   */
  async register(opts = {}) {
    const { expires = 600 } = opts
    const branch = `z9hG4bK${rand()}`
    this.regCallId ??= rand(12)
    this.regCseq = (this.regCseq ?? 0) + 1
    const text =
      `REGISTER sip:${this.domain} SIP/2.0\r\n` +
      `${this.#via(branch)}\r\n` +
      `Max-Forwards: 70\r\n` +
      `To: <${this.#aor()}>\r\n` +
      `From: <${this.#aor()}>;tag=${rand(4)}\r\n` +
      `Call-ID: ${this.regCallId}\r\n` +
      `CSeq: ${this.regCseq} REGISTER\r\n` +
      `Contact: ${this.contact};expires=${expires}\r\n` +
      `Expires: ${expires}\r\n` +
      `Content-Length: 0\r\n\r\n`
    const res = await this.#transact(text, branch, 'REGISTER')
    if (res.status !== 200) throw new Error(`${this.user}: REGISTER got ${res.status} ${res.reason}`)
    return res
  }

  /**
   * Build and send a response to an incoming request.
   * @param {SipMessage} req
   * @param {number} status
   * @param {string} reason
   * @param {{ toTag?: string, body?: string, contentType?: string, headers?: string[] }} [opts]
   */
  reply(req, status, reason, opts = {}) {
    const to = req.get('to') ?? ''
    const toHdr = tagOf(to) || status === 100 ? to : `${to};tag=${opts.toTag ?? rand(4)}`
    const lines = [`SIP/2.0 ${status} ${reason}`]
    for (const v of req.getAll('via')) lines.push(`Via: ${v}`)
    if (req.method === 'INVITE' && status > 100 && status < 300) {
      for (const rr of req.getAll('record-route')) lines.push(`Record-Route: ${rr}`)
      lines.push(`Contact: ${this.contact}`)
    }
    lines.push(`From: ${req.get('from')}`, `To: ${toHdr}`, `Call-ID: ${req.get('call-id')}`, `CSeq: ${req.get('cseq')}`)
    lines.push(...(opts.headers ?? []))
    const body = opts.body ?? ''
    if (body) lines.push(`Content-Type: ${opts.contentType ?? 'application/sdp'}`)
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
    this.send(lines.join('\r\n') + '\r\n\r\n' + body)
  }

  /**
   * Answer an incoming INVITE with 200 + SDP and return the UAS dialog (route set = its Record-Route in order).
   * @param {SipMessage} invite
   * @param {{ body?: string }} [opts]
   * @returns {Dialog}
   */
  accept(invite, opts = {}) {
    const localTag = rand(4)
    this.reply(invite, 200, 'OK', { toTag: localTag, body: opts.body ?? fakeWebRtcSdp('sendrecv', 'active') })
    return {
      callId: /** @type {string} */ (invite.get('call-id')),
      localUri: uriOf(invite.get('to') ?? ''),
      localTag,
      remoteUri: uriOf(invite.get('from') ?? ''),
      remoteTag: tagOf(invite.get('from') ?? ''),
      remoteTarget: uriOf(invite.get('contact') ?? ''),
      routeSet: invite.getAll('record-route'),
      localCseq: 100,
    }
  }

  /**
   * Place a call. Resolves when a final response arrives; for 2xx the ACK is sent and `dialog` is set, for
   * non-2xx the ACK goes out too (same branch, as RFC 3261 17.1.1.3 wants).
   * @param {string} target user name (sent to sip:target@domain) or a full sip: URI
   * @param {{ body?: string, headers?: string[], onProvisional?: (m: SipMessage) => void, timeoutMs?: number }} [opts]
   * @returns {{ done: Promise<{ response: SipMessage, dialog?: Dialog }>, cancel: () => Promise<SipMessage> }}
   */
  invite(target, opts = {}) {
    const ruri = target.startsWith('sip:') ? target : `sip:${target}@${this.domain}`
    const branch = `z9hG4bK${rand()}`
    const callId = rand(12)
    const localTag = rand(4)
    const from = `${this.displayName ? `"${this.displayName}" ` : ''}<${this.#aor()}>;tag=${localTag}`
    const to = `<${ruri}>`
    const body = opts.body ?? fakeWebRtcSdp()
    const text =
      `INVITE ${ruri} SIP/2.0\r\n` +
      `${this.#via(branch)}\r\n` +
      `Max-Forwards: 70\r\n` +
      `To: ${to}\r\nFrom: ${from}\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n` +
      `Contact: ${this.contact}\r\n` +
      (opts.headers ?? []).map((h) => `${h}\r\n`).join('') +
      `Content-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    const done = this.#transact(text, branch, 'INVITE', { onProvisional: opts.onProvisional, timeoutMs: opts.timeoutMs ?? 30000 }).then((res) => {
      if ((res.status ?? 0) >= 300) {
        this.send(
          `ACK ${ruri} SIP/2.0\r\n${this.#via(branch)}\r\nMax-Forwards: 70\r\n` +
            `To: ${res.get('to')}\r\nFrom: ${from}\r\nCall-ID: ${callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`,
        )
        return { response: res }
      }
      /** @type {Dialog} */
      const dialog = {
        callId,
        localUri: this.#aor(),
        localTag,
        localName: this.displayName,
        remoteUri: ruri,
        remoteTag: tagOf(res.get('to') ?? ''),
        remoteTarget: uriOf(res.get('contact') ?? ''),
        routeSet: res.getAll('record-route').reverse(),
        localCseq: 1,
      }
      this.sendInDialog(dialog, 'ACK', { cseq: 1 })
      return { response: res, dialog }
    })
    const cancel = () => {
      const cbranch = branch
      return this.#transact(
        `CANCEL ${ruri} SIP/2.0\r\n${this.#via(cbranch)}\r\nMax-Forwards: 70\r\n` +
          `To: ${to}\r\nFrom: ${from}\r\nCall-ID: ${callId}\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n`,
        cbranch,
        'CANCEL',
      )
    }
    return { done, cancel }
  }

  /**
   * Send an in-dialog request (BYE, INFO, re-INVITE, REFER, NOTIFY, ACK) along the dialog's route set.
   * ACK resolves immediately (no response); others resolve with the final response.
   * @param {Dialog} dialog
   * @param {string} method
   * @param {{ body?: string, contentType?: string, headers?: string[], cseq?: number }} [opts]
   * @returns {Promise<SipMessage | undefined>}
   */
  sendInDialog(dialog, method, opts = {}) {
    const branch = `z9hG4bK${rand()}`
    const cseq = opts.cseq ?? ++dialog.localCseq
    const body = opts.body ?? ''
    const from = `${dialog.localName ? `"${dialog.localName}" ` : ''}<${dialog.localUri}>;tag=${dialog.localTag}`
    const to = `<${dialog.remoteUri}>${dialog.remoteTag ? `;tag=${dialog.remoteTag}` : ''}`
    const text =
      `${method} ${dialog.remoteTarget} SIP/2.0\r\n` +
      `${this.#via(branch)}\r\n` +
      dialog.routeSet.map((r) => `Route: ${r}\r\n`).join('') +
      `Max-Forwards: 70\r\nTo: ${to}\r\nFrom: ${from}\r\nCall-ID: ${dialog.callId}\r\nCSeq: ${cseq} ${method}\r\n` +
      (method === 'INVITE' || method === 'REFER' ? `Contact: ${this.contact}\r\n` : '') +
      (opts.headers ?? []).map((h) => `${h}\r\n`).join('') +
      (body ? `Content-Type: ${opts.contentType ?? 'application/sdp'}\r\n` : '') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    if (method === 'ACK') {
      this.send(text)
      return Promise.resolve(undefined)
    }
    return this.#transact(text, branch, method).then((res) => {
      if (method === 'INVITE' && (res.status ?? 0) >= 200 && (res.status ?? 0) < 300) {
        this.sendInDialog(dialog, 'ACK', { cseq })
      }
      return res
    })
  }
}

/** Requests already handed out by waitForRequest (shared across clients; messages are unique objects). */
const claimed = new WeakSet()

/**
 * Connect and REGISTER in one step.
 * @param {string} url
 * @param {{ user: string, domain?: string, displayName?: string, expires?: number }} opts
 */
export async function registeredClient(url, opts) {
  const c = new SipWsClient(url, opts)
  await c.connect()
  await c.register({ expires: opts.expires })
  return c
}
