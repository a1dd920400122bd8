// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { realClock, type Clock } from '@/sip/clock'
import { pageLifecycle } from './lifecycle'

describe('the page\'s lifecycle port', () => {
  it('moves the app\'s timers to the worker clock as it loads (to the page\'s own where no Worker exists, as in jsdom)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const used: Clock[] = []
    pageLifecycle({ use: (clock) => used.push(clock) })
    pageLifecycle({ use: (clock) => used.push(clock) })
    // The one clock of the page, each time the port is asked for.
    expect(used).toHaveLength(2)
    expect(used[0]).toBe(realClock)
    expect(used[1]).toBe(used[0])
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
  })
})
