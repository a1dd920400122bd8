import type { Clock, TimerHandle } from './clock'

/**
 * A `Clock` for tests: time moves only when the test calls `advance`, and `pendingDelays`
 * shows what is scheduled (to check a back-off schedule, or that `stop()` left nothing behind).
 */
export class FakeClock implements Clock {
  private time: number
  private seq = 0
  private readonly timers = new Map<number, { at: number; callback: () => void }>()

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.seq += 1
    this.timers.set(this.seq, { at: this.time + Math.max(0, ms), callback })
    return this.seq
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number)
  }

  /** Delays (from now) of the timers still pending, soonest first. */
  get pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b)
  }

  /**
   * The page was frozen or the machine slept for `ms`: the time passes with no timer running,
   * then every timer that fell due meanwhile runs (late, as a resumed page's timers do).
   */
  sleep(ms: number): void {
    this.time += ms
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= this.time).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
      if (!next) break
      this.timers.delete(next[0])
      next[1].callback()
    }
  }

  /** Moves time forward, running each timer that falls due, in order (timers they set included). */
  advance(ms: number): void {
    const end = this.time + ms
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
      if (!next) break
      this.timers.delete(next[0])
      this.time = next[1].at
      next[1].callback()
    }
    this.time = end
  }
}
