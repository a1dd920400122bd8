/**
 * How the outbox treats what a CRM access answered (docs/cti-integration.md §8): a 2xx (or a
 * tab/command that went through) is delivered and never sent again; what may work later is
 * retried with back-off; what will not (the CRM refuses the request itself, or the access is no
 * longer configured) fails for good, until the agent presses "retry now".
 */
import type { DeliveryOutcome } from '@/cti'
import type { SendResult } from './outbox'

/** HTTP statuses worth another try: timeouts, rate limits and the server's own troubles. */
const RETRYABLE_STATUS = new Set([401, 403, 408, 425, 429])

export function sendResultOf(outcome: DeliveryOutcome): SendResult {
  if (outcome.ok) return { ok: true, status: outcome.status ?? 200 }
  const status = 'status' in outcome && outcome.status !== undefined ? { status: outcome.status } : {}
  switch (outcome.reason) {
    case 'not-configured':
    case 'command-not-allowed':
      return { ok: false, retryable: false, reason: outcome.reason }
    case 'http-error': {
      const code = outcome.status ?? 0
      // 401/403: the session may come back after the next login; 5xx: the CRM's own trouble.
      const retryable = code >= 500 || RETRYABLE_STATUS.has(code)
      return { ok: false, retryable, reason: `HTTP ${code}`, ...status }
    }
    default:
      // timeout, network, blocked tab, helper missing, engine restarted (disposed/aborted) …
      return { ok: false, retryable: true, reason: outcome.reason, ...status }
  }
}
