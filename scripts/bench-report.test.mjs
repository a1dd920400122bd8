import { describe, expect, it } from 'vitest'
import { checkBudgets, commitOf, machineOf, resultsMarkdown, stats } from './bench-report.mjs'

const machine = { cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 23.5, node: 'v20.20.2', chromium: '156.0.8078.108' }
const results = {
  date: '2026-12-01T20:00:00.000Z',
  commit: '5b9f601c0ffee-dirty',
  machine,
  bundle: { initialJsGzipKB: 190.3, lazyJsGzipKB: 138.7, cssGzipKB: 51.5 },
  inviteToPopupMs: { n: 30, p50: 15, p95: 26.5, max: 31, min: 9 },
  dialToInviteSentMs: { n: 20, p50: 39, p95: 43.9, max: 53.1, min: 30 },
  searchOverheadMs: { n: 20, p50: 9.8, p95: 23.3, max: 25, min: 4 },
}

describe('the bench report', () => {
  it('flags each result over its budget, and only those', () => {
    expect(checkBudgets(results).map(({ key, value, over }) => [key, value, over])).toEqual([
      ['initialJsGzipKB', 190.3, false],
      ['inviteToPopupMs', 26.5, true],
      ['dialToInviteSentMs', 43.9, false],
      ['searchOverheadMs', 23.3, true],
    ])
  })

  it('writes the flags, the commit and the machine into RESULTS.md', () => {
    const md = resultsMarkdown(results, { searchOverheadMs: 'a 100 ms CRM' })
    const row = (start) => md.split('\n').find((line) => line.startsWith(`| ${start}`))
    expect(row('initial JS')).toBe('| initial JS, gzip | 190.3 KB (lazy chunks: 138.7 KB; CSS 51.5 KB) | ≤ 200 KB | within |')
    expect(row('INVITE')).toBe('| INVITE reaching the page → popup in the DOM (seen by a MutationObserver) | p50 15 ms, p95 26.5 ms, max 31 ms (30 samples) | p95 ≤ 8 ms | **OVER BUDGET** |')
    expect(md).not.toContain('stage by stage')
    expect(row('dial')).toMatch(/\| p95 ≤ 50 ms \| within \|$/)
    expect(row('search')).toMatch(/^\| search result shown, beyond the CRM's own time \(a 100 ms CRM\) \|.*\| p95 ≤ 10 ms \| \*\*OVER BUDGET\*\* \|$/)
    expect(md).toContain('- commit: `5b9f601c0ffee-dirty`')
    expect(md).toContain('- machine: 2 × AMD EPYC, 23.5 GiB, Node v20.20.2, Chromium 156.0.8078.108 (headless)')
    expect(md).toContain("Over budget: INVITE reaching the page → popup in the DOM (seen by a MutationObserver); search result shown, beyond the CRM's own time.")
  })

  it('says "not measured" rather than passing a result it does not have', () => {
    const partial = { ...results, searchOverheadMs: stats([]) }
    expect(checkBudgets(partial).at(-1)).toMatchObject({ key: 'searchOverheadMs', over: undefined })
    expect(resultsMarkdown(partial)).toMatch(/\| search result shown, beyond the CRM's own time \| not measured \| p95 ≤ 10 ms \| not measured \|/)
  })

  it('computes nearest-rank percentiles', () => {
    expect(stats([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ n: 10, p50: 5, p95: 10, max: 10, min: 1 })
  })
})

describe('commitOf', () => {
  const git = (status) => (cmd, args) => (args[0] === 'rev-parse' ? 'abc123\n' : status)

  it.each([
    ['a clean tree', '', 'abc123'],
    ['a worktree whose only untracked entry is the node_modules symlink', '?? node_modules\n', 'abc123'],
    ['a modified file', ' M src/App.vue\n', 'abc123-dirty'],
    ['an untracked file', '?? src/new.ts\n', 'abc123-dirty'],
  ])('%s → %s', (_name, status, expected) => {
    expect(commitOf('/repo', git(status))).toBe(expected)
  })

  it('says so outside a git checkout', () => {
    expect(commitOf('/tmp', () => { throw new Error('not a git repository') })).toMatch(/^unknown/)
  })
})

describe('machineOf', () => {
  it('reads CPU model, cores and memory, and takes the Chromium version', () => {
    const os = { cpus: () => [{ model: ' AMD EPYC 7B13 ' }, { model: ' AMD EPYC 7B13 ' }], totalmem: () => 8 * 2 ** 30 }
    expect(machineOf('156.0.8078.108', os)).toEqual({ cpuModel: 'AMD EPYC 7B13', cpus: 2, memoryGiB: 8, node: process.version, chromium: '156.0.8078.108' })
  })
})

describe('the ring-path stages', () => {
  it('are listed after the budgets, each with its figures', () => {
    const md = resultsMarkdown({ ...results, ringStagesMs: [{ name: 'tsunagu:call-read', label: 'the call is read (readCall)', stats: { n: 20, p50: 1.2, p95: 2.5, max: 3, min: 1 } }] })
    expect(md).toContain('| the call is read (readCall) | p50 1.2 ms, p95 2.5 ms, max 3 ms (20 samples) |')
  })
})

describe('the resume figures (issue 12)', () => {
  it('are listed after the budgets with median and p95, only when measured', () => {
    const md = resultsMarkdown({
      ...results,
      reloadToAudioMs: stats([1800, 1900, 2000, 2100, 2200, 2300, 2400, 2500, 2600, 3900]),
      registeredToAudioMs: { n: 10, p50: 600, p95: 900, max: 950, min: 400 },
    })
    expect(md).toContain('| reload (F5) during a call → audio back both ways (issue 12) | p50 2200 ms, p95 3900 ms, max 3900 ms (10 samples) |')
    expect(md).toContain('| the reloaded page registered → audio back both ways (issue 12) | p50 600 ms, p95 900 ms, max 950 ms (10 samples) |')
    expect(resultsMarkdown(results)).not.toContain('Other figures')
  })
})
