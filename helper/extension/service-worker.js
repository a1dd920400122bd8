// Tsunagu helper — the extension half. A page that `externally_connectable.matches` lets see
// the extension sends `{ type: 'ping' | 'run' | 'http', ... }` with
// `chrome.runtime.sendMessage(EXTENSION_ID, message, reply)`. This worker admits only the pages
// IT listed: it asks the native host `jp.tsunagu.helper` for the origins in its config (the file
// the installer writes with `--origin`) and refuses every other sender before relaying anything.
// The relayed message carries the sender's origin as Chromium reports it, and the host checks it
// again, so neither half alone decides who may use the helper. The worker itself never runs or
// fetches anything, so its only power is the host's.
//
// `matches` may stay broad (the shipped manifest admits loopback on any port, for the demo and the
// tests; the installer's copy lists only the phone): what admits a page is the check below.

const HOST = 'jp.tsunagu.helper'
const TYPES = new Set(['ping', 'run', 'http'])
/**
 * Origins the host listed, remembered for the browser session (`storage.session`, which outlives
 * this worker's restarts) so a page's message costs one host start, not two: the phone pings at
 * load and gives up after 3 s. Only admissions are remembered, never refusals, and the host checks
 * every request again, so an origin IT removes is refused by the host at once and one IT adds is
 * asked about at its first message.
 */
const ADMITTED_KEY = 'admittedOrigins'

/**
 * Chromium's `lastError` messages when the host is missing or not allowed for this extension
 * (no manifest, wrong `allowed_origins`, path not found). Everything else is a host failure.
 */
const NOT_INSTALLED = [/not found/i, /forbidden/i, /invalid native messaging host name/i]

async function rememberedOrigins() {
  try {
    const stored = await chrome.storage.session.get(ADMITTED_KEY)
    return isStrings(stored[ADMITTED_KEY]) ? stored[ADMITTED_KEY] : []
  } catch {
    return []
  }
}

async function remember(origins) {
  try {
    await chrome.storage.session.set({ [ADMITTED_KEY]: origins })
  } catch {
    // Without the memory every message asks the host first: slower, never less safe.
  }
}

function isStrings(value) {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** The sender's origin as Chromium saw it (a page cannot forge it), or undefined. */
function senderOrigin(sender) {
  if (!sender || sender.id) return undefined
  const raw = typeof sender.origin === 'string' ? sender.origin : sender.url
  try {
    const url = new URL(raw)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** The relayed message: only the known fields, so a page cannot smuggle anything else. */
function relayed(message, origin) {
  if (!message || typeof message !== 'object' || !TYPES.has(message.type)) return undefined
  if (message.type === 'ping') return { type: 'ping', origin }
  if (message.type === 'run') {
    if (!isStrings(message.argv) || message.argv.length === 0) return undefined
    const marks = message.fromPlaceholder
    const valid = Array.isArray(marks) && marks.length === message.argv.length && marks.every((mark) => typeof mark === 'boolean')
    return { type: 'run', origin, argv: message.argv, ...(valid ? { fromPlaceholder: marks } : {}) }
  }
  if (typeof message.url !== 'string' || (message.method !== 'GET' && message.method !== 'POST')) return undefined
  const headers = message.headers && typeof message.headers === 'object' ? message.headers : {}
  if (!Object.values(headers).every((value) => typeof value === 'string')) return undefined
  return {
    type: 'http',
    origin,
    method: message.method,
    url: message.url,
    headers,
    ...(typeof message.body === 'string' ? { body: message.body } : {}),
    // A recording's multipart body: bytes as base64 (the page → host direction has no 1 MB cap).
    ...(typeof message.body !== 'string' && typeof message.bodyBase64 === 'string' ? { bodyBase64: message.bodyBase64 } : {}),
    ...(typeof message.timeoutMs === 'number' ? { timeoutMs: message.timeoutMs } : {}),
  }
}

/** One message to the host; resolves with its reply or with the failure as a reply. */
function toHost(request) {
  return new Promise((resolve) => {
    chrome.runtime.sendNativeMessage(HOST, request, (response) => {
      const error = chrome.runtime.lastError
      if (error) {
        const text = String(error.message ?? '')
        const missing = NOT_INSTALLED.some((pattern) => pattern.test(text))
        resolve(missing ? { ok: false, reason: 'host-not-installed' } : { ok: false, reason: 'host-error', message: text })
        return
      }
      resolve(response ?? { ok: false, reason: 'host-error', message: 'no response' })
    })
  })
}

/** Is `origin` on the host's list? A host that cannot be asked admits nobody (its failure is the reply). */
/** The start-up question to the host while it is out; a message waits for it instead of asking again. */
let warming

async function admit(origin) {
  if (warming) await warming
  if ((await rememberedOrigins()).includes(origin)) return { ok: true }
  const policy = await toHost({ type: 'policy' })
  if (!policy.ok) return policy
  // A host too old to answer `policy` admits nobody: the check fails closed.
  if (!isStrings(policy.origins)) return { ok: false, reason: 'origin-not-allowed' }
  await remember(policy.origins)
  return policy.origins.includes(origin) ? { ok: true } : { ok: false, reason: 'origin-not-allowed' }
}

/** Asks the host for its list when the browser starts, so the phone's first ping finds it. */
async function warmUp() {
  const policy = await toHost({ type: 'policy' })
  if (policy.ok && isStrings(policy.origins)) await remember(policy.origins)
}

/**
 * The phone's tab must not be discarded (Chrome's Memory Saver, Edge's sleeping tabs): a
 * discarded tab has no page, no WebSocket and no registration, so calls stop ringing. The phone
 * pings at every load, so its tab is marked as soon as it opens. Only tabs of admitted origins
 * are touched, and nothing is read from them (`tabs.update` needs no "tabs" permission).
 */
function keepTab(sender) {
  const tabId = sender?.tab?.id
  if (typeof tabId !== 'number' || !globalThis.chrome?.tabs?.update) return
  try {
    void Promise.resolve(chrome.tabs.update(tabId, { autoDiscardable: false })).catch(() => undefined)
  } catch {
    // An old browser without autoDiscardable: the IT policy (README) is the remedy there.
  }
}

async function answer(message, sender) {
  const origin = senderOrigin(sender)
  if (!origin) return { ok: false, reason: 'origin-not-allowed' }
  const admission = await admit(origin)
  if (!admission.ok) return admission
  keepTab(sender)
  const request = relayed(message, origin)
  if (!request) return { ok: false, reason: 'bad-request' }
  return toHost(request)
}

if (globalThis.chrome?.runtime?.onMessageExternal) {
  const startWarmUp = () => {
    warming = warmUp().finally(() => { warming = undefined })
  }
  chrome.runtime.onStartup.addListener(startWarmUp)
  chrome.runtime.onInstalled.addListener(startWarmUp)
  chrome.runtime.onMessageExternal.addListener((message, sender, sendResponse) => {
    void answer(message, sender).then(sendResponse, () => sendResponse({ ok: false, reason: 'host-error', message: 'internal error' }))
    // Keeps the reply channel open until the host answers.
    return true
  })
}
