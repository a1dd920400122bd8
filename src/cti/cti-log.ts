/**
 * The CTI log (docs/cti-integration.md §8): one entry per access the phone ran or deliberately
 * skipped, for IT. Every configured secret is masked in every field before an entry leaves the
 * engine.
 */

import type { AccessMethod, AccessName } from './config'
import type { SkipReason } from './plan'

/** Why an access failed. */
export type AccessFailure =
  | 'timeout'
  | 'network'
  /** The response body was longer than the phone reads (`maxBodyBytes`): reading stopped there. */
  | 'too-large'
  /** The request body was larger than the port can send (the helper's message limit): nothing was sent. */
  | 'upload-too-large'
  /** A 2xx body to parse that is not text: bytes invalid in its charset, or binary control characters. */
  | 'not-text'
  | 'http-error'
  | 'blocked'
  | 'helper-not-installed'
  | 'command-not-allowed'
  | 'command-failed'
  | 'aborted'
  /** A port or encoder threw where it should have returned a value (a bug, logged). */
  | 'internal-error'

export interface CtiLogEntry {
  /** ISO 8601 time the access started (or was skipped). */
  readonly time: string
  /** Absent for auth at login and polling. */
  readonly callId?: string
  readonly access: AccessName
  readonly method: AccessMethod
  readonly outcome: 'ok' | 'failed' | 'skipped'
  /** 2 for the single retry after a 401/403 and re-auth. */
  readonly attempt?: number
  /** Final URL (tab, form action or HTTP request), secrets masked. */
  readonly url?: string
  /** POST body or form query string, secrets masked. */
  readonly body?: string
  /** Command argv, secrets masked. */
  readonly argv?: readonly string[]
  readonly status?: number
  /** Time taken, ms. */
  readonly ms?: number
  /** Values extracted by the response format. */
  readonly values?: Readonly<Record<string, string>>
  readonly error?: AccessFailure
  /** Free text about the error (network message, exit code, ...). */
  readonly detail?: string
  readonly skipped?: SkipReason
  /** Unknown placeholders, charset fallbacks, format mismatches, ... */
  readonly warnings?: readonly string[]
}

export type CtiLogger = (entry: CtiLogEntry) => void
