#!/usr/bin/env node
// Tsunagu helper — the native-messaging host (Node 20, no dependencies).
//
// Chromium starts this program for the extension in helper/extension and speaks the native
// messaging protocol on stdin/stdout: each message is a 4-byte little-endian length followed by
// that many bytes of UTF-8 JSON, in both directions. stdout is the channel, so nothing else may
// ever be written there (children get no stdout; diagnostics go to stderr).
//
// Who may use it: every request carries `origin`, the page's origin as the extension saw it
// (`sender.origin`, which a page cannot forge). The host answers only origins listed in the
// config's `origins`; the extension asks for that list (`policy`) and refuses other pages itself
// before relaying anything, so the list is checked twice, by both halves.
//
// Requests and replies (every reply can also be { ok: false, reason: 'origin-not-allowed' }):
//   { type: 'policy' }                                → { ok: true, origins }   (for the extension)
//   { type: 'ping', origin }                          → { ok: true, version }
//   { type: 'run', origin, argv: string[], fromPlaceholder?: boolean[] }
//                                                     → { ok: true, exitCode }
//                                                       | { ok: false, reason: 'not-allowed' | 'failed', message }
//   { type: 'http', origin, method, url, headers, body | bodyBase64, timeoutMs }
//                                                     → { ok: true, status, headers, bodyBase64 }
//                                                       | { ok: false, reason: 'not-allowed' | 'network', message }
//
// The config `{ origins, allow, timeoutMs, http: { origins } }` is read for every request from
// $TSUNAGU_HELPER_CONFIG or /etc/tsunagu/helper.json (Windows: %ProgramData%\Tsunagu\helper.json);
// a missing or broken file allows nothing.
//
// `run` starts argv[0] with argv[1..] as separate arguments, never through a shell, and only
// when an `allow` entry lists argv[0] exactly. An entry may constrain each argument with a
// pattern. An argument the page marks `fromPlaceholder` (its start, up to the first `=`, came
// from a template placeholder: a caller's number or name, a CRM value) that looks like an option
// (`-…`; on Windows also `/…`) is refused unless the entry allows options there: sip.js
// percent-decodes the caller's From user, so {TEL} can be `--output=/tmp/x`. Without the marks
// every argument counts as from a placeholder.
//
// `http` sends the request only to an origin in `http.origins` (redirects too), drops the
// headers in DENIED_HEADERS, stops reading the body past MAX_RESPONSE_BODY and gives up after the
// access's own timeout. A POST body is `body` (text, sent as UTF-8) or `bodyBase64` (bytes: the
// recording access's multipart/form-data, built by the page and sent byte for byte).
//
// The log never contains argv, URLs, headers or bodies: they carry phone numbers and passwords.

import { spawn } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const VERSION = '0.1.0'
export const HOST_NAME = 'jp.tsunagu.helper'

/** Chromium refuses host messages over 1 MiB; base64 grows by 4/3, so cap the raw body below. */
export const MAX_RESPONSE_BODY = 700 * 1024
/**
 * Chromium's limit for messages to the host is 4 GiB (only host → browser is capped at 1 MiB);
 * ours is what a recording upload needs: the page's message to the extension is capped at 64 MiB
 * (Chromium 156, measured), which with base64 is 47 MB of audio (hours of Opus; the page refuses
 * more itself). Anything longer is refused whole.
 */
export const MAX_REQUEST = 64 * 1024 * 1024
const DEFAULT_RUN_TIMEOUT_MS = 10_000
const DEFAULT_HTTP_TIMEOUT_MS = 30_000
const MAX_TIMEOUT_MS = 120_000
const MAX_REDIRECTS = 5

/**
 * Request headers the host never sends, whatever the page asks (compared case-insensitively):
 * `Host` (virtual-host confusion), cookies and credentials (the engine never sends them: CRM
 * credentials travel in the URL or body as placeholders (docs/cti-integration.md §6), so a header credential could
 * only come from somewhere it should not), hop-by-hop headers (they belong to one connection and
 * can desync proxies), and the headers cloud metadata services require as their SSRF guard.
 */
export const DENIED_HEADERS = new Set([
  'host', 'cookie', 'cookie2', 'authorization',
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'expect',
  'metadata', 'metadata-flavor', 'x-google-metadata-request',
])
const DENIED_HEADER_PREFIXES = ['proxy-', 'x-aws-ec2-metadata-token']

export function isDeniedHeader(name) {
  const lower = String(name).toLowerCase()
  return DENIED_HEADERS.has(lower) || DENIED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

export function defaultConfigPath(env = process.env, platform = process.platform) {
  if (env.TSUNAGU_HELPER_CONFIG) return env.TSUNAGU_HELPER_CONFIG
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'Tsunagu', 'helper.json')
  return '/etc/tsunagu/helper.json'
}

/**
 * @typedef {{ pattern?: RegExp, options: boolean }} ArgRule
 * @typedef {{ program: string, args?: ArgRule[], options: boolean }} ProgramEntry
 * @typedef {{ origins: string[], allow: ProgramEntry[], timeoutMs: number, httpOrigins: string[] }} Config
 */

/**
 * The config, read for every request so an edit applies at once. A missing or broken file
 * allows nothing; an entry with a broken pattern is left out (and said so on stderr).
 * @returns {Config | { error: string }}
 */
export function readConfig(file = defaultConfigPath()) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    return { error: error?.code === 'ENOENT' ? 'no allow-list file' : 'the allow-list file is not valid JSON' }
  }
  const allow = (Array.isArray(parsed?.allow) ? parsed.allow : []).flatMap((item, index) => {
    const entry = programEntry(item)
    if (typeof entry === 'string') {
      logError(`allow-list entry ${index}: ${entry}; left out`)
      return []
    }
    return [entry]
  })
  return {
    origins: originList(parsed?.origins),
    allow,
    timeoutMs: clampTimeout(parsed?.timeoutMs, DEFAULT_RUN_TIMEOUT_MS),
    httpOrigins: originList(parsed?.http?.origins),
  }
}

/** Origins in their canonical form (`new URL(x).origin`); anything else is dropped. */
function originList(value) {
  if (!Array.isArray(value)) return []
  return value.flatMap((item) => {
    const origin = canonicalOrigin(item)
    return origin ? [origin] : []
  })
}

/** `scheme://host[:port]` of an http(s) URL or origin, or undefined. */
export function canonicalOrigin(value) {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** @returns {ProgramEntry | string} the entry, or why it is unusable */
function programEntry(item) {
  if (typeof item === 'string') return item === '' ? 'empty program' : { program: item, options: false }
  if (!item || typeof item !== 'object' || typeof item.program !== 'string' || item.program === '') return 'no program'
  const entry = { program: item.program, options: item.options === true }
  if (item.args === undefined) return entry
  if (!Array.isArray(item.args)) return 'args is not a list'
  const args = []
  for (const spec of item.args) {
    const source = typeof spec === 'string' ? spec : spec?.pattern
    if (source !== undefined && typeof source !== 'string') return 'a pattern is not a string'
    let pattern
    try {
      pattern = source === undefined ? undefined : new RegExp(`^(?:${source})$`, 'u')
    } catch {
      return 'a pattern is not a valid regular expression'
    }
    args.push({ ...(pattern ? { pattern } : {}), options: typeof spec === 'object' && spec?.options === true })
  }
  return { ...entry, args }
}

function clampTimeout(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, MAX_TIMEOUT_MS) : fallback
}

function logError(text) {
  process.stderr.write(`tsunagu-helper: ${text}\n`)
}

/** Would a program read this argument as an option? `-x`, `--x`; on Windows also `/x`. */
export function optionLike(value, platform = process.platform) {
  return value.startsWith('-') || (platform === 'win32' && value.startsWith('/'))
}

/**
 * Why `entry` does not admit argv, or undefined when it does.
 * @param {ProgramEntry} entry
 * @param {string[]} argv
 * @param {boolean[]} fromPlaceholder
 */
function refusal(entry, argv, fromPlaceholder, platform) {
  const args = argv.slice(1)
  if (entry.args && entry.args.length !== args.length) return `the allow-list entry expects ${entry.args.length} arguments, not ${args.length}`
  for (let i = 0; i < args.length; i += 1) {
    const rule = entry.args?.[i]
    if (rule?.pattern && !rule.pattern.test(args[i])) return `argument ${i + 1} does not match its pattern`
    if (fromPlaceholder[i + 1] && optionLike(args[i], platform) && !entry.options && !rule?.options)
      return `argument ${i + 1} comes from a placeholder and looks like an option`
  }
  return undefined
}

/**
 * @param {unknown} argv
 * @param {unknown} [marks] per argv item: true when it came from a placeholder (see the header)
 */
export async function run(argv, config = readConfig(), marks = undefined, platform = process.platform) {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((item) => typeof item === 'string'))
    return { ok: false, reason: 'failed', message: 'argv must be a non-empty list of strings' }
  if ('error' in config) return { ok: false, reason: 'not-allowed', message: config.error }
  // Exact match: no PATH lookup, no normalisation, so "crm-open" or "/usr/local/bin/../bin/x"
  // never stand for an allowed program.
  const entries = config.allow.filter((entry) => entry.program === argv[0])
  if (entries.length === 0) return { ok: false, reason: 'not-allowed', message: 'the program is not on the allow-list' }
  // Without marks from the page, or with malformed ones, every argument counts as the caller's.
  const fromPlaceholder = Array.isArray(marks) && marks.length === argv.length && marks.every((mark) => typeof mark === 'boolean')
    ? marks
    : argv.map(() => true)
  const reasons = entries.map((entry) => refusal(entry, argv, fromPlaceholder, platform))
  if (reasons.every((reason) => reason !== undefined)) return { ok: false, reason: 'not-allowed', message: reasons[0] }
  if (argv.some((item) => item.includes('\0'))) return { ok: false, reason: 'failed', message: 'an argument contains a NUL character' }
  return new Promise((resolve) => {
    let settled = false
    const done = (result) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    let child
    try {
      child = spawn(argv[0], argv.slice(1), { shell: false, stdio: ['ignore', 'ignore', 'ignore'], windowsHide: true })
    } catch (error) {
      logError(`run: ${error?.code ?? 'spawn failed'}`)
      resolve({ ok: false, reason: 'failed', message: error?.code ?? 'spawn failed' })
      return
    }
    const timer = setTimeout(() => {
      child.kill()
      logError('run: timed out')
      done({ ok: false, reason: 'failed', message: `timed out after ${config.timeoutMs} ms` })
    }, config.timeoutMs)
    child.on('error', (error) => {
      logError(`run: ${error.code ?? 'failed'}`)
      done({ ok: false, reason: 'failed', message: error.code ?? 'failed to start' })
    })
    child.on('exit', (code, signal) => {
      if (code === null) done({ ok: false, reason: 'failed', message: `ended by ${signal}` })
      else done({ ok: true, exitCode: code })
    })
  })
}

class TooLarge extends Error {}

/** Reads a body chunk by chunk and gives up (cancelling the stream) as soon as it passes `limit`. */
async function readCapped(body, limit) {
  if (!body) return Buffer.alloc(0)
  const chunks = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw new TooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

/**
 * @param {{ method?: unknown, url?: unknown, headers?: unknown, body?: unknown, bodyBase64?: unknown, timeoutMs?: unknown }} request
 * @param {Config | { error: string }} [config]
 */
export async function http(request, config = readConfig()) {
  const { method, url, headers, body } = request
  if (method !== 'GET' && method !== 'POST') return { ok: false, reason: 'network', message: 'method must be GET or POST' }
  let parsed
  try {
    parsed = new URL(String(url))
  } catch {
    return { ok: false, reason: 'network', message: 'invalid URL' }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'network', message: 'only http and https URLs' }
  if ('error' in config) return { ok: false, reason: 'not-allowed', message: config.error }
  const allowed = (target) => config.httpOrigins.includes(target.origin)
  if (!allowed(parsed)) return { ok: false, reason: 'not-allowed', message: 'the URL\'s origin is not on the helper\'s http allow-list' }
  // Pairs, not an object: a header named `__proto__` must stay a header.
  const headerList = headers && typeof headers === 'object'
    ? Object.entries(headers).filter(([name, value]) => typeof value === 'string' && !isDeniedHeader(name))
    : []
  const timeoutMs = clampTimeout(request.timeoutMs, DEFAULT_HTTP_TIMEOUT_MS)
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    let target = parsed
    let currentMethod = method
    let currentBody = method !== 'POST' ? undefined : typeof body === 'string' ? body : typeof request.bodyBase64 === 'string' ? Buffer.from(request.bodyBase64, 'base64') : undefined
    for (let hop = 0; ; hop += 1) {
      // Redirects are followed by hand, so each hop is checked against the allow-list: an
      // allowed CRM must not bounce the request to an intranet page or a metadata service.
      const response = await fetch(target, {
        method: currentMethod,
        headers: currentBody === undefined ? withoutContentType(headerList) : headerList,
        ...(currentBody === undefined ? {} : { body: currentBody }),
        redirect: 'manual',
        signal,
      })
      const location = response.headers.get('location')
      if ([301, 302, 303, 307, 308].includes(response.status) && location) {
        await response.body?.cancel().catch(() => {})
        if (hop >= MAX_REDIRECTS) return { ok: false, reason: 'network', message: 'too many redirects' }
        const next = new URL(location, target)
        if (!allowed(next)) return { ok: false, reason: 'not-allowed', message: 'a redirect left the helper\'s http allow-list' }
        if (response.status === 303 || (currentMethod === 'POST' && (response.status === 301 || response.status === 302))) {
          currentMethod = 'GET'
          currentBody = undefined
        }
        target = next
        continue
      }
      const lengthHeader = Number(response.headers.get('content-length'))
      if (Number.isFinite(lengthHeader) && lengthHeader > MAX_RESPONSE_BODY) {
        await response.body?.cancel().catch(() => {})
        throw new TooLarge()
      }
      const bytes = await readCapped(response.body, MAX_RESPONSE_BODY)
      const out = {}
      response.headers.forEach((value, name) => { out[name.toLowerCase()] = value })
      return { ok: true, status: response.status, headers: out, bodyBase64: bytes.toString('base64') }
    }
  } catch (error) {
    if (error instanceof TooLarge) {
      logError('http: response body too large')
      return { ok: false, reason: 'network', message: `response body over ${MAX_RESPONSE_BODY} bytes` }
    }
    const timedOut = error?.name === 'TimeoutError' || signal.aborted
    const message = timedOut ? `timed out after ${timeoutMs} ms` : (error?.cause?.code ?? error?.cause?.message ?? error?.message ?? 'network error')
    logError(`http: ${message}`)
    return { ok: false, reason: 'network', message: String(message) }
  }
}

function withoutContentType(headers) {
  return headers.filter(([name]) => name.toLowerCase() !== 'content-type')
}

/** One request → one reply; never throws. */
export async function handle(message) {
  try {
    switch (message?.type) {
      case 'policy': {
        const config = readConfig()
        return { ok: true, origins: 'error' in config ? [] : config.origins }
      }
      case 'ping':
      case 'run':
      case 'http': {
        const config = readConfig()
        const origin = canonicalOrigin(message.origin)
        if (!origin || 'error' in config || !config.origins.includes(origin)) {
          // The origin is not a secret, and naming it is what tells IT which page was refused.
          logError(`refused a ${message.type} request from ${origin ?? 'an unknown origin'} (not in "origins")`)
          return { ok: false, reason: 'origin-not-allowed' }
        }
        if (message.type === 'ping') return { ok: true, version: VERSION }
        if (message.type === 'run') return await run(message.argv, config, message.fromPlaceholder)
        return await http(message, config)
      }
      default: return { ok: false, reason: 'failed', message: 'unknown request type' }
    }
  } catch (error) {
    logError(`internal error: ${error?.name ?? 'Error'}`)
    return { ok: false, reason: 'failed', message: 'internal error' }
  }
}

export function encodeMessage(value) {
  const json = Buffer.from(JSON.stringify(value), 'utf8')
  const header = Buffer.alloc(4)
  header.writeUInt32LE(json.length, 0)
  return Buffer.concat([header, json])
}

/**
 * Splits a byte stream into messages. Returns the complete messages and the rest.
 * @param {Buffer} buffer
 */
export function decodeMessages(buffer) {
  const messages = []
  let offset = 0
  while (buffer.length - offset >= 4) {
    const length = buffer.readUInt32LE(offset)
    if (length > MAX_REQUEST) throw new Error('message too large')
    if (buffer.length - offset - 4 < length) break
    messages.push(JSON.parse(buffer.subarray(offset + 4, offset + 4 + length).toString('utf8')))
    offset += 4 + length
  }
  return { messages, rest: buffer.subarray(offset) }
}

function main() {
  // Chunks are kept as they come and joined once the message is complete: joining at every
  // chunk would copy a recording's tens of MB hundreds of times.
  let chunks = []
  let size = 0
  let needed
  let inFlight = 0
  let ended = false
  const maybeExit = () => {
    if (ended && inFlight === 0) process.exitCode = 0
  }
  process.stdin.on('data', (chunk) => {
    chunks.push(chunk)
    size += chunk.length
    if (needed === undefined && size >= 4) {
      chunks = [Buffer.concat(chunks)]
      needed = 4 + chunks[0].readUInt32LE(0)
    }
    // Refused as soon as the length is known, not after reading (and holding) it all.
    if (needed !== undefined && needed - 4 > MAX_REQUEST) {
      logError('bad message: message too large')
      process.exit(1)
    }
    if (needed === undefined || size < needed) return
    let decoded
    try {
      decoded = decodeMessages(Buffer.concat(chunks))
    } catch (error) {
      logError(`bad message: ${error.message}`)
      process.exit(1)
    }
    chunks = decoded.rest.length > 0 ? [decoded.rest] : []
    size = decoded.rest.length
    needed = size >= 4 ? 4 + decoded.rest.readUInt32LE(0) : undefined
    for (const message of decoded.messages) {
      inFlight += 1
      void handle(message).then((reply) => {
        process.stdout.write(encodeMessage(reply))
        inFlight -= 1
        maybeExit()
      })
    }
  })
  process.stdin.on('end', () => {
    ended = true
    maybeExit()
  })
}

// Imported by tests for its functions; run by Chromium as a program.
function invokedDirectly() {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}
if (invokedDirectly()) main()
