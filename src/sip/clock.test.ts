import { describe, expect, it } from 'vitest'
import { TimerSet } from './clock'
import { FakeClock } from './fake-clock'

describe('TimerSet on a FakeClock', () => {
  it('runs each timer once when due, in order, timers set by timers included', () => {
    const clock = new FakeClock()
    const timers = new TimerSet(clock)
    const ran: string[] = []
    timers.after(200, () => ran.push('b'))
    timers.after(100, () => {
      ran.push('a')
      timers.after(50, () => ran.push('a2'))
    })
    clock.advance(99)
    expect(ran).toEqual([])
    clock.advance(200)
    expect(ran).toEqual(['a', 'a2', 'b'])
    expect(timers.size).toBe(0)
    expect(clock.pendingDelays).toEqual([])
  })

  it('a cancelled timer never runs; clear() cancels all that are left', () => {
    const clock = new FakeClock()
    const timers = new TimerSet(clock)
    const ran: string[] = []
    const cancel = timers.after(100, () => ran.push('cancelled'))
    timers.after(300, () => ran.push('cleared'))
    cancel()
    cancel()
    expect(clock.pendingDelays).toEqual([300])
    timers.clear()
    expect(clock.pendingDelays).toEqual([])
    clock.advance(1000)
    expect(ran).toEqual([])
  })
})
