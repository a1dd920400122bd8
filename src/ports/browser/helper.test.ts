import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { HttpRequest } from '@/cti'
import { browserCtiPorts } from './cti'
import { detectHelper, HELPER_EXTENSION_ID } from './helper'
import { helperHttp, MAX_HELPER_BODY_BYTES, runCommand } from './helper-commands'

type Reply = unknown | ((message: { type: string }) => unknown)

/** A stand-in for `chrome.runtime` as a page sees it when the extension lists its origin. */
function fakeExtension(reply: Reply, options: { lastError?: string; delayMs?: number } = {}) {
  const sent: unknown[] = []
  const runtime = {
    lastError: undefined as { message: string } | undefined,
    sendMessage(id: string, message: { type: string }, callback: (response: unknown) => void) {
      sent.push({ id, message })
      setTimeout(() => {
        runtime.lastError = options.lastError ? { message: options.lastError } : undefined
        callback(options.lastError ? undefined : typeof reply === 'function' ? reply(message) : reply)
        runtime.lastError = undefined
      }, options.delayMs ?? 0)
    },
  }
  vi.stubGlobal('chrome', { runtime })
  return sent
}

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url: 'http://crm.test/search?tel=03', credentials: 'omit', signal: new AbortController().signal, maxBodyBytes: 1024 * 1024, ...overrides }
}

afterEach(() => vi.unstubAllGlobals())

describe('the helper extension id', () => {
  it('is the one Chromium derives from the key in helper/extension/manifest.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../helper/extension/manifest.json', import.meta.url), 'utf8')) as { key: string }
    const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32)
    expect(HELPER_EXTENSION_ID).toBe(hex.replace(/./g, (d) => String.fromCharCode(97 + parseInt(d, 16))))
  })
})

describe('detectHelper', () => {
  it('is undefined without chrome.runtime (no extension lists the page)', async () => {
    await expect(detectHelper()).resolves.toBeUndefined()
  })

  it('returns the host version when the ping is answered', async () => {
    const sent = fakeExtension({ ok: true, version: '0.1.0' })
    await expect(detectHelper()).resolves.toEqual({ version: '0.1.0' })
    expect(sent).toEqual([{ id: HELPER_EXTENSION_ID, message: { type: 'ping' } }])
  })

  it.each([
    ['the host is not installed', { ok: false, reason: 'host-not-installed' }, {}],
    ['the extension is not there', undefined, { lastError: 'Could not establish connection. Receiving end does not exist.' }],
  ])('is undefined when %s', async (_name, reply, options) => {
    fakeExtension(reply, options)
    await expect(detectHelper()).resolves.toBeUndefined()
  })

  it('tells a helper that refuses this page apart from a missing one', async () => {
    fakeExtension({ ok: false, reason: 'origin-not-allowed' })
    await expect(detectHelper()).resolves.toEqual({ refused: 'origin-not-allowed' })
  })

  it('gives up after the timeout', async () => {
    fakeExtension({ ok: true, version: '0.1.0' }, { delayMs: 200 })
    await expect(detectHelper(HELPER_EXTENSION_ID, 20)).resolves.toBeUndefined()
  })
})

describe('runCommand', () => {
  it.each([
    [{ ok: true, exitCode: 2 }, { ok: true, exitCode: 2 }],
    [{ ok: false, reason: 'not-allowed', message: 'the program is not on the allow-list' }, { ok: false, reason: 'not-allowed', message: 'the program is not on the allow-list' }],
    [{ ok: false, reason: 'failed', message: 'ENOENT' }, { ok: false, reason: 'failed', message: 'ENOENT' }],
    [{ ok: false, reason: 'host-not-installed' }, { ok: false, reason: 'helper-not-installed' }],
  ])('maps the reply %j', async (reply, expected) => {
    const sent = fakeExtension(reply)
    await expect(runCommand(['/usr/local/bin/crm-open', '0312345678', '山田 太郎'])).resolves.toEqual(expected)
    expect(sent).toEqual([{ id: HELPER_EXTENSION_ID, message: { type: 'run', argv: ['/usr/local/bin/crm-open', '0312345678', '山田 太郎'] } }])
  })

  it('is helper-not-installed without the extension', async () => {
    await expect(runCommand(['/x'])).resolves.toEqual({ ok: false, reason: 'helper-not-installed' })
  })

  it('sends which items came from a placeholder, so the host can refuse option-like caller values', async () => {
    const sent = fakeExtension({ ok: true, exitCode: 0 })
    await runCommand(['/usr/local/bin/crm-open', '--tel=03', '--output=/tmp/x'], [false, false, true])
    expect(sent).toEqual([{ id: HELPER_EXTENSION_ID, message: { type: 'run', argv: ['/usr/local/bin/crm-open', '--tel=03', '--output=/tmp/x'], fromPlaceholder: [false, false, true] } }])
  })

  it('reports a page the helper does not admit as not-allowed, saying why', async () => {
    fakeExtension({ ok: false, reason: 'origin-not-allowed' })
    await expect(runCommand(['/x'])).resolves.toEqual({ ok: false, reason: 'not-allowed', message: "this page's origin is not on the helper's list" })
  })
})

describe('helperHttp', () => {
  it('sends the request and decodes the base64 body to bytes', async () => {
    const sent = fakeExtension({ ok: true, status: 200, headers: { 'content-type': 'text/plain' }, bodyBase64: Buffer.from([0x8e, 0x52, 0, 0xff]).toString('base64') })
    const response = await helperHttp(request({ method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))
    expect(response).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, body: new Uint8Array([0x8e, 0x52, 0, 0xff]) })
    expect(sent[0]).toMatchObject({ message: { type: 'http', method: 'POST', url: 'http://crm.test/search?tel=03', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } } })
  })

  it('sends a body of bytes (the recording\'s multipart upload) as base64, every byte value intact, also past 100 KB', async () => {
    const sent = fakeExtension({ ok: true, status: 201, headers: {}, bodyBase64: '' })
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff)
    await helperHttp(request({ method: 'POST', body: bytes, headers: { 'content-type': 'multipart/form-data; boundary=b' } }))
    const { message } = sent[0] as { message: { body?: unknown; bodyBase64: string } }
    expect(message.body).toBeUndefined()
    expect(Buffer.from(message.bodyBase64, 'base64').equals(Buffer.from(bytes))).toBe(true)
  })

  it('refuses a body past what one message to the extension carries, before encoding or sending it', async () => {
    const sent = fakeExtension({ ok: true, status: 201, headers: {}, bodyBase64: '' })
    await expect(helperHttp(request({ method: 'POST', body: new Uint8Array(MAX_HELPER_BODY_BYTES + 1) }))).rejects.toMatchObject({ name: 'UploadTooLargeError', bytes: MAX_HELPER_BODY_BYTES + 1, limit: MAX_HELPER_BODY_BYTES, message: 'the body is 47.0 MB; the helper carries at most 47 MB' })
    expect(sent).toEqual([])
  })

  it("gives the host the access's own timeout", async () => {
    const sent = fakeExtension({ ok: true, status: 200, headers: {}, bodyBase64: '' })
    await helperHttp(request({ timeoutMs: 5000 }))
    expect(sent[0]).toMatchObject({ message: { type: 'http', timeoutMs: 5000 } })
  })

  it('rejects on a host failure', async () => {
    fakeExtension({ ok: false, reason: 'network', message: 'ECONNREFUSED' })
    await expect(helperHttp(request())).rejects.toThrow('ECONNREFUSED')
  })

  it('rejects as soon as the signal aborts', async () => {
    fakeExtension({ ok: true, status: 200, headers: {}, bodyBase64: '' }, { delayMs: 500 })
    const controller = new AbortController()
    const pending = helperHttp(request({ signal: controller.signal }))
    controller.abort(new Error('timeout'))
    await expect(pending).rejects.toThrow('timeout')
  })
})

describe('browserCtiPorts', () => {
  it('sends nothing but the ping until the helper answered it; a command issued meanwhile waits, then goes out', async () => {
    // The extension holds the ping's answer until the test releases it.
    const sent: { type: string }[] = []
    let answerPing: (() => void) | undefined
    vi.stubGlobal('chrome', {
      runtime: {
        lastError: undefined,
        sendMessage(_id: string, message: { type: string }, callback: (response: unknown) => void) {
          sent.push(message)
          if (message.type === 'ping') answerPing = () => callback({ ok: true, version: '0.1.0' })
          else setTimeout(() => callback({ ok: true, exitCode: 0 }), 0)
        },
      },
    })
    vi.useFakeTimers()
    onTestFinished(() => { vi.useRealTimers() })
    const ports = browserCtiPorts()
    let settled = false
    const result = ports.runCommand?.(['/x'])
    void result?.then(() => { settled = true })
    // Time for a command that did not wait to reach the extension and be answered (not for the ping's 3 s timeout).
    await vi.advanceTimersByTimeAsync(100)
    expect(sent.map(({ type }) => type)).toEqual(['ping'])
    expect(settled).toBe(false)

    answerPing?.()
    await vi.advanceTimersByTimeAsync(0)
    await expect(result).resolves.toEqual({ ok: true, exitCode: 0 })
    expect(sent.map(({ type }) => type)).toEqual(['ping', 'run'])
    const again = ports.runCommand?.(['/y'])
    await vi.advanceTimersByTimeAsync(0)
    await expect(again).resolves.toEqual({ ok: true, exitCode: 0 })
    expect(ports.helperHttp).toBeDefined()
  })

  it('reports every access as refused, saying why, when the helper does not admit this page', async () => {
    const sent = fakeExtension({ ok: false, reason: 'origin-not-allowed' })
    const ports = browserCtiPorts()
    await expect(ports.runCommand?.(['/x'])).resolves.toEqual({ ok: false, reason: 'not-allowed', message: "this page's origin is not on the helper's list" })
    await expect(ports.helperHttp?.(request())).rejects.toThrow("helper: this page's origin is not on the helper's list")
    // Only the ping went out.
    expect(sent).toHaveLength(1)
  })

  it('leaves them out when the host is missing, so the engine reports helper-not-installed', async () => {
    fakeExtension({ ok: false, reason: 'host-not-installed' })
    const ports = browserCtiPorts()
    // While the ping is out, a command waits for it and then reports the missing helper.
    await expect(ports.runCommand?.(['/x'])).resolves.toEqual({ ok: false, reason: 'helper-not-installed' })
    expect(ports.runCommand).toBeUndefined()
    expect(ports.helperHttp).toBeUndefined()
  })
})
