// The native host as Chromium sees it: a child process speaking length-prefixed JSON on
// stdin/stdout. Each test starts the real program with its own allow-list.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { decodeMessages, encodeMessage, VERSION } from './tsunagu-helper.mjs'

const HOST = fileURLToPath(new URL('./tsunagu-helper.mjs', import.meta.url))

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsunagu-helper-test-'))
const argvFile = path.join(dir, 'argv.jsonl')
// The allow-listed program (a space in its path, too): writes the argv it received, one JSON line per run.
const recorder = path.join(dir, 'record argv.mjs')
const config = path.join(dir, 'helper.json')

beforeAll(() => {
  writeFileSync(recorder, `#!${process.execPath}\nimport { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)) + '\\n')\nprocess.exit(Number(process.env.RECORD_EXIT ?? 0))\n`)
  chmodSync(recorder, 0o755)
  writeFileSync(config, JSON.stringify({ allow: [recorder], timeoutMs: 5000 }))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Starts the host, writes `chunks` (Buffers) to its stdin, closes it, and collects the replies.
 * @returns {Promise<{ replies: unknown[], stderr: string, code: number | null }>}
 */
function talk(chunks, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(HOST, ['chrome-extension://mblpgokejkkafbpicbigojlbkkjpggmi/'], {
      env: { ...process.env, TSUNAGU_HELPER_CONFIG: config, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out = []
    let stderr = ''
    child.stdout.on('data', (chunk) => out.push(chunk))
    child.stderr.on('data', (chunk) => { stderr += chunk })
    child.on('error', reject)
    child.on('close', (code) => {
      const { messages, rest } = decodeMessages(Buffer.concat(out))
      if (rest.length > 0) reject(new Error(`stray bytes on stdout: ${rest.toString()}`))
      else resolve({ replies: messages, stderr, code })
    })
    void (async () => {
      for (const chunk of chunks) {
        child.stdin.write(chunk)
        await new Promise((r) => setTimeout(r, 20))
      }
      child.stdin.end()
    })()
  })
}

const one = async (message, env) => {
  const { replies, stderr } = await talk([encodeMessage(message)], env)
  expect(replies).toHaveLength(1)
  return { reply: replies[0], stderr }
}

function recorded() {
  if (!existsSync(argvFile)) return []
  return readFileSync(argvFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
}

describe('framing', () => {
  it('answers a ping with its version (the package version)', async () => {
    expect(VERSION).toBe(pkg.version)
    const { reply } = await one({ type: 'ping' })
    expect(reply).toEqual({ ok: true, version: pkg.version })
  })

  it('reads messages split across writes and several in one write, answering each', async () => {
    const ping = encodeMessage({ type: 'ping' })
    const two = Buffer.concat([ping, encodeMessage({ type: 'nonsense' })])
    const { replies, code } = await talk([ping.subarray(0, 2), ping.subarray(2, 7), ping.subarray(7), two])
    expect(code).toBe(0)
    expect(replies).toEqual([
      { ok: true, version: VERSION },
      { ok: true, version: VERSION },
      { ok: false, reason: 'failed', message: 'unknown request type' },
    ])
  })

  it('encodes UTF-8 JSON with a little-endian byte length', () => {
    const frame = encodeMessage({ name: '山田' })
    expect(frame.readUInt32LE(0)).toBe(Buffer.byteLength('{"name":"山田"}'))
    expect(decodeMessages(frame)).toEqual({ messages: [{ name: '山田' }], rest: Buffer.alloc(0) })
  })
})

describe('run', () => {
  it('passes hostile, spaced and Japanese arguments as separate literal argv items, never through a shell', async () => {
    rmSync(argvFile, { force: true })
    const argv = [recorder, '0312345678', '"; rm -rf ~', '$(touch /tmp/pwned)', 'a b  c', '山田 太郎', '', "it's `x` | y > z"]
    const { reply, stderr } = await one({ type: 'run', argv })
    expect(reply).toEqual({ ok: true, exitCode: 0 })
    expect(recorded()).toEqual([argv.slice(1)])
    // Nothing of the argv reaches the log.
    expect(stderr).toBe('')
  })

  it('reports the exit code', async () => {
    const { reply } = await one({ type: 'run', argv: [recorder] }, { RECORD_EXIT: '3' })
    expect(reply).toEqual({ ok: true, exitCode: 3 })
  })

  it.each([
    ['a program not on the list', ['/bin/echo', 'x']],
    ['the listed program by another spelling', [`${path.dirname(recorder)}/./${path.basename(recorder)}`]],
    ['a bare name', ['sh', '-c', 'echo hi']],
  ])('refuses %s', async (_name, argv) => {
    rmSync(argvFile, { force: true })
    const { reply } = await one({ type: 'run', argv })
    expect(reply).toMatchObject({ ok: false, reason: 'not-allowed' })
    expect(recorded()).toEqual([])
  })

  it('allows nothing without an allow-list file', async () => {
    const { reply } = await one({ type: 'run', argv: [recorder] }, { TSUNAGU_HELPER_CONFIG: path.join(dir, 'missing.json') })
    expect(reply).toEqual({ ok: false, reason: 'not-allowed', message: 'no allow-list file' })
  })

  it('rejects argv that is not a list of strings', async () => {
    const { reply } = await one({ type: 'run', argv: [recorder, 42] })
    expect(reply).toMatchObject({ ok: false, reason: 'failed' })
  })

  it('reports a listed program that does not exist as failed', async () => {
    const ghost = path.join(dir, 'ghost')
    const ghostConfig = path.join(dir, 'ghost.json')
    writeFileSync(ghostConfig, JSON.stringify({ allow: [ghost] }))
    const { reply, stderr } = await one({ type: 'run', argv: [ghost, 'secret-tel'] }, { TSUNAGU_HELPER_CONFIG: ghostConfig })
    expect(reply).toEqual({ ok: false, reason: 'failed', message: 'ENOENT' })
    expect(stderr).not.toContain('secret-tel')
    expect(stderr).not.toContain(ghost)
  })
})

describe('http', () => {
  let server
  let base
  const seen = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => { body += chunk })
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, type: req.headers['content-type'] })
        res.writeHead(req.url.startsWith('/missing') ? 404 : 200, { 'Content-Type': 'text/plain; charset=Shift_JIS', 'X-Crm': 'demo' })
        res.end(Buffer.from([0x8e, 0x52, 0x93, 0x63, 0x0d, 0x0a, 0x00, 0xff]))
      })
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${server.address().port}`
  })
  afterAll(() => new Promise((r) => server.close(r)))

  it('sends a POST byte for byte and returns status, lowercase headers and the body as base64', async () => {
    const { reply, stderr } = await one({
      type: 'http', method: 'POST', url: `${base}/event?tel=0312345678`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=%E5%B1%B1%E7%94%B0&pw=secret',
    })
    expect(reply).toMatchObject({ ok: true, status: 200, headers: { 'content-type': 'text/plain; charset=Shift_JIS', 'x-crm': 'demo' } })
    expect(Buffer.from(reply.bodyBase64, 'base64')).toEqual(Buffer.from([0x8e, 0x52, 0x93, 0x63, 0x0d, 0x0a, 0x00, 0xff]))
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/event?tel=0312345678', body: 'name=%E5%B1%B1%E7%94%B0&pw=secret', type: 'application/x-www-form-urlencoded' })
    expect(stderr).toBe('')
  })

  it('returns 4xx as a response, not a failure', async () => {
    const { reply } = await one({ type: 'http', method: 'GET', url: `${base}/missing`, headers: {} })
    expect(reply).toMatchObject({ ok: true, status: 404 })
  })

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/x', 'not a url'])('refuses %s', async (url) => {
    const { reply } = await one({ type: 'http', method: 'GET', url, headers: {} })
    expect(reply).toMatchObject({ ok: false, reason: 'network' })
  })

  it('reports a refused connection as network, without the URL in the log', async () => {
    const closed = createServer()
    await new Promise((r) => closed.listen(0, '127.0.0.1', r))
    const port = closed.address().port
    await new Promise((r) => closed.close(r))
    const { reply, stderr } = await one({ type: 'http', method: 'GET', url: `http://127.0.0.1:${port}/search?tel=0312345678&sid=SECRET`, headers: {} })
    expect(reply).toMatchObject({ ok: false, reason: 'network', message: 'ECONNREFUSED' })
    expect(stderr).not.toContain('SECRET')
    expect(stderr).not.toContain('0312345678')
  })
})
