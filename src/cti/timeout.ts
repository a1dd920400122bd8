/**
 * Per-request timeout (docs/cti-integration.md §1 `timeoutSeconds`) through the clock port: the
 * request gets an AbortSignal that fires at the deadline, and the caller moves on at the deadline
 * even if the port ignores the signal — a CRM that never answers can never hold up later accesses.
 */

import type { ClockPort, TimerHandle } from './ports'

export type Timed<T> =
  | { readonly kind: 'done'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' }

/**
 * Runs `run` with a signal aborted after `timeoutMs` (0 = no timeout) or when `cancel` aborts.
 * Never rejects: a rejection or a synchronous throw of `run` is `{ kind: 'error' }`.
 */
export function withTimeout<T>(
  clock: ClockPort,
  timeoutMs: number,
  cancel: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<Timed<T>> {
  return new Promise((resolve) => {
    const controller = new AbortController()
    let settled = false
    let timer: TimerHandle | undefined
    const finish = (result: Timed<T>): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) clock.clearTimeout(timer)
      cancel?.removeEventListener('abort', onCancel)
      resolve(result)
    }
    const onCancel = (): void => {
      controller.abort('cancelled')
      finish({ kind: 'aborted' })
    }
    if (cancel?.aborted) {
      onCancel()
      return
    }
    cancel?.addEventListener('abort', onCancel, { once: true })
    if (timeoutMs > 0) {
      timer = clock.setTimeout(() => {
        controller.abort('timeout')
        finish({ kind: 'timeout' })
      }, timeoutMs)
    }
    try {
      run(controller.signal).then(
        (value) => finish({ kind: 'done', value }),
        (error: unknown) => finish({ kind: 'error', error }),
      )
    } catch (error) {
      finish({ kind: 'error', error })
    }
  })
}
