// The extension's service worker in a fake `chrome`: what it relays to the native host, and
// what it refuses before the host hears of the request at all. (e2e/helper.spec.ts runs the
// same worker in Chromium with the real host.)
import { readFileSync } from 'node:fs'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'

const SOURCE = readFileSync(new URL('./service-worker.js', import.meta.url), 'utf8')
const PHONE = 'https://phone.example'

/**
 * Loads the worker with a fake host that lists `origins` and answers every other request `ok`.
 * @returns {{ send: (message: unknown, sender: object) => Promise<unknown>, toHost: unknown[], startUp: () => Promise<void> }}
 */
function worker({ origins = [PHONE], hostMissing = false } = {}) {
  const toHost = []
  const tabUpdates = []
  const listeners = {}
  const session = {}
  const event = (name) => ({ addListener: (listener) => { listeners[name] = listener } })
  const chrome = {
    runtime: {
      lastError: undefined,
      onMessageExternal: event('message'),
      onStartup: event('startup'),
      onInstalled: event('installed'),
      sendNativeMessage(host, message, callback) {
        toHost.push(message)
        setTimeout(() => {
          if (hostMissing) {
            chrome.runtime.lastError = { message: 'Specified native messaging host not found.' }
            callback(undefined)
            chrome.runtime.lastError = undefined
          } else callback(message.type === 'policy' ? { ok: true, origins } : { ok: true, echo: message })
        }, 1)
      },
    },
    tabs: {
      update: async (tabId, properties) => { tabUpdates.push([tabId, properties]) },
    },
    storage: {
      session: {
        get: async (key) => (key in session ? { [key]: session[key] } : {}),
        set: async (items) => { Object.assign(session, items) },
      },
    },
  }
  vm.runInNewContext(SOURCE, { chrome, globalThis: { chrome }, URL, setTimeout, Promise })
  return {
    toHost,
    tabUpdates,
    send: (message, sender) => new Promise((resolve) => {
      const keepOpen = listeners.message(message, sender, resolve)
      expect(keepOpen).toBe(true)
    }),
    startUp: async () => {
      listeners.installed()
      await new Promise((r) => setTimeout(r, 10))
    },
  }
}

describe('the extension admits only the origins the host lists', () => {
  it('relays a message from the phone, with the sender\'s origin as Chromium reported it', async () => {
    const w = worker()
    const reply = await w.send({ type: 'run', argv: ['/usr/local/bin/crm-open', '03'], fromPlaceholder: [false, true], extra: 'dropped' }, { origin: PHONE, url: `${PHONE}/index.html` })
    expect(reply).toEqual({ ok: true, echo: { type: 'run', origin: PHONE, argv: ['/usr/local/bin/crm-open', '03'], fromPlaceholder: [false, true] } })
    expect(w.toHost).toEqual([{ type: 'policy' }, { type: 'run', origin: PHONE, argv: ['/usr/local/bin/crm-open', '03'], fromPlaceholder: [false, true] }])
  })

  it.each([
    ['another site', { origin: 'https://evil.example', url: 'https://evil.example/' }],
    ['the phone\'s host on another port', { origin: 'https://phone.example:8443', url: 'https://phone.example:8443/' }],
    ['an opaque (sandboxed) origin', { origin: 'null', url: 'https://phone.example/' }],
    ['another extension', { id: 'abcdefghijklmnopabcdefghijklmnop', origin: PHONE, url: `${PHONE}/` }],
  ])('refuses %s before relaying anything but the question for the list', async (_name, sender) => {
    const w = worker()
    for (const message of [{ type: 'ping' }, { type: 'run', argv: ['/usr/local/bin/crm-open', '--output=/tmp/x'] }, { type: 'http', method: 'GET', url: 'http://169.254.169.254/', headers: {} }])
      expect(await w.send(message, sender)).toEqual({ ok: false, reason: 'origin-not-allowed' })
    expect(w.toHost.every((message) => message.type === 'policy')).toBe(true)
  })

  it('relays a recording upload\'s bytes as base64 (the multipart body), and a text body over them when both come', async () => {
    const w = worker()
    const upload = { type: 'http', method: 'POST', url: 'http://127.0.0.1:8090/recordings?id=1', headers: { 'content-type': 'multipart/form-data; boundary=x' }, bodyBase64: 'GkXfow==', timeoutMs: 10000 }
    expect(await w.send(upload, { origin: PHONE })).toEqual({ ok: true, echo: { ...upload, origin: PHONE } })
    const both = await w.send({ ...upload, body: 'text' }, { origin: PHONE })
    expect(both.echo).toEqual({ type: 'http', origin: PHONE, method: 'POST', url: upload.url, headers: upload.headers, body: 'text', timeoutMs: 10000 })
  })

  it('falls back to sender.url when Chromium gives no origin', async () => {
    const w = worker()
    expect(await w.send({ type: 'ping' }, { url: `${PHONE}/app/` })).toEqual({ ok: true, echo: { type: 'ping', origin: PHONE } })
  })

  it('asks the host at start-up, so the phone\'s first message costs one host start', async () => {
    const w = worker()
    await w.startUp()
    expect(w.toHost).toEqual([{ type: 'policy' }])
    await w.send({ type: 'ping' }, { origin: PHONE })
    expect(w.toHost).toEqual([{ type: 'policy' }, { type: 'ping', origin: PHONE }])
  })

  it('admits nobody when the host does not answer the question (missing or too old)', async () => {
    expect(await worker({ hostMissing: true }).send({ type: 'ping' }, { origin: PHONE })).toEqual({ ok: false, reason: 'host-not-installed' })
  })

  it('refuses a malformed request from the phone as bad-request', async () => {
    expect(await worker().send({ type: 'run', argv: 'rm -rf ~' }, { origin: PHONE })).toEqual({ ok: false, reason: 'bad-request' })
  })
})

describe('the phone\'s tab is kept from being discarded', () => {
  it('an admitted page\'s tab is marked autoDiscardable: false at its first message (the ping at load)', async () => {
    const w = worker()
    await w.send({ type: 'ping' }, { origin: PHONE, tab: { id: 7 } })
    expect(w.tabUpdates).toEqual([[7, { autoDiscardable: false }]])
  })

  it('a page the host does not list is not touched', async () => {
    const w = worker()
    await w.send({ type: 'ping' }, { origin: 'https://evil.example', tab: { id: 8 } })
    expect(w.tabUpdates).toEqual([])
  })
})
