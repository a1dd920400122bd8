import { realClock, type Clock, type TimerHandle } from './clock'

/** The part of a `Worker` the clock uses (a fake in unit tests). */
export interface TimerWorker {
  postMessage(message: { set: number; ms: number } | { clear: number }): void
  addEventListener(type: 'message', listener: (event: MessageEvent<number>) => void): void
}

/**
 * A `Clock` whose timers run in a dedicated worker (`clock.worker.ts`) and call back on the
 * page through a message. Why: Chrome's intensive throttling wakes a page hidden for 5 minutes
 * once a minute for its own timers, which would make the line's 25 s probe a 60 s one and
 * every timer of the line late; a worker's timers are not throttled that way. A frozen page
 * (or a sleeping machine) still runs nothing: the line's late-timer check covers that.
 */
export function workerClock(worker: TimerWorker, now: () => number = () => Date.now()): Clock {
  const callbacks = new Map<number, () => void>()
  let seq = 0
  worker.addEventListener('message', ({ data: id }) => {
    const callback = callbacks.get(id)
    if (!callback) return
    callbacks.delete(id)
    callback()
  })
  return {
    setTimeout(callback, ms) {
      seq += 1
      callbacks.set(seq, callback)
      worker.postMessage({ set: seq, ms })
      return seq
    },
    clearTimeout(handle: TimerHandle) {
      if (callbacks.delete(handle as number)) worker.postMessage({ clear: handle as number })
    },
    now,
  }
}

let shared: Clock | undefined

/** The page's one worker clock; the page's own timers where workers are not available. */
export function browserTimerClock(): Clock {
  if (shared) return shared
  try {
    shared = workerClock(new Worker(new URL('./clock.worker.ts', import.meta.url), { type: 'module' }) as unknown as TimerWorker)
  } catch (error) {
    console.warn('no worker clock, the line uses the page\'s timers', error)
    shared = realClock
  }
  return shared
}
