import { describe, expect, it } from 'vitest'
import { busiestRenderer, idleFigures, percentOfCore, threadMs, threadTicks } from './bench-idle.mjs'

/** A `SystemInfo.getProcessInfo` snapshot: `[pid, type, cpuTime s]`. */
const snapshot = (rows) => new Map(rows.map(([pid, type, cpuTime]) => [pid, { type, cpuTime }]))

describe('which renderer is the page\'s', () => {
  const before = snapshot([[1, 'browser', 1], [10, 'renderer', 0.5], [11, 'renderer', 2], [20, 'GPU', 0.1]])

  it('is the renderer that ran the page\'s busy loop, not a busier process of another type', () => {
    const after = snapshot([[1, 'browser', 3], [10, 'renderer', 0.52], [11, 'renderer', 2.29], [20, 'GPU', 0.1]])
    expect(busiestRenderer(before, after, 0.18)).toBe(11)
  })

  it('counts a renderer started meanwhile from zero', () => {
    expect(busiestRenderer(before, snapshot([[10, 'renderer', 0.5], [12, 'renderer', 0.3]]), 0.18)).toBe(12)
  })

  it('is none when no renderer grew by the floor', () => {
    expect(busiestRenderer(before, snapshot([[10, 'renderer', 0.55], [11, 'renderer', 2.05]]), 0.08)).toBeUndefined()
  })

  it('is none when two renderers were busy alike (the probe is tried again)', () => {
    expect(busiestRenderer(before, snapshot([[10, 'renderer', 0.7], [11, 'renderer', 2.3]]), 0.08)).toBeUndefined()
  })
})

describe('the idle figures of one window', () => {
  it('give each process\'s CPU time over wall time as % of one core, and the main thread\'s metrics', () => {
    const before = snapshot([[1, 'browser', 1], [10, 'renderer', 0.77], [11, 'renderer', 1.1], [12, 'renderer', 0.04], [30, 'network.mojom.NetworkService', 0.07]])
    const after = snapshot([[1, 'browser', 1.15], [10, 'renderer', 0.82], [11, 'renderer', 1.25], [12, 'renderer', 0.04], [30, 'network.mojom.NetworkService', 0.13]])
    expect(idleFigures({
      pid: 10,
      wallSeconds: 60.02,
      before,
      after,
      metricsBefore: { TaskDuration: 1.5, ScriptDuration: 0.4, LayoutCount: 12, RecalcStyleCount: 30 },
      metricsAfter: { TaskDuration: 1.56, ScriptDuration: 0.4065, LayoutCount: 12, RecalcStyleCount: 31 },
    })).toEqual({
      windowS: 60,
      rendererCpuPercent: 0.08,
      browserCpuPercent: 0.25,
      otherProcessesCpuPercent: 0.35,
      otherProcessesByType: { renderer: 0.25, 'network.mojom.NetworkService': 0.1 },
      mainThreadTaskPercent: 0.1,
      mainThreadScriptMs: 6.5,
      layouts: 0,
      styleRecalcs: 1,
    })
  })

  it('rounds to hundredths of a percent, the budget being 0.2 %', () => {
    expect(percentOfCore(0.12, 60)).toBe(0.2)
    expect(percentOfCore(0.126, 60)).toBe(0.21)
  })
})

describe('the renderer\'s CPU time by thread (Linux /proc)', () => {
  const proc = (threads) => ({
    list: () => Object.keys(threads),
    read: (file) => {
      const tid = file.split('/')[4]
      if (!(tid in threads)) throw new Error('ENOENT')
      const [name, utime, stime] = threads[tid]
      return `${tid} (${name}) S 1 2 3 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 12 0 500 0 0\n`
    },
  })

  it('sums utime and stime per thread name, and reads a name with spaces and parentheses', () => {
    const before = threadTicks(7, proc({ 7: ['chromium', 40, 10], 8: ['DedicatedWorker', 1, 1], 9: ['ThreadPool (x)', 0, 0] }))
    const after = threadTicks(7, proc({ 7: ['chromium', 44, 11], 8: ['DedicatedWorker', 2, 1], 9: ['ThreadPool (x)', 1, 0], 10: ['ThreadPool (x)', 0, 1] }))
    expect(threadMs(before, after)).toEqual({ chromium: 50, 'ThreadPool (x)': 20, DedicatedWorker: 10 })
  })

  it('is not measured without /proc', () => {
    expect(threadTicks(7, { list: () => { throw new Error('ENOENT') } })).toBeUndefined()
    expect(threadMs(undefined, undefined)).toBeUndefined()
  })
})
