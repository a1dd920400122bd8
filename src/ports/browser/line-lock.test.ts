import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserLineLock } from './line-lock'

/**
 * The Web Locks API as the line lock uses it, for one lock name: one holder, a FIFO queue,
 * `ifAvailable`, `steal` (the old holder's request rejects) and `signal` (a queued request
 * rejects when aborted). `close(holder)` is its tab going away: the next in the queue gets it.
 */
function fakeLocks() {
  type Waiter = { callback: (lock: object | null) => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void; lock: object }
  let holder: Waiter | undefined
  const queue: Waiter[] = []
  const grant = (waiter: Waiter) => {
    holder = waiter
    void Promise.resolve(waiter.callback(waiter.lock)).then(waiter.resolve, waiter.reject)
  }
  const locks = {
    request(_name: string, options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal }, callback: (lock: object | null) => unknown) {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { callback, resolve, reject, lock: {} }
        if (options.steal) {
          holder?.reject(new DOMException('stolen', 'AbortError'))
          grant(waiter)
        } else if (!holder) {
          grant(waiter)
        } else if (options.ifAvailable) {
          void Promise.resolve(callback(null)).then(resolve, reject)
        } else {
          queue.push(waiter)
          options.signal?.addEventListener('abort', () => {
            const at = queue.indexOf(waiter)
            if (at >= 0) queue.splice(at, 1)
            reject(new DOMException('aborted', 'AbortError'))
          })
        }
      })
    },
  }
  return {
    locks,
    /** The holder's tab closed or crashed. */
    release() {
      holder = undefined
      const next = queue.shift()
      if (next) grant(next)
    },
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => vi.unstubAllGlobals())

describe('the line lock over Web Locks', () => {
  it('a tab queued for the line gets it when the holder\'s tab goes away, and hears when it is stolen later', async () => {
    const fake = fakeLocks()
    vi.stubGlobal('navigator', { locks: fake.locks })
    const leader = browserLineLock()
    const follower = browserLineLock()
    const leaderLost = vi.fn()
    expect(await leader.acquire(leaderLost)).toBe(true)
    const granted = vi.fn()
    const followerLost = vi.fn()
    expect(await follower.acquire(vi.fn())).toBe(false)
    follower.wait(granted, followerLost)
    await flush()
    expect(granted).not.toHaveBeenCalled()
    fake.release()
    await flush()
    expect(granted).toHaveBeenCalledTimes(1)
    expect(followerLost).not.toHaveBeenCalled()
    // A third tab moves the line to itself: the one that got it by waiting hears it lost it.
    const third = browserLineLock()
    void third.takeOver(vi.fn())
    await flush()
    expect(followerLost).toHaveBeenCalledTimes(1)
    expect(leaderLost).not.toHaveBeenCalled()
  })

  it('leaving the queue (the agent moves the line here by hand) is no loss of the line', async () => {
    const fake = fakeLocks()
    vi.stubGlobal('navigator', { locks: fake.locks })
    await browserLineLock().acquire(vi.fn())
    const tab = browserLineLock()
    const granted = vi.fn()
    const lost = vi.fn()
    const cancel = tab.wait(granted, lost)
    cancel()
    fake.release()
    await flush()
    expect(granted).not.toHaveBeenCalled()
    expect(lost).not.toHaveBeenCalled()
  })

  it('without Web Locks every tab has the line, as before (no queue)', async () => {
    vi.stubGlobal('navigator', {})
    const lock = browserLineLock()
    expect(await lock.acquire(vi.fn())).toBe(true)
    const granted = vi.fn()
    lock.wait(granted, vi.fn())()
    expect(granted).not.toHaveBeenCalled()
  })
})
