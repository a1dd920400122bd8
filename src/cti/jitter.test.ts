import { describe, expect, it } from 'vitest'
import { pollDelay, retryDelay, RETRY_BASE_MS, RETRY_CAP_MS } from './jitter'

const MINUTE = 60_000
const fixed = (value: number) => () => value

describe('pollDelay', () => {
  it.each([
    [0, 10 * MINUTE],
    [0.5, 9 * MINUTE],
    [0.999_999, 8 * MINUTE],
  ])('random %s → %s ms: between 80 % and 100 % of the period, never later', (random, expected) => {
    expect(pollDelay(10 * MINUTE, fixed(random))).toBe(expected)
  })

  it('1,000 phones that logged in together poll spread over the last fifth of the period', () => {
    let seed = 1
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const delays = Array.from({ length: 1000 }, () => pollDelay(10 * MINUTE, random))
    const perSecond = new Map<number, number>()
    for (const d of delays) perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) ?? 0) + 1)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(8 * MINUTE)
    expect(Math.max(...delays)).toBeLessThanOrEqual(10 * MINUTE)
    // 120 seconds of window: no second gets more than a few percent of the phones.
    expect(Math.max(...perSecond.values())).toBeLessThan(30)
  })
})

describe('retryDelay', () => {
  it('doubles from the base with each failure, half fixed and half random', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, fixed(0)))).toEqual([7_500, 15_000, 30_000, 60_000])
    expect([1, 2, 3, 4].map((n) => retryDelay(n, fixed(0.999_999)))).toEqual([15_000, 30_000, 60_000, 120_000])
    expect(retryDelay(1, fixed(0.5))).toBe(RETRY_BASE_MS * 0.75)
  })

  it('is capped by the poll period and by RETRY_CAP_MS, also after very many failures', () => {
    expect(retryDelay(10, fixed(0.999_999), 5 * MINUTE)).toBe(5 * MINUTE)
    expect(retryDelay(10, fixed(0), 5 * MINUTE)).toBe(2.5 * MINUTE)
    expect(retryDelay(1_000, fixed(0.999_999))).toBe(RETRY_CAP_MS)
  })

  it('after an outage, 1,000 phones come back spread over the step, not in one second', () => {
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    const delays = Array.from({ length: 1000 }, () => retryDelay(4, random))
    const perSecond = new Map<number, number>()
    for (const d of delays) perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) ?? 0) + 1)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(60_000)
    expect(Math.max(...delays)).toBeLessThanOrEqual(120_000)
    expect(Math.max(...perSecond.values())).toBeLessThan(50)
  })

  it('a random source out of range cannot make a delay negative or past the step', () => {
    expect(retryDelay(1, fixed(-3))).toBe(7_500)
    expect(retryDelay(1, fixed(7))).toBe(15_000)
    expect(pollDelay(MINUTE, fixed(-1))).toBe(MINUTE)
  })
})
