import { describe, expect, it } from 'vitest'
import type { WakeReason } from '../ports'
import { browserLifecycle, CLOCK_CHECK_MS, type LifecycleEnvironment } from './lifecycle'

/** Fake document/window event targets and clocks: the events a browser fires, on demand. */
function fakeEnvironment(options: { wasDiscarded?: boolean } = {}) {
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible', wasDiscarded: options.wasDiscarded })
  const win = new EventTarget()
  let wall = 1_000_000
  let mono = 0
  let tick: (() => void) | undefined
  const env: LifecycleEnvironment = {
    document: doc,
    window: win,
    now: () => wall,
    monotonic: () => mono,
    setInterval: (callback) => { tick = callback },
  }
  return {
    env,
    doc,
    win,
    /** Time passes awake: both clocks move, then the check runs. */
    pass(ms: number) { wall += ms; mono += ms; tick?.() },
    /** The machine sleeps: the wall clock moves, the monotonic one does not. */
    sleep(ms: number) { wall += ms; tick?.() },
  }
}

function recorded(env: LifecycleEnvironment) {
  const lifecycle = browserLifecycle(env)
  const wakes: WakeReason[] = []
  let offline = 0
  lifecycle.onWake((reason) => wakes.push(reason))
  lifecycle.onOffline(() => { offline += 1 })
  return { lifecycle, wakes, offline: () => offline }
}

describe('browser lifecycle port', () => {
  it('resume after a freeze wakes the phone', () => {
    const f = fakeEnvironment()
    const r = recorded(f.env)
    f.doc.dispatchEvent(new Event('freeze'))
    expect(r.wakes).toEqual([])
    f.doc.dispatchEvent(new Event('resume'))
    expect(r.wakes).toEqual(['resume'])
  })

  it('visibilitychange wakes only when the page becomes visible', () => {
    const f = fakeEnvironment()
    const r = recorded(f.env)
    f.doc.visibilityState = 'hidden'
    f.doc.dispatchEvent(new Event('visibilitychange'))
    expect(r.wakes).toEqual([])
    f.doc.visibilityState = 'visible'
    f.doc.dispatchEvent(new Event('visibilitychange'))
    expect(r.wakes).toEqual(['visible'])
  })

  it('online wakes, offline is reported apart', () => {
    const f = fakeEnvironment()
    const r = recorded(f.env)
    f.win.dispatchEvent(new Event('offline'))
    expect(r.offline()).toBe(1)
    expect(r.wakes).toEqual([])
    f.win.dispatchEvent(new Event('online'))
    expect(r.wakes).toEqual(['online'])
  })

  it('a page restored from the back/forward cache wakes; a normal pageshow does not', () => {
    const f = fakeEnvironment()
    const r = recorded(f.env)
    f.win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }))
    f.win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }))
    expect(r.wakes).toEqual(['pageshow'])
  })

  it('the wall clock jumping away from the monotonic one (sleep) is a wake; time passing awake is not', () => {
    const f = fakeEnvironment()
    const r = recorded(f.env)
    f.pass(CLOCK_CHECK_MS)
    f.pass(CLOCK_CHECK_MS * 6)
    expect(r.wakes).toEqual([])
    f.sleep(30 * 60_000)
    expect(r.wakes).toEqual(['clock-jump'])
    f.pass(CLOCK_CHECK_MS)
    expect(r.wakes).toEqual(['clock-jump'])
  })

  it('tells whether this load brought back a discarded tab', () => {
    expect(browserLifecycle(fakeEnvironment({ wasDiscarded: true }).env).wasDiscarded).toBe(true)
    expect(browserLifecycle(fakeEnvironment().env).wasDiscarded).toBe(false)
  })

  it('an unsubscribed listener hears nothing more', () => {
    const f = fakeEnvironment()
    const lifecycle = browserLifecycle(f.env)
    const wakes: WakeReason[] = []
    const off = lifecycle.onWake((reason) => wakes.push(reason))
    off()
    f.doc.dispatchEvent(new Event('resume'))
    expect(wakes).toEqual([])
  })
})
