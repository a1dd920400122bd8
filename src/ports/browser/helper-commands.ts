/**
 * What the helper's CTI ports send to the extension and how they read its replies: `command`
 * (argv to the native host) and `via: "helper"` HTTP. Loaded on the first command (see
 * `helperPorts` in `./helper`).
 */
import type { CommandResult, HttpRequest, HttpResponse } from '@/cti'
import type { UploadTooLargeError } from '@/cti/ports'
import { HELPER_EXTENSION_ID, ORIGIN_REFUSED_MESSAGE, send, type HelperReply } from './helper'

/** The host's limit for an HTTP request when the engine gives none (it gives its access timeout). */
const HELPER_HTTP_TIMEOUT_MS = 30_000
/**
 * The most body bytes one helper request carries. Chromium caps a page's message to an extension
 * at 64 MiB (measured with Chromium 156: 47 MiB as base64, 63 MiB, arrive; 60 MiB, 80 MiB, are
 * refused with "Message exceeded maximum allowed size"), and base64 grows the bytes by 4/3.
 */
export const MAX_HELPER_BODY_BYTES = 47 * 1024 * 1024

/**
 * `command`: argv to the host, which starts argv[0] only when it is on its allow-list, and
 * refuses option-like items marked `fromPlaceholder` unless the entry allows them (without marks
 * it treats every item as the caller's).
 */
export async function runCommand(argv: readonly string[], fromPlaceholder?: readonly boolean[], extensionId = HELPER_EXTENSION_ID): Promise<CommandResult> {
  let reply: HelperReply
  try {
    reply = await send(extensionId, { type: 'run', argv: [...argv], ...(fromPlaceholder ? { fromPlaceholder: [...fromPlaceholder] } : {}) })
  } catch {
    return { ok: false, reason: 'helper-not-installed' }
  }
  if (reply.ok) return { ok: true, exitCode: typeof reply.exitCode === 'number' ? reply.exitCode : 0 }
  if (reply.reason === 'host-not-installed') return { ok: false, reason: 'helper-not-installed' }
  if (reply.reason === 'origin-not-allowed') return { ok: false, reason: 'not-allowed', message: ORIGIN_REFUSED_MESSAGE }
  if (reply.reason === 'not-allowed') return { ok: false, reason: 'not-allowed', ...(reply.message ? { message: reply.message } : {}) }
  return { ok: false, reason: 'failed', message: reply.message ?? reply.reason ?? 'failed' }
}

/**
 * `via: "helper"`: the request goes out from the host (no CORS, no mixed-content block, no
 * browser cookies). Rejects on any failure and as soon as `signal` aborts (the host's request
 * then ends by its own timeout; its reply is dropped).
 */
export function helperHttp(request: HttpRequest, extensionId = HELPER_EXTENSION_ID): Promise<HttpResponse> {
  const { signal } = request
  if (signal.aborted) return Promise.reject(abortError(signal))
  if (request.body instanceof Uint8Array && request.body.length > MAX_HELPER_BODY_BYTES)
    return Promise.reject(uploadTooLarge(request.body.length, MAX_HELPER_BODY_BYTES))
  return new Promise<HttpResponse>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    send(extensionId, {
      type: 'http',
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      // The recording's multipart body is bytes: base64, which the host decodes before sending.
      ...(request.body === undefined ? {} : typeof request.body === 'string' ? { body: request.body } : { bodyBase64: toBase64(request.body) }),
      timeoutMs: request.timeoutMs ?? HELPER_HTTP_TIMEOUT_MS,
    })
      .then((reply) => {
        if (!reply.ok) throw new Error(reply.reason === 'host-not-installed' ? 'helper not installed' : `helper: ${reply.message ?? reply.reason ?? 'failed'}`)
        resolve({ status: reply.status ?? 0, headers: reply.headers ?? {}, body: fromBase64(reply.bodyBase64 ?? '') })
      })
      .catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))))
      .finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** A body the helper cannot carry: the engine fails the upload for good (`upload-too-large`), not as a network error. */
function uploadTooLarge(bytes: number, limit: number): UploadTooLargeError {
  const message = `the body is ${(bytes / 1048576).toFixed(1)} MB; the helper carries at most ${(limit / 1048576).toFixed(0)} MB`
  return Object.assign(new Error(message), { name: 'UploadTooLargeError' as const, bytes, limit })
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  // In slices: `String.fromCharCode(...all)` overflows the stack past some 100 KB.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}
