import type { Clock, TimerHandle } from '@/sip/clock'

/** A clock whose new timers can be moved to another clock (see {@link movableClock}). */
export interface MovableClock extends Clock {
  /** Timers set from now on run on `clock`; those already pending finish where they were set. */
  use(clock: Clock): void
}

/**
 * The stores' and the CTI's timers (`ports.clock`, `ports.cti.clock`: CRM polling, phonebook
 * refresh, outbox retries, request timeouts). They start on the page's own timers, because the
 * worker clock is not part of the first paint, and move to the line's worker clock once it is
 * loaded (`lifecycle.ts`), where Chrome's intensive throttling of hidden pages does not reach.
 * Each handle remembers its clock, so a `clearTimeout` after the move still cancels a timer set
 * before it: an owner's `stop()` leaves nothing behind either way.
 */
export function movableClock(first: Clock): MovableClock {
  let current = first
  return {
    setTimeout(callback, ms) {
      const clock = current
      return [clock, clock.setTimeout(callback, ms)]
    },
    clearTimeout(handle: TimerHandle) {
      if (!Array.isArray(handle)) return
      const [clock, inner] = handle as [Clock, TimerHandle]
      clock.clearTimeout(inner)
    },
    now: () => current.now(),
    use(clock) {
      current = clock
    },
  }
}
