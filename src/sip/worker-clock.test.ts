import { describe, expect, it } from 'vitest'
import { TimerSet } from './clock'
import { workerClock, type TimerWorker } from './worker-clock'

/** A worker that runs nothing by itself: the test fires timers as the real worker would. */
function fakeWorker() {
  const posted: unknown[] = []
  let listener: ((event: MessageEvent<number>) => void) | undefined
  const worker: TimerWorker = {
    postMessage: (message) => { posted.push(message) },
    addEventListener: (_type, l) => { listener = l },
  }
  return { worker, posted, fire: (id: number) => listener?.({ data: id } as MessageEvent<number>) }
}

describe('worker clock', () => {
  it('a timer is started in the worker and its callback runs when the worker posts its id back', () => {
    const w = fakeWorker()
    const clock = workerClock(w.worker, () => 42)
    const ran: string[] = []
    const handle = clock.setTimeout(() => ran.push('a'), 25_000)
    expect(w.posted).toEqual([{ set: handle, ms: 25_000 }])
    w.fire(handle as number)
    expect(ran).toEqual(['a'])
    w.fire(handle as number)
    expect(ran).toEqual(['a'])
    expect(clock.now()).toBe(42)
  })

  it('a cleared timer is cancelled in the worker and never runs, even if its message was already on its way', () => {
    const w = fakeWorker()
    const clock = workerClock(w.worker)
    let ran = false
    const handle = clock.setTimeout(() => { ran = true }, 1000)
    clock.clearTimeout(handle)
    expect(w.posted).toEqual([{ set: handle, ms: 1000 }, { clear: handle }])
    w.fire(handle as number)
    expect(ran).toBe(false)
  })

  it('TimerSet.clear() (the softphone\'s stop) cancels every timer in the worker', () => {
    const w = fakeWorker()
    const timers = new TimerSet(workerClock(w.worker))
    timers.after(1000, () => undefined)
    timers.after(2000, () => undefined)
    timers.clear()
    expect(w.posted.filter((m) => 'clear' in (m as object))).toHaveLength(2)
    expect(timers.size).toBe(0)
  })
})
