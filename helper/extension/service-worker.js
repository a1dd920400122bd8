// Tsunagu helper — the extension half. A page listed in manifest.json's
// `externally_connectable.matches` sends `{ type: 'ping' | 'run' | 'http', ... }` with
// `chrome.runtime.sendMessage(EXTENSION_ID, message, reply)`; this worker checks the shape and
// relays it to the native host `jp.tsunagu.helper`, which does the work (and owns the
// allow-list). The worker itself never runs or fetches anything, so its only power is the host's.

const HOST = 'jp.tsunagu.helper'
const TYPES = new Set(['ping', 'run', 'http'])

/**
 * Chromium's `lastError` messages when the host is missing or not allowed for this extension
 * (no manifest, wrong `allowed_origins`, path not found). Everything else is a host failure.
 */
const NOT_INSTALLED = [/not found/i, /forbidden/i, /invalid native messaging host name/i]

function isStrings(value) {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** The relayed message: only the known fields, so a page cannot smuggle anything else. */
function relayed(message) {
  if (!message || typeof message !== 'object' || !TYPES.has(message.type)) return undefined
  if (message.type === 'ping') return { type: 'ping' }
  if (message.type === 'run') {
    if (!isStrings(message.argv) || message.argv.length === 0) return undefined
    return { type: 'run', argv: message.argv }
  }
  if (typeof message.url !== 'string' || (message.method !== 'GET' && message.method !== 'POST')) return undefined
  const headers = message.headers && typeof message.headers === 'object' ? message.headers : {}
  if (!Object.values(headers).every((value) => typeof value === 'string')) return undefined
  return {
    type: 'http',
    method: message.method,
    url: message.url,
    headers,
    ...(typeof message.body === 'string' ? { body: message.body } : {}),
    ...(typeof message.timeoutMs === 'number' ? { timeoutMs: message.timeoutMs } : {}),
  }
}

chrome.runtime.onMessageExternal.addListener((message, _sender, sendResponse) => {
  const request = relayed(message)
  if (!request) {
    sendResponse({ ok: false, reason: 'bad-request' })
    return false
  }
  chrome.runtime.sendNativeMessage(HOST, request, (response) => {
    const error = chrome.runtime.lastError
    if (error) {
      const text = String(error.message ?? '')
      const missing = NOT_INSTALLED.some((pattern) => pattern.test(text))
      sendResponse(missing ? { ok: false, reason: 'host-not-installed' } : { ok: false, reason: 'host-error', message: text })
      return
    }
    sendResponse(response ?? { ok: false, reason: 'host-error', message: 'no response' })
  })
  // Keeps the reply channel open until the host answers.
  return true
})
