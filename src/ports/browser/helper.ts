import type { CommandResult, HttpPort } from '@/cti'

/**
 * The optional native helper (helper/ in the repository): the "Tsunagu helper" extension relays
 * the page's messages to a native-messaging host that runs allow-listed programs (`command`) and
 * sends HTTP requests outside the browser (`via: "helper"`: http CRMs from an https page, CRMs
 * without CORS).
 *
 * The page reaches the extension with `chrome.runtime.sendMessage(id, message, reply)`, which
 * exists only when an installed extension lists the page's origin in `externally_connectable`.
 */

/**
 * The extension's id, fixed by the public `key` in helper/extension/manifest.json
 * (helper.test.ts checks that they agree). A copy published in the Chrome Web Store gets the
 * store's id instead.
 */
export const HELPER_EXTENSION_ID = 'mblpgokejkkafbpicbigojlbkkjpggmi'

/**
 * How long the start-up ping may take: the host is a Node process started per message, and the
 * extension may first ask it for its list of origins (measured here under load: 1–2.5 s). Only an
 * installed extension whose host is slow waits this long; without the extension the answer is
 * immediate, and a missing host is reported by Chromium at once.
 */
export const HELPER_PING_TIMEOUT_MS = 10_000

/** What the extension answers; `host-not-installed` when the native host is missing. */
export type HelperReply =
  | { ok: true; version?: string; exitCode?: number; status?: number; headers?: Record<string, string>; bodyBase64?: string }
  | { ok: false; reason?: string; message?: string }

interface ChromeRuntimeLike {
  sendMessage(extensionId: string, message: unknown, reply: (response: unknown) => void): void
  readonly lastError?: { message?: string }
}

function runtime(): ChromeRuntimeLike | undefined {
  const chrome = (globalThis as { chrome?: { runtime?: Partial<ChromeRuntimeLike> } }).chrome
  return typeof chrome?.runtime?.sendMessage === 'function' ? (chrome.runtime as ChromeRuntimeLike) : undefined
}

/** One message to the extension; rejects when it cannot be reached. */
export function send(extensionId: string, message: unknown): Promise<HelperReply> {
  const chromeRuntime = runtime()
  if (!chromeRuntime) return Promise.reject(new Error('helper extension not installed'))
  return new Promise((resolve, reject) => {
    try {
      chromeRuntime.sendMessage(extensionId, message, (response) => {
        // Reading lastError marks it handled; it is set when no such extension is listening.
        const error = chromeRuntime.lastError
        if (error || !response || typeof response !== 'object') reject(new Error(error?.message ?? 'helper extension not reachable'))
        else resolve(response as HelperReply)
      })
    } catch (error) {
      // An id that is not an extension's throws synchronously.
      reject(error instanceof Error ? error : new Error(String(error)))
    }
  })
}

/** The helper answered; or it is installed but does not admit this page (IT left its origin out). */
export type HelperInfo = { readonly version: string } | { readonly refused: 'origin-not-allowed' }

/** What a `command` or `via: "helper"` access reports when the helper refuses this page. */
export const ORIGIN_REFUSED_MESSAGE = "this page's origin is not on the helper's list"

/**
 * Pings the extension and through it the native host. Resolves with the host's version, with
 * `refused` when the helper does not admit this page's origin, or `undefined` when the extension
 * or the host is missing or does not answer within `timeoutMs`. Never rejects.
 */
export async function detectHelper(extensionId = HELPER_EXTENSION_ID, timeoutMs = HELPER_PING_TIMEOUT_MS): Promise<HelperInfo | undefined> {
  if (!runtime()) return undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs) })
  const ping = send(extensionId, { type: 'ping' }).then(
    (reply): HelperInfo | undefined => {
      if (reply.ok) return { version: typeof reply.version === 'string' ? reply.version : '' }
      return reply.reason === 'origin-not-allowed' ? { refused: 'origin-not-allowed' } : undefined
    },
    () => undefined,
  )
  try {
    return await Promise.race([ping, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The helper's pair of CTI ports, bound to one extension id. What they send and how replies are
 * read is `./helper-commands`, loaded on the first command: most pages never run one, and the
 * start-up bundle is at its budget.
 */
export function helperPorts(extensionId = HELPER_EXTENSION_ID): {
  runCommand: (argv: readonly string[], fromPlaceholder?: readonly boolean[]) => Promise<CommandResult>
  helperHttp: HttpPort
} {
  const load = () => import('./helper-commands')
  return {
    runCommand: async (argv, fromPlaceholder) => (await load()).runCommand(argv, fromPlaceholder, extensionId),
    helperHttp: async (request) => (await load()).helperHttp(request, extensionId),
  }
}
