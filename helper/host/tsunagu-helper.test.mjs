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
import { decodeMessages, encodeMessage, MAX_REQUEST, MAX_RESPONSE_BODY, optionLike, VERSION } from './tsunagu-helper.mjs'

const HOST = fileURLToPath(new URL('./tsunagu-helper.mjs', import.meta.url))

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsunagu-helper-test-'))
const argvFile = path.join(dir, 'argv.jsonl')
// The allow-listed program (a space in its path, too): writes the argv it received, one JSON line per run.
const recorder = path.join(dir, 'record argv.mjs')
const config = path.join(dir, 'helper.json')
/** The phone's origin, the only page the test config admits (the extension reports it as `origin`). */
const PHONE = 'https://phone.example'
/** Filled in by the http tests: the origins `via: "helper"` may reach. */
const httpOrigins = []
const writeConfig = (extra = {}) =>
  writeFileSync(config, JSON.stringify({ origins: [PHONE], allow: [recorder], timeoutMs: 5000, http: { origins: httpOrigins }, ...extra }))

beforeAll(() => {
  writeFileSync(recorder, `#!${process.execPath}\nimport { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)) + '\\n')\nprocess.exit(Number(process.env.RECORD_EXIT ?? 0))\n`)
  chmodSync(recorder, 0o755)
  writeConfig()
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

/** One request as the extension relays it: with the sender's origin (the phone's, unless given). */
const one = async (message, env) => {
  const { replies, stderr } = await talk([encodeMessage({ origin: PHONE, ...message })], env)
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
    const ping = encodeMessage({ type: 'ping', origin: PHONE })
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

describe('who may use the helper', () => {
  it('tells the extension which origins it admits (the list the installer wrote)', async () => {
    const { replies } = await talk([encodeMessage({ type: 'policy' })])
    expect(replies).toEqual([{ ok: true, origins: [PHONE] }])
  })

  it.each([
    ['a page on another origin', 'https://evil.example'],
    ['the phone\'s host on another port', 'https://phone.example:8443'],
    ['no origin at all', undefined],
  ])('refuses ping, run and http from %s, runs nothing and names the origin in its log', async (_name, origin) => {
    rmSync(argvFile, { force: true })
    const messages = [
      { type: 'ping', origin },
      { type: 'run', origin, argv: [recorder, '0312345678'] },
      { type: 'http', origin, method: 'GET', url: 'http://127.0.0.1:9/', headers: {} },
    ]
    const { replies, stderr } = await talk(messages.map((message) => encodeMessage(message)))
    expect(replies).toEqual(messages.map(() => ({ ok: false, reason: 'origin-not-allowed' })))
    expect(recorded()).toEqual([])
    if (origin) expect(stderr).toContain(origin)
  })

  it('admits nobody without a config file', async () => {
    const env = { TSUNAGU_HELPER_CONFIG: path.join(dir, 'missing.json') }
    const { replies } = await talk([encodeMessage({ type: 'policy' }), encodeMessage({ type: 'ping', origin: PHONE })], env)
    expect(replies).toEqual([{ ok: true, origins: [] }, { ok: false, reason: 'origin-not-allowed' }])
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

  it('runs nothing without a config file', async () => {
    rmSync(argvFile, { force: true })
    const { reply } = await one({ type: 'run', argv: [recorder] }, { TSUNAGU_HELPER_CONFIG: path.join(dir, 'missing.json') })
    expect(reply).toEqual({ ok: false, reason: 'origin-not-allowed' })
    expect(recorded()).toEqual([])
  })

  it('rejects argv that is not a list of strings', async () => {
    const { reply } = await one({ type: 'run', argv: [recorder, 42] })
    expect(reply).toMatchObject({ ok: false, reason: 'failed' })
  })

  it('reports a listed program that does not exist as failed', async () => {
    const ghost = path.join(dir, 'ghost')
    const ghostConfig = path.join(dir, 'ghost.json')
    writeFileSync(ghostConfig, JSON.stringify({ origins: [PHONE], allow: [ghost] }))
    const { reply, stderr } = await one({ type: 'run', argv: [ghost, 'secret-tel'] }, { TSUNAGU_HELPER_CONFIG: ghostConfig })
    expect(reply).toEqual({ ok: false, reason: 'failed', message: 'ENOENT' })
    expect(stderr).not.toContain('secret-tel')
    expect(stderr).not.toContain(ghost)
  })
  // sip.js percent-decodes the caller's From user, so `{TEL}` can arrive as `--output=/tmp/x`.
  describe('caller values that look like options', () => {
    const withConfig = (allow) => {
      const file = path.join(dir, `options-${Math.random().toString(36).slice(2)}.json`)
      writeFileSync(file, JSON.stringify({ origins: [PHONE], allow }))
      return { TSUNAGU_HELPER_CONFIG: file }
    }

    it.each([
      ['marked as from a placeholder', [false, true]],
      ['sent without marks (every item counts as the caller\'s)', undefined],
      ['sent with marks that do not fit argv', [false]],
    ])('refuses `--output=/tmp/x` %s: the program never starts', async (_name, fromPlaceholder) => {
      rmSync(argvFile, { force: true })
      const { reply } = await one({ type: 'run', argv: [recorder, '--output=/tmp/x'], ...(fromPlaceholder ? { fromPlaceholder } : {}) })
      expect(reply).toEqual({ ok: false, reason: 'not-allowed', message: 'argument 1 comes from a placeholder and looks like an option' })
      expect(recorded()).toEqual([])
    })

    it('passes the template\'s own options and a caller value inside one (`--tel={TEL}`)', async () => {
      rmSync(argvFile, { force: true })
      const argv = [recorder, '--verbose', '--tel=--output=/tmp/x', '0312345678']
      const { reply } = await one({ type: 'run', argv, fromPlaceholder: [false, false, false, true] })
      expect(reply).toEqual({ ok: true, exitCode: 0 })
      expect(recorded()).toEqual([argv.slice(1)])
    })

    it('passes an option-like caller value where the entry allows options, and only there', async () => {
      const env = withConfig([{ program: recorder, args: [{ pattern: '-.*', options: true }, '.*'] }])
      rmSync(argvFile, { force: true })
      const allowed = await one({ type: 'run', argv: [recorder, '-x', '03'], fromPlaceholder: [false, true, true] }, env)
      expect(allowed.reply).toEqual({ ok: true, exitCode: 0 })
      const refused = await one({ type: 'run', argv: [recorder, '-x', '-y'], fromPlaceholder: [false, true, true] }, env)
      expect(refused.reply).toEqual({ ok: false, reason: 'not-allowed', message: 'argument 2 comes from a placeholder and looks like an option' })
      expect(recorded()).toEqual([['-x', '03']])
    })

    it('constrains each argument with its entry\'s pattern (whole value, exact count)', async () => {
      const env = withConfig([{ program: recorder, args: ['[0-9+*#]{1,20}', '.*'] }])
      rmSync(argvFile, { force: true })
      expect((await one({ type: 'run', argv: [recorder, '0312345678', '山田 太郎'], fromPlaceholder: [false, true, true] }, env)).reply).toEqual({ ok: true, exitCode: 0 })
      expect((await one({ type: 'run', argv: [recorder, '03x', 'y'], fromPlaceholder: [false, true, true] }, env)).reply)
        .toEqual({ ok: false, reason: 'not-allowed', message: 'argument 1 does not match its pattern' })
      expect((await one({ type: 'run', argv: [recorder, '03'], fromPlaceholder: [false, true] }, env)).reply)
        .toEqual({ ok: false, reason: 'not-allowed', message: 'the allow-list entry expects 2 arguments, not 1' })
      expect(recorded()).toEqual([['0312345678', '山田 太郎']])
    })

    it('leaves out an entry whose pattern is broken (and says so), so it allows nothing', async () => {
      const env = withConfig([{ program: recorder, args: ['(['] }])
      const { reply, stderr } = await one({ type: 'run', argv: [recorder, '03'], fromPlaceholder: [false, true] }, env)
      expect(reply).toEqual({ ok: false, reason: 'not-allowed', message: 'the program is not on the allow-list' })
      expect(stderr).toContain('not a valid regular expression')
    })

    it.each([
      ['-x', 'linux', true], ['--output=/tmp/x', 'linux', true], ['/out:x', 'linux', false], ['0312345678', 'linux', false],
      ['/out:x', 'win32', true], ['-x', 'win32', true], ['山田', 'win32', false],
    ])('counts %s as an option on %s: %s', (value, platform, expected) => {
      expect(optionLike(value, platform)).toBe(expected)
    })
  })
})

describe('recording upload (via: "helper")', () => {
  let server
  let base
  const uploads = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks = []
      req.on('data', (chunk) => chunks.push(chunk))
      req.on('end', () => {
        uploads.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) })
        res.writeHead(201, { 'Content-Type': 'text/plain' })
        res.end('stored')
      })
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${server.address().port}`
    httpOrigins.push(base)
    writeConfig()
  })
  afterAll(() => new Promise((r) => server.close(r)))

  /** The page's multipart/form-data (as src/cti/multipart.ts builds it), with a binary "WebM" of `size` bytes. */
  function multipart(size) {
    const boundary = '----tsunagu12345678901234567890'
    const audio = Buffer.alloc(size)
    for (let i = 0; i < size; i += 1) audio[i] = (i * 7 + (i >> 8)) & 0xff
    audio.set([0x1a, 0x45, 0xdf, 0xa3], 0)
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="tel"\r\n\r\n0312345678\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="call-1.webm"\r\nContent-Type: audio/webm;codecs=opus\r\n\r\n`),
      audio,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    return { body, contentType: `multipart/form-data; boundary=${boundary}` }
  }

  it('posts a 5 MB multipart body sent as base64 byte for byte, arriving in many stdin chunks, and answers with the CRM\'s status', async () => {
    const { body, contentType } = multipart(5 * 1024 * 1024)
    const message = encodeMessage({ origin: PHONE, type: 'http', method: 'POST', url: `${base}/recordings?id=call-1`, headers: { 'content-type': contentType }, bodyBase64: body.toString('base64') })
    expect(message.length).toBeGreaterThan(1024 * 1024) // past the 1 MiB the host → browser direction allows
    const pieces = []
    for (let i = 0; i < message.length; i += 1024 * 1024) pieces.push(message.subarray(i, i + 1024 * 1024))
    const { replies, stderr } = await talk(pieces)
    expect(replies).toEqual([expect.objectContaining({ ok: true, status: 201 })])
    expect(uploads).toHaveLength(1)
    expect(uploads[0]).toMatchObject({ method: 'POST', url: '/recordings?id=call-1', type: contentType })
    expect(uploads[0].body.equals(body)).toBe(true)
    expect(stderr).toBe('')
  }, 30_000)

  it('refuses a request over its limit whole, sending nothing', async () => {
    const header = Buffer.alloc(4)
    header.writeUInt32LE(MAX_REQUEST + 1, 0)
    const before = uploads.length
    const { replies, stderr, code } = await talk([header])
    expect(replies).toEqual([])
    expect(code).toBe(1)
    expect(stderr).toContain('message too large')
    expect(uploads).toHaveLength(before)
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
    httpOrigins.push(base)
    writeConfig()
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
    writeConfig({ http: { origins: [...httpOrigins, `http://127.0.0.1:${port}`] } })
    const { reply, stderr } = await one({ type: 'http', method: 'GET', url: `http://127.0.0.1:${port}/search?tel=0312345678&sid=SECRET`, headers: {} })
    expect(reply).toMatchObject({ ok: false, reason: 'network', message: 'ECONNREFUSED' })
    expect(stderr).not.toContain('SECRET')
    expect(stderr).not.toContain('0312345678')
  })
})

/** A loopback server that records what reaches it; `handler` answers. */
async function recordingServer(handler) {
  const requests = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers })
    handler(req, res)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const origin = `http://127.0.0.1:${server.address().port}`
  return { server, origin, requests, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }) }
}

describe('http: what the helper refuses to fetch', () => {
  it('refuses an origin not on its http list (another port of the same host, too): nothing is sent', async () => {
    const other = await recordingServer((_req, res) => res.end('intranet page'))
    try {
      writeConfig({ http: { origins: ['http://127.0.0.1:9'] } })
      const { reply } = await one({ type: 'http', method: 'GET', url: `${other.origin}/admin`, headers: {} })
      expect(reply).toEqual({ ok: false, reason: 'not-allowed', message: "the URL's origin is not on the helper's http allow-list" })
      expect(other.requests).toEqual([])
    } finally {
      await other.close()
      writeConfig()
    }
  })

  it('refuses to follow a redirect off its list (an allowed CRM cannot bounce it to a metadata service)', async () => {
    const metadata = await recordingServer((_req, res) => res.end('{"secret":"x"}'))
    const crm = await recordingServer((_req, res) => { res.writeHead(302, { Location: `${metadata.origin}/latest/meta-data/` }); res.end() })
    try {
      writeConfig({ http: { origins: [crm.origin] } })
      const { reply } = await one({ type: 'http', method: 'GET', url: `${crm.origin}/search`, headers: {} })
      expect(reply).toEqual({ ok: false, reason: 'not-allowed', message: "a redirect left the helper's http allow-list" })
      expect(crm.requests).toHaveLength(1)
      expect(metadata.requests).toEqual([])
    } finally {
      await crm.close()
      await metadata.close()
      writeConfig()
    }
  })

  it('follows a redirect within its list', async () => {
    const crm = await recordingServer((req, res) => {
      if (req.url === '/old') { res.writeHead(303, { Location: '/new' }); res.end() } else res.end('moved here')
    })
    try {
      writeConfig({ http: { origins: [crm.origin] } })
      const { reply } = await one({ type: 'http', method: 'POST', url: `${crm.origin}/old`, headers: { 'content-type': 'text/plain' }, body: 'x' })
      expect(reply).toMatchObject({ ok: true, status: 200 })
      expect(Buffer.from(reply.bodyBase64, 'base64').toString()).toBe('moved here')
      expect(crm.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /old', 'GET /new'])
    } finally {
      await crm.close()
      writeConfig()
    }
  })

  it('strips Host, cookies, Authorization, hop-by-hop, Proxy-* and cloud-metadata headers; keeps the rest', async () => {
    const crm = await recordingServer((_req, res) => res.end('ok'))
    try {
      writeConfig({ http: { origins: [crm.origin] } })
      const denied = {
        Host: 'metadata.google.internal', Cookie: 'sid=stolen', COOKIE2: 'x=1', Authorization: 'Bearer stolen',
        Connection: 'x-smuggle', 'Keep-Alive': 'timeout=999', TE: 'trailers', Trailer: 'X-Late', 'Transfer-Encoding': 'chunked',
        Upgrade: 'h2c', 'Content-Length': '5', Expect: '100-continue', 'Proxy-Authorization': 'Basic c3RvbGVu', 'Proxy-Connection': 'keep-alive',
        Metadata: 'true', 'Metadata-Flavor': 'Google', 'X-Google-Metadata-Request': 'True',
        'X-aws-ec2-metadata-token': 'AQAEAtoken', 'X-aws-ec2-metadata-token-ttl-seconds': '21600',
      }
      const { reply } = await one({ type: 'http', method: 'GET', url: `${crm.origin}/search`, headers: { ...denied, 'x-crm-key': 'kept', accept: 'text/plain' } })
      expect(reply).toMatchObject({ ok: true, status: 200 })
      const seen = crm.requests[0].headers
      expect(seen['x-crm-key']).toBe('kept')
      expect(seen.accept).toBe('text/plain')
      // Node's own client sets Host and Connection for the real connection; none of our values got through.
      expect(seen.host).toBe(new URL(crm.origin).host)
      expect(seen.connection).not.toBe('x-smuggle')
      for (const name of Object.keys(denied).map((n) => n.toLowerCase()).filter((n) => n !== 'host' && n !== 'connection'))
        expect(seen[name], name).toBeUndefined()
    } finally {
      await crm.close()
      writeConfig()
    }
  })

  it('stops reading a body that never ends at the cap: a clear error, the connection closed, bounded bytes read', async () => {
    let written = 0
    let closed = false
    const endless = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      // Writes only as fast as the client reads (backpressure), so `written` shows how much the host took.
      const pump = () => {
        while (!closed && res.write(chunk)) written += chunk.length
        if (!closed) { written += chunk.length; res.once('drain', pump) }
      }
      res.on('close', () => { closed = true })
      pump()
    })
    try {
      writeConfig({ http: { origins: [endless.origin] } })
      const { reply } = await one({ type: 'http', method: 'GET', url: `${endless.origin}/export.csv`, headers: {}, timeoutMs: 20_000 })
      expect(reply).toEqual({ ok: false, reason: 'network', message: `response body over ${MAX_RESPONSE_BODY} bytes` })
      await expect.poll(() => closed).toBe(true)
      // The cap plus what socket buffers hold; an unbounded read would have run on to the timeout.
      expect(written).toBeLessThan(MAX_RESPONSE_BODY + 16 * 1024 * 1024)
    } finally {
      closed = true
      await endless.close()
      writeConfig()
    }
  })

  it('refuses a body that announces more than the cap without reading it', async () => {
    const huge = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(2 * 1024 * 1024 * 1024) })
      res.write('x')
    })
    try {
      writeConfig({ http: { origins: [huge.origin] } })
      const { reply } = await one({ type: 'http', method: 'GET', url: `${huge.origin}/`, headers: {} })
      expect(reply).toEqual({ ok: false, reason: 'network', message: `response body over ${MAX_RESPONSE_BODY} bytes` })
    } finally {
      await huge.close()
      writeConfig()
    }
  })

  it("gives up after the access's own timeout", async () => {
    const silent = await recordingServer(() => {})
    try {
      writeConfig({ http: { origins: [silent.origin] } })
      const started = Date.now()
      const { reply } = await one({ type: 'http', method: 'GET', url: `${silent.origin}/`, headers: {}, timeoutMs: 400 })
      expect(reply).toEqual({ ok: false, reason: 'network', message: 'timed out after 400 ms' })
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await silent.close()
      writeConfig()
    }
  })
})
