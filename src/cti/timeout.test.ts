import { describe, expect, it } from 'vitest'
import { FakeClock, flush } from './testing/fakes'
import { withTimeout } from './timeout'

describe('withTimeout', () => {
  it('returns the value when the work finishes in time and clears its timer', async () => {
    const clock = new FakeClock()
    const result = withTimeout(clock, 1000, undefined, () => Promise.resolve(7))
    await expect(result).resolves.toEqual({ kind: 'done', value: 7 })
    expect(clock.pending).toBe(0)
  })

  it('aborts the signal and moves on at the deadline, even when the work ignores the signal', async () => {
    const clock = new FakeClock()
    let signal: AbortSignal | undefined
    let settled: unknown
    void withTimeout(clock, 1000, undefined, (s) => {
      signal = s
      return new Promise(() => {})
    }).then((result) => (settled = result))
    await clock.advance(999)
    expect(settled).toBeUndefined()
    expect(signal?.aborted).toBe(false)
    await clock.advance(1)
    expect(settled).toEqual({ kind: 'timeout' })
    expect(signal?.aborted).toBe(true)
  })

  it('0 means no timeout', async () => {
    const clock = new FakeClock()
    void withTimeout(clock, 0, undefined, () => new Promise(() => {}))
    await flush()
    expect(clock.pending).toBe(0)
  })

  it.each([
    ['a rejection', () => Promise.reject(new Error('boom'))],
    [
      'a synchronous throw',
      () => {
        throw new Error('boom')
      },
    ],
  ])('turns %s into an error value', async (_name, run) => {
    const result = await withTimeout(new FakeClock(), 1000, undefined, run)
    expect(result).toEqual({ kind: 'error', error: new Error('boom') })
  })

  it('stops at once when the cancel signal fires', async () => {
    const clock = new FakeClock()
    const cancel = new AbortController()
    const result = withTimeout(clock, 1000, cancel.signal, () => new Promise(() => {}))
    cancel.abort()
    await expect(result).resolves.toEqual({ kind: 'aborted' })
    expect(clock.pending).toBe(0)
  })
})
