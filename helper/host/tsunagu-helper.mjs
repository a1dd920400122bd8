#!/usr/bin/env node
// Tsunagu helper — the native-messaging host (Node 20, no dependencies).
//
// Chromium starts this program for the extension in helper/extension and speaks the native
// messaging protocol on stdin/stdout: each message is a 4-byte little-endian length followed by
// that many bytes of UTF-8 JSON, in both directions. stdout is the channel, so nothing else may
// ever be written there (children get no stdout; diagnostics go to stderr).
//
// Requests and replies:
//   { type: 'ping' }                                  → { ok: true, version }
//   { type: 'run', argv: string[] }                   → { ok: true, exitCode }
//                                                       | { ok: false, reason: 'not-allowed' | 'failed', message }
//   { type: 'http', method, url, headers, body, timeoutMs }
//                                                     → { ok: true, status, headers, bodyBase64 }
//                                                       | { ok: false, reason: 'network', message }
//
// `run` starts argv[0] with argv[1..] as separate arguments, never through a shell, and only
// when argv[0] is listed exactly in the allow-list `{ "allow": [...] }` read from
// $TSUNAGU_HELPER_CONFIG or /etc/tsunagu/helper.json (Windows: %ProgramData%\Tsunagu\helper.json).
// The log never contains argv, URLs, headers or bodies: they carry phone numbers and passwords.

import { spawn } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const VERSION = '0.1.0'
export const HOST_NAME = 'jp.tsunagu.helper'

/** Chromium refuses host messages over 1 MiB; base64 grows by 4/3, so cap the raw body below. */
const MAX_RESPONSE_BODY = 700 * 1024
/** Chromium's limit for messages to the host is 4 GiB; ours is far lower, a request is small. */
const MAX_REQUEST = 1024 * 1024
const DEFAULT_RUN_TIMEOUT_MS = 10_000
const DEFAULT_HTTP_TIMEOUT_MS = 30_000
const MAX_TIMEOUT_MS = 120_000

export function defaultConfigPath(env = process.env, platform = process.platform) {
  if (env.TSUNAGU_HELPER_CONFIG) return env.TSUNAGU_HELPER_CONFIG
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'Tsunagu', 'helper.json')
  return '/etc/tsunagu/helper.json'
}

/**
 * The allow-list, read for every `run` so an edit applies at once. A missing or broken file
 * allows nothing.
 * @returns {{ allow: string[], timeoutMs: number } | { error: string }}
 */
export function readConfig(file = defaultConfigPath()) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    return { error: error?.code === 'ENOENT' ? 'no allow-list file' : 'the allow-list file is not valid JSON' }
  }
  const allow = Array.isArray(parsed?.allow) ? parsed.allow.filter((item) => typeof item === 'string' && item !== '') : []
  const timeoutMs = clampTimeout(parsed?.timeoutMs, DEFAULT_RUN_TIMEOUT_MS)
  return { allow, timeoutMs }
}

function clampTimeout(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, MAX_TIMEOUT_MS) : fallback
}

function logError(text) {
  process.stderr.write(`tsunagu-helper: ${text}\n`)
}

/** @param {unknown} argv */
export async function run(argv, config = readConfig()) {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((item) => typeof item === 'string'))
    return { ok: false, reason: 'failed', message: 'argv must be a non-empty list of strings' }
  if ('error' in config) return { ok: false, reason: 'not-allowed', message: config.error }
  // Exact match: no PATH lookup, no normalisation, so "crm-open" or "/usr/local/bin/../bin/x"
  // never stand for an allowed program.
  if (!config.allow.includes(argv[0])) return { ok: false, reason: 'not-allowed', message: 'the program is not on the allow-list' }
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

/** @param {{ method?: unknown, url?: unknown, headers?: unknown, body?: unknown, timeoutMs?: unknown }} request */
export async function http(request) {
  const { method, url, headers, body } = request
  if (method !== 'GET' && method !== 'POST') return { ok: false, reason: 'network', message: 'method must be GET or POST' }
  let parsed
  try {
    parsed = new URL(String(url))
  } catch {
    return { ok: false, reason: 'network', message: 'invalid URL' }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'network', message: 'only http and https URLs' }
  const headerList = {}
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') headerList[name] = value
  }
  const timeoutMs = clampTimeout(request.timeoutMs, DEFAULT_HTTP_TIMEOUT_MS)
  try {
    const response = await fetch(parsed, {
      method,
      headers: headerList,
      ...(method === 'POST' && typeof body === 'string' ? { body } : {}),
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const bytes = Buffer.from(await response.arrayBuffer())
    if (bytes.length > MAX_RESPONSE_BODY) return { ok: false, reason: 'network', message: `response body over ${MAX_RESPONSE_BODY} bytes` }
    const out = {}
    response.headers.forEach((value, name) => { out[name.toLowerCase()] = value })
    return { ok: true, status: response.status, headers: out, bodyBase64: bytes.toString('base64') }
  } catch (error) {
    const message = error?.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (error?.cause?.code ?? error?.cause?.message ?? error?.message ?? 'network error')
    logError(`http: ${message}`)
    return { ok: false, reason: 'network', message: String(message) }
  }
}

/** One request → one reply; never throws. */
export async function handle(message) {
  try {
    switch (message?.type) {
      case 'ping': return { ok: true, version: VERSION }
      case 'run': return await run(message.argv)
      case 'http': return await http(message)
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
  let pending = Buffer.alloc(0)
  let inFlight = 0
  let ended = false
  const maybeExit = () => {
    if (ended && inFlight === 0) process.exitCode = 0
  }
  process.stdin.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk])
    let decoded
    try {
      decoded = decodeMessages(pending)
    } catch (error) {
      logError(`bad message: ${error.message}`)
      process.exit(1)
    }
    pending = decoded.rest
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
