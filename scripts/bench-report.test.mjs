import { describe, expect, it } from 'vitest'
import { checkBudgets, checkSoak, commitOf, machineOf, nodeBenchFigures, resultsMarkdown, soakFigures, stats } from './bench-report.mjs'

const machine = { cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 23.5, node: 'v20.20.2', chromium: '156.0.8078.108' }
const results = {
  date: '2026-12-01T20:00:00.000Z',
  commit: '5b9f601c0ffee-dirty',
  machine,
  bundle: { initialJsGzipKB: 190.3, lazyJsGzipKB: 138.7, cssGzipKB: 51.5 },
  inviteToPopupMs: { n: 30, p50: 15, p95: 26.5, max: 31, min: 9 },
  dialToInviteSentMs: { n: 20, p50: 39, p95: 43.9, max: 53.1, min: 30 },
  firstDialToInviteSentMs: { n: 10, p50: 45, p95: 61.2, max: 61.2, min: 38 },
  searchOverheadMs: { n: 20, p50: 9.8, p95: 23.3, max: 25, min: 4 },
  idleCpuPercent: 0.08,
}

describe('the bench report', () => {
  it('flags each result over its budget, and only those', () => {
    expect(checkBudgets(results).map(({ key, value, over }) => [key, value, over])).toEqual([
      ['initialJsGzipKB', 190.3, false],
      ['inviteToPopupMs', 26.5, true],
      ['dialToInviteSentMs', 43.9, false],
      ['firstDialToInviteSentMs', 61.2, true],
      ['searchOverheadMs', 23.3, true],
      ['idleCpuPercent', 0.08, false],
    ])
  })

  it('writes the flags, the commit and the machine into RESULTS.md', () => {
    const md = resultsMarkdown(results, { searchOverheadMs: 'a 100 ms CRM' })
    const row = (start) => md.split('\n').find((line) => line.startsWith(`| ${start}`))
    expect(row('initial JS')).toBe('| initial JS, gzip | 190.3 KB (lazy chunks: 138.7 KB; CSS 51.5 KB) | ≤ 200 KB | within |')
    expect(row('INVITE')).toBe('| INVITE reaching the page → popup in the DOM (seen by a MutationObserver) | p50 15 ms, p95 26.5 ms, max 31 ms (30 samples) | p95 ≤ 8 ms | **OVER BUDGET** |')
    expect(md).not.toContain('stage by stage')
    expect(row('dial click → INVITE sent (')).toMatch(/\| p95 ≤ 50 ms \| within \|$/)
    expect(row('dial click → INVITE sent, the first dial')).toMatch(/\| p50 45 ms, p95 61.2 ms, max 61.2 ms \(10 samples\) \| p95 ≤ 50 ms \| \*\*OVER BUDGET\*\* \|$/)
    expect(row('search')).toMatch(/^\| search result in the DOM \(seen by a MutationObserver\), beyond the CRM's own time \(a 100 ms CRM\) \|.*\| p95 ≤ 10 ms \| \*\*OVER BUDGET\*\* \|$/)
    expect(md).toContain('- commit: `5b9f601c0ffee-dirty`')
    expect(md).toContain('- machine: 2 × AMD EPYC, 23.5 GiB, Node v20.20.2, Chromium 156.0.8078.108 (headless)')
    expect(md).toContain("Over budget: INVITE reaching the page → popup in the DOM (seen by a MutationObserver); dial click → INVITE sent, the first dial of a phone just opened (no spare offer yet; fresh pages); search result in the DOM (seen by a MutationObserver), beyond the CRM's own time.")
  })

  it('says "not measured" rather than passing a result it does not have', () => {
    const partial = { ...results, searchOverheadMs: stats([]) }
    expect(checkBudgets(partial).find((check) => check.key === 'searchOverheadMs')).toMatchObject({ over: undefined })
    expect(resultsMarkdown(partial)).toMatch(/\| search result in the DOM \(seen by a MutationObserver\), beyond the CRM's own time \| not measured \| p95 ≤ 10 ms \| not measured \|/)
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

describe('the soak', () => {
  /** What lab/soak.mjs returns for a clean run of 1,000 calls. */
  const run = {
    calls: 1000,
    mix: { 'answer-caller-bye': 300, cancel: 350, decline: 200, 'answer-agent-bye': 150 },
    withHashCodes: 500,
    durationS: 412.3,
    popups: 1000,
    popupProblems: [],
    accesses: { search: { received: 1000, expected: 1000, min: 1, max: 1 }, ring: { received: 1000, expected: 1000, min: 1, max: 1 }, answer: { received: 450, expected: 450, min: 0, max: 1 }, hangup: { received: 1000, expected: 1000, min: 1, max: 1 } },
    accessesPerCall: { search: 1, ring: 1, answer: 0.45, hangup: 1 },
    accessProblems: [],
    historyRows: 1000,
    historyProblems: [],
    sippFailures: [],
    errors: 0,
    consoleErrors: [],
    heapBeforeMB: 8.4,
    heapAfterMB: 9.9,
    heapGrowthMB: 1.5,
    warmUpCalls: 13,
    listenerGrowth: 0,
    nodeGrowth: -20,
    timerGrowth: 0,
  }

  it('keeps the figures and counts the problems in results.json, naming the first few', () => {
    const figures = soakFigures({ ...run, accessProblems: Array.from({ length: 7 }, (_, i) => `ring 03990000${i}: 2 received, 1 expected`) })
    expect(figures).toMatchObject({ calls: 1000, popups: 1000, errors: 0, heapBeforeMB: 8.4, heapAfterMB: 9.9, accessesPerCall: { answer: 0.45 } })
    expect(figures.accessProblems.count).toBe(7)
    expect(figures.accessProblems.first).toHaveLength(5)
  })

  it('a clean run passes every check and shows in RESULTS.md with its figures', () => {
    const soak = soakFigures(run)
    expect(checkSoak(soak).every((check) => check.ok)).toBe(true)
    const md = resultsMarkdown({ ...results, soak })
    expect(md).toContain('The soak: 1000 calls against one agent page in 412.3 s (300 answer-caller-bye, 350 cancel, 200 decline, 150 answer-agent-bye; 500 with raw `#` codes')
    expect(md).toContain('| popups (one per call) | 1000 for 1000 calls | ok |')
    expect(md).toContain('| CRM accesses (each exactly once per call; answer only for answered calls) | search 1000/1000, ring 1000/1000, answer 450/450, hangup 1000/1000 | ok |')
    expect(md).toContain('| JS heap after GC, after 13 warm-up calls → at the end | 8.4 MB → 9.9 MB (+1.5 MB; goal ≤ 5 MB) | ok |')
    expect(md).not.toContain('Soak failed')
  })

  it.each([
    ['a doubled access', { accessProblems: ['hangup 0399000007 (cancel): 2 received, 1 expected'] }, 'CRM accesses'],
    ['a missing popup', { popups: 999, popupProblems: ['0399000042: 0 popups'] }, 'popups'],
    ['heap growth over 5 MB', { heapAfterMB: 14.5, heapGrowthMB: 6.1 }, 'JS heap'],
    ['a timer left per call', { timerGrowth: 1000 }, 'left behind'],
    ['a console error', { errors: 1, consoleErrors: ['TypeError: x'] }, 'console errors'],
  ])('%s fails its check, flagged in RESULTS.md', (_name, change, label) => {
    const soak = soakFigures({ ...run, ...change })
    expect(checkSoak(soak).filter((check) => !check.ok).map((check) => check.label)).toEqual([expect.stringContaining(label)])
    const md = resultsMarkdown({ ...results, soak })
    expect(md).toMatch(new RegExp(`\\| ${label}[^\\n]*\\*\\*FAILED\\*\\* \\|`))
    expect(md).toContain('Soak failed:')
  })

  it('a bench without a soak has no soak section', () => {
    expect(resultsMarkdown(results)).not.toContain('The soak')
  })
})

describe('the Node benchmarks (history search, phonebook lookup, history write)', () => {
  const bench = (name, p99, extra = {}) => ({ id: name, name, mean: p99 / 2, p99, max: p99 * 2, sampleCount: 40, samples: [], ...extra })
  const group = (fullName, benchmarks) => ({ fullName, benchmarks })
  const report = {
    files: [
      {
        filepath: '/repo/bench/history.bench.ts',
        groups: [
          group('bench/history.bench.ts > first page (50 rows) over 100000 calls', [bench('newest first, no filter', 2.5), bench('common surname 山田', 61.25)]),
          group('bench/history.bench.ts > writes', [bench('put one row (a state change of a new call)', 0.8)]),
        ],
      },
      {
        filepath: '/repo/bench/phonebook.bench.ts',
        groups: [group('bench/phonebook.bench.ts > lookupName, three books of 50000 entries', [bench('extension', 0.0123456)])],
      },
      // vitest reports a file's groups again when it walks the suites: counted once.
      { filepath: '/repo/bench/history.bench.ts', groups: [group('bench/history.bench.ts > writes', [bench('put one row (a state change of a new call)', 0.8)])] },
    ],
  }

  it('reads vitest bench\'s JSON into one figure per benchmark, with the goals of issue 10', () => {
    expect(nodeBenchFigures(report)).toEqual([
      { group: 'first page (50 rows) over 100000 calls', name: 'newest first, no filter', meanMs: 1.25, p99Ms: 2.5, maxMs: 5, samples: 40, goalMs: 50, over: false },
      { group: 'first page (50 rows) over 100000 calls', name: 'common surname 山田', meanMs: 30.625, p99Ms: 61.25, maxMs: 122.5, samples: 40, goalMs: 50, over: true },
      { group: 'writes', name: 'put one row (a state change of a new call)', meanMs: 0.4, p99Ms: 0.8, maxMs: 1.6, samples: 40 },
      { group: 'lookupName, three books of 50000 entries', name: 'extension', meanMs: 0.006, p99Ms: 0.012, maxMs: 0.025, samples: 40, goalMs: 1, over: false },
    ])
    expect(nodeBenchFigures(undefined)).toEqual([])
  })

  it('lists them in RESULTS.md after the budgets, flagging what is over its goal', () => {
    const md = resultsMarkdown({ ...results, nodeBench: nodeBenchFigures(report) })
    expect(md).toContain('| first page (50 rows) over 100000 calls | common surname 山田 | 30.625 ms | 61.25 ms | p99 ≤ 50 ms | **OVER GOAL** |')
    expect(md).toContain('| writes | put one row (a state change of a new call) | 0.4 ms | 0.8 ms | — | information |')
    expect(md).toContain('| lookupName, three books of 50000 entries | extension | 0.006 ms | 0.012 ms | p99 ≤ 1 ms | within |')
    expect(md).toContain('Over goal: first page (50 rows) over 100000 calls › common surname 山田.')
    expect(resultsMarkdown(results)).not.toContain('Node benchmarks')
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

describe('the idle CPU budget (bench-idle.mjs)', () => {
  /** What measureIdle returns for one window. */
  const window = (rendererCpuPercent, extra = {}) => ({
    hidden: false, settleS: 40, rendererPid: 4242, windowS: 60, rendererCpuPercent, rendererThreadsMs: { chromium: 30, ThreadPoolForeg: 10 }, browserCpuPercent: 0.25, otherProcessesCpuPercent: 0.4,
    otherProcessesByType: { renderer: 0.22, 'network.mojom.NetworkService': 0.1 }, mainThreadTaskPercent: 0.12, mainThreadScriptMs: 6.5, layouts: 0, styleRecalcs: 2, ...extra,
  })
  const row = (md) => md.split('\n').find((line) => line.startsWith('| idle CPU'))

  it('reads a plain number, like the bundle size, and shows it with the browser process and the main thread', () => {
    const md = resultsMarkdown({ ...results, idleCpuPercent: 0.08, idle: { visible: window(0.08) } })
    expect(row(md)).toBe('| idle CPU of the phone page (renderer), % of one core | 0.08 % (60 s from 40 s after registration; browser process 0.25 %, main-thread tasks 0.12 %) | ≤ 0.2 % | within |')
  })

  it('flags a page over 0.2 % of a core', () => {
    const over = { ...results, idleCpuPercent: 0.35, idle: { visible: window(0.35) } }
    expect(checkBudgets(over).find((check) => check.key === 'idleCpuPercent')).toMatchObject({ value: 0.35, over: true })
    expect(row(resultsMarkdown(over))).toMatch(/\| 0\.35 % \(60 s from 40 s after registration;.*\| ≤ 0\.2 % \| \*\*OVER BUDGET\*\* \|$/)
    expect(resultsMarkdown(over)).toContain('Over budget: INVITE')
    expect(resultsMarkdown(over)).toMatch(/Over budget: .*; idle CPU of the phone page \(renderer\), % of one core\./)
  })

  it.each([['absent', undefined], ['not a number', NaN]])('says "not measured" when the figure is %s', (_name, value) => {
    const md = resultsMarkdown({ ...results, idleCpuPercent: value })
    expect(row(md)).toBe('| idle CPU of the phone page (renderer), % of one core | not measured | ≤ 0.2 % | not measured |')
    expect(md).not.toContain('left idle')
  })

  it('lists each idle window with every process, the hidden one when measured', () => {
    const md = resultsMarkdown({ ...results, idle: { visible: window(0.08), hidden: window(0.06, { hidden: true, browserCpuPercent: 0.2, rendererThreadsMs: {} }) } })
    expect(md).toContain('| visible | 60 s from 40 s | 0.08 % | chromium 30, ThreadPoolForeg 10 | 0.25 % | 0.4 % (renderer 0.22, network.mojom.NetworkService 0.1) | 0.12 % | 6.5 ms | 0 / 2 |')
    expect(md).toContain('| told it is hidden (init script; headless Chromium does not throttle it) | 60 s from 40 s | 0.06 % | none ran | 0.2 % |')
    expect(resultsMarkdown({ ...results, idle: { visible: window(0.08, { rendererThreadsMs: undefined }) } })).toContain('| visible | 60 s from 40 s | 0.08 % | — | 0.25 % |')
  })
})
