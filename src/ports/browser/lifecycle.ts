import { browserTimerClock } from '@/sip/worker-clock'
import type { PageLifecycle, WakeReason } from '../ports'
import type { MovableClock } from './page-timers'

/** What the lifecycle port listens to; the browser's globals by default, fakes in unit tests. */
export interface LifecycleEnvironment {
  document: EventTarget & { readonly visibilityState: string; readonly wasDiscarded?: boolean }
  window: EventTarget
  /** Wall clock (`Date.now`): jumps forward after the machine slept. */
  now(): number
  /** Monotonic clock (`performance.now`): on most systems it does not count the time asleep. */
  monotonic(): number
  setInterval(callback: () => void, ms: number): unknown
}

/** How often the wall clock is compared with the monotonic one, and how far they may drift apart. */
export const CLOCK_CHECK_MS = 10_000
export const CLOCK_JUMP_MS = 5_000

/**
 * The page's lifecycle for the line (see `PageLifecycle`): Page Lifecycle `resume` (after a
 * freeze), the page shown again (`visibilitychange`, `pageshow` from the back/forward cache),
 * `online`/`offline`, and a clock jump: the wall clock moving away from the monotonic one means
 * the machine slept (or its time was set), which no event reports.
 */
let shared: PageLifecycle | undefined

/**
 * The page's one lifecycle port (the app may ask for it more than once). Loading it also moves
 * the app's `timers` (CRM polling, phonebook refresh, outbox retries) to the line's worker
 * clock: a hidden page's own timers run once a minute under intensive throttling.
 */
export function pageLifecycle(timers?: Pick<MovableClock, 'use'>): PageLifecycle {
  timers?.use(browserTimerClock())
  shared ??= browserLifecycle()
  return shared
}

export function browserLifecycle(env: LifecycleEnvironment = {
  document,
  window,
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
}): PageLifecycle {
  const wakeListeners = new Set<(reason: WakeReason) => void>()
  const offlineListeners = new Set<() => void>()
  const wake = (reason: WakeReason) => {
    for (const listener of [...wakeListeners]) listener(reason)
  }
  env.document.addEventListener('resume', () => wake('resume'))
  env.document.addEventListener('visibilitychange', () => {
    if (env.document.visibilityState === 'visible') wake('visible')
  })
  env.window.addEventListener('pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) wake('pageshow')
  })
  env.window.addEventListener('online', () => wake('online'))
  env.window.addEventListener('offline', () => {
    for (const listener of [...offlineListeners]) listener()
  })
  // One interval for the page's life (the port lives as long as the page); it only reads clocks.
  let wall = env.now()
  let mono = env.monotonic()
  env.setInterval(() => {
    const nextWall = env.now()
    const nextMono = env.monotonic()
    const drift = (nextWall - wall) - (nextMono - mono)
    wall = nextWall
    mono = nextMono
    if (Math.abs(drift) >= CLOCK_JUMP_MS) wake('clock-jump')
  }, CLOCK_CHECK_MS)
  return {
    wasDiscarded: env.document.wasDiscarded === true,
    onWake(listener) {
      wakeListeners.add(listener)
      return () => wakeListeners.delete(listener)
    },
    onOffline(listener) {
      offlineListeners.add(listener)
      return () => offlineListeners.delete(listener)
    },
  }
}
