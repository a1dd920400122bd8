/**
 * The effects the CTI engine needs, as injected ports. The app provides browser
 * implementations (fetch, opening a named tab, a hidden form, the native-messaging helper, timers,
 * crypto); tests provide the fakes of `testing/fakes.ts`. The engine never touches a global
 * effect itself, which is what keeps it runnable and testable anywhere.
 */

import type { AccessCredentials } from './config'
import type { CharsetEncoder } from './charset'

export interface HttpRequest {
  readonly method: 'GET' | 'POST'
  readonly url: string
  /** POST only: sent byte for byte (it is already percent-encoded; bytes: the recording's multipart body). */
  readonly body?: string | Uint8Array<ArrayBuffer>
  /** Lowercase names, e.g. `content-type`. */
  readonly headers?: Readonly<Record<string, string>>
  readonly credentials: AccessCredentials
  /** Aborted by the engine at its timeout; the port SHOULD then reject promptly. */
  readonly signal: AbortSignal
  /** The engine's timeout for this access: a port that sends the request elsewhere (the helper) gives up then too. */
  readonly timeoutMs?: number
  /**
   * The most of the body the port may read. Past it the port MUST stop reading (never buffer
   * the rest) and reject with a {@link BodyTooLargeError}: a CRM that answers with 100 MB must
   * not take the phone's memory with it.
   */
  readonly maxBodyBytes: number
}

/** The body was longer than `maxBodyBytes`; what was read is dropped. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError'
  constructor(readonly limit: number) {
    super(`the response body is longer than ${limit} bytes`)
  }
}

/**
 * What an HTTP port rejects with when it refuses the request's body for its size before sending
 * anything (the helper carries at most ~47 MB in one message): it will not go through however
 * often it is tried. Told by its name (the port's code is a lazy chunk of its own).
 */
export interface UploadTooLargeError extends Error {
  readonly name: 'UploadTooLargeError'
  readonly bytes: number
  readonly limit: number
}

export interface HttpResponse {
  readonly status: number
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * One HTTP exchange. Resolves with any status (4xx/5xx are responses, not failures); rejects on
 * network failure, CORS refusal or abort. The engine treats a rejection as a failed access and
 * never lets it escape. It MUST NOT retry or fall back to another route (docs/cti-integration.md §5:
 * a refused simple request may already have reached the CRM).
 */
export type HttpPort = (request: HttpRequest) => Promise<HttpResponse>

/** Result of opening a browser tab or posting a form into one. */
export type TabResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'blocked'; readonly url: string }

export type CommandResult =
  | { readonly ok: true; readonly exitCode: number }
  | { readonly ok: false; readonly reason: 'helper-not-installed' | 'not-allowed' | 'failed'; readonly message?: string }

export type TimerHandle = unknown

/** Time, always through here: timers, the current time and the local-time offset. */
export interface ClockPort {
  now(): Date
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /**
   * Minutes to add to UTC to get local time at `at` (JST: 540). Defaults to the platform's
   * `-at.getTimezoneOffset()`; fakes return a constant so date placeholders are deterministic.
   */
  utcOffsetMinutes?(at: Date): number
}

export interface RandomPort {
  /** `count` random decimal digits (for `{ID}`). */
  digits(count: number): string
  /** A number in [0, 1) that spreads polls and retries over many phones (`jitter.ts`); absent: no spread. */
  fraction?(): number
}

export interface CtiPorts {
  readonly http: HttpPort
  /** `get`: open or reuse the named tab with `url`, never the phone's own tab. */
  openTab(url: string, tabName: string): TabResult
  /** `post`: submit a hidden UTF-8 form with `fields` (in order) into the named tab. */
  postForm(url: string, fields: readonly (readonly [string, string])[], tabName: string): TabResult
  /**
   * `command`: argv to the native helper; absent = helper not installed. `fromPlaceholder`
   * marks the items a placeholder can turn into an option (see `ExpandedCommand`).
   */
  readonly runCommand?: (argv: readonly string[], fromPlaceholder?: readonly boolean[]) => Promise<CommandResult>
  /** Internal methods with `via: "helper"`; absent = helper not installed. */
  readonly helperHttp?: HttpPort
  readonly clock: ClockPort
  readonly random: RandomPort
  /** Charsets beyond the built-in UTF-8, Shift_JIS and EUC-JP. */
  readonly encodeCharset?: CharsetEncoder
}
