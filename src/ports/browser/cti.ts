import { BodyTooLargeError, type CommandResult, type CtiPorts, type HttpPort, type HttpResponse, type TabResult } from '@/cti/ports'
import type { Clock } from '@/sip/clock'
import { openCrmTab, postCrmTab } from './crm-tab'
import { detectHelper, HELPER_EXTENSION_ID, helperPorts, ORIGIN_REFUSED_MESSAGE } from './helper'

/**
 * The CTI engine's effects in a browser: `fetch`, the named CRM tab, a hidden form, timers
 * (`timers`: the app's, see `page-timers.ts`) and crypto, and the optional native helper (`runCommand`, `helperHttp`, see `./helper`).
 * The helper ports are present only once the helper answered a ping at start; when it did not,
 * they are absent, which the engine reports as "helper not installed"; when the helper is there
 * but does not admit this page's origin, they fail saying so (IT left the origin out of the
 * helper's config). While the ping is still out, they wait for its answer (a call can ring
 * during the first second after a load).
 *
 * The CRM tab is opened through a hidden same-origin iframe (see `./crm-tab`): it is reused
 * call after call, and the CRM page's opener is that iframe, so no page shown there can
 * navigate the phone away.
 */
export function browserCtiPorts(extensionId = HELPER_EXTENSION_ID, timers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = globalThis): CtiPorts {
  const helper = helperPorts(extensionId)
  let state: 'pending' | 'present' | 'absent' | 'refused' = 'pending'
  const detected = detectHelper(extensionId).then((info) => {
    state = !info ? 'absent' : 'refused' in info ? 'refused' : 'present'
    return state
  })
  const refused = {
    runCommand: (): Promise<CommandResult> => Promise.resolve({ ok: false, reason: 'not-allowed', message: ORIGIN_REFUSED_MESSAGE }),
    helperHttp: (() => Promise.reject(new Error(`helper: ${ORIGIN_REFUSED_MESSAGE}`))) satisfies HttpPort,
  }
  const whenDetected = {
    runCommand: async (argv: readonly string[], fromPlaceholder?: readonly boolean[]): Promise<CommandResult> => {
      const found = await detected
      if (found === 'present') return helper.runCommand(argv, fromPlaceholder)
      return found === 'refused' ? refused.runCommand() : { ok: false, reason: 'helper-not-installed' }
    },
    helperHttp: (async (request) => {
      const found = await detected
      if (found === 'present') return helper.helperHttp(request)
      if (found === 'refused') return refused.helperHttp()
      throw new Error('helper not installed')
    }) satisfies HttpPort,
  }
  const pick = <K extends 'runCommand' | 'helperHttp'>(name: K) =>
    state === 'present' ? helper[name] : state === 'refused' ? refused[name] : state === 'pending' ? whenDetected[name] : undefined
  return {
    get runCommand() {
      return pick('runCommand')
    },
    get helperHttp() {
      return pick('helperHttp')
    },
    async http({ method, url, body, headers, credentials, signal, maxBodyBytes }): Promise<HttpResponse> {
      const response = await fetch(url, {
        method,
        body,
        headers: headers as Record<string, string> | undefined,
        credentials,
        signal: signal as AbortSignal,
        cache: 'no-store',
        redirect: 'follow',
        // The hang-up access of a call ended by closing the tab is sent from `pagehide`: only a
        // keepalive request outlives the page (issue 12). Bodies here are far below its 64 KB.
        keepalive: true,
      })
      const out: Record<string, string> = {}
      response.headers.forEach((value, name) => { out[name.toLowerCase()] = value })
      return { status: response.status, headers: out, body: await readCapped(response, maxBodyBytes) }
    },
    openTab(url, tabName): TabResult {
      return openCrmTab(url, tabName) ? { ok: true } : { ok: false, reason: 'blocked', url }
    },
    postForm(url, fields, tabName): TabResult {
      return postCrmTab(url, fields, tabName) ? { ok: true } : { ok: false, reason: 'blocked', url }
    },
    // The app's timers (`page-timers.ts`): on the worker clock once it is loaded.
    clock: {
      now: () => new Date(),
      setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
      clearTimeout: (handle) => timers.clearTimeout(handle),
    },
    random: {
      digits(count) {
        const bytes = crypto.getRandomValues(new Uint8Array(count))
        return Array.from(bytes, (b) => String(b % 10)).join('')
      },
      fraction() {
        return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32
      },
    },
  }
}

/**
 * The body, read as a stream and never past `limit` bytes: a CRM that answers with 100 MB (or
 * never stops) must not grow the phone's memory. Over the limit the stream is cancelled.
 */
async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  // Not `arrayBuffer()` when the declared length is small: a compressed body's length is its
  // compressed size (and `Content-Encoding` is hidden from a cross-origin page), so only the
  // stream sees how much it really grows to.
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    void response.body?.cancel().catch(() => undefined)
    throw new BodyTooLargeError(limit)
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer())
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.length
    if (length > limit) {
      void reader.cancel().catch(() => undefined)
      throw new BodyTooLargeError(limit)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

