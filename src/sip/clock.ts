/**
 * Time as the softphone sees it: passed in, never read from globals, so tests run timers
 * (back-off, transfer grace) on a fake clock and can check that nothing is left after `stop()`.
 */
export interface Clock {
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number
}

/** Whatever the clock's `setTimeout` returned (a number in browsers, an object in Node). */
export type TimerHandle = unknown

/** The browser's (or Node's) own timers, looked up at each call so test doubles of the globals apply. */
export const realClock: Clock = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
}

/**
 * One-shot timers of one owner, all through one clock. `clear()` cancels every timer still
 * pending: the owner's `stop()` calls it, so nothing of ours fires after stop.
 */
export class TimerSet {
  /** Each pending timer with the clock time it is due at. */
  private readonly pending = new Map<TimerHandle, number>()

  constructor(readonly clock: Clock) {}

  /** Runs `callback` once after `ms`; the returned function cancels it (harmless when it already ran). */
  after(ms: number, callback: () => void): () => void {
    const handle = this.clock.setTimeout(() => {
      this.pending.delete(handle)
      callback()
    }, ms)
    this.pending.set(handle, this.clock.now() + ms)
    return () => {
      if (!this.pending.delete(handle)) return
      this.clock.clearTimeout(handle)
    }
  }

  /** Delays (from now) of this set's pending timers, soonest first: for tests that tell owners' timers apart. */
  get pendingDelays(): number[] {
    const now = this.clock.now()
    return [...this.pending.values()].map((at) => Math.max(0, at - now)).sort((a, b) => a - b)
  }

  get size(): number {
    return this.pending.size
  }

  clear(): void {
    for (const handle of this.pending.keys()) this.clock.clearTimeout(handle)
    this.pending.clear()
  }
}
