/**
 * What `npm run bench` writes, apart from measuring: the budgets, which results are over them,
 * the commit and the machine that were measured, and bench/RESULTS.md. Pure except `commitOf`
 * (runs git) and `machineOf` (reads the OS), so the formatting is unit-tested without a lab.
 */
import { execFileSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'

/**
 * The budgets of the design guide. `stat` names the figure of a timing that must stay within
 * `max` (a bundle size is one number). A result without its figure is reported as not measured.
 */
export const BUDGETS = [
  { key: 'initialJsGzipKB', label: 'initial JS, gzip', max: 200, unit: 'KB' },
  { key: 'inviteToPopupMs', label: 'INVITE reaching the page → popup in the DOM (seen by a MutationObserver)', stat: 'p95', max: 8, unit: 'ms' },
  { key: 'dialToInviteSentMs', label: 'dial click → INVITE sent (the number typed at the dial pad first; a series of calls)', stat: 'p95', max: 50, unit: 'ms' },
  // The same budget for the dial that finds no spare offer ready (`spare-offer.ts`).
  { key: 'firstDialToInviteSentMs', label: 'dial click → INVITE sent, the first dial of a phone just opened (no spare offer yet; fresh pages)', stat: 'p95', max: 50, unit: 'ms' },
  // In the DOM, as for the popup: the frame that paints it follows at the display's cadence (below).
  { key: 'searchOverheadMs', label: "search result in the DOM (seen by a MutationObserver), beyond the CRM's own time", stat: 'p95', max: 10, unit: 'ms' },
  // One figure over a window (./bench-idle.mjs), like the bundle size: no percentile.
  { key: 'idleCpuPercent', label: 'idle CPU of the phone page (renderer), % of one core', max: 0.2, unit: '%' },
]

/** Figures measured without a budget of the design guide, listed after the budgets. */
export const FIGURES = [
  { key: 'firstCallAfterIdleMs', label: 'the first call after 100 s idle: INVITE → popup in the DOM (one call; V8 may have dropped the ring path\'s compiled code)' },
  { key: 'searchPaintedOverheadMs', label: "search result painted (the next frame's rAF), beyond the CRM's own time" },
  { key: 'reloadToAudioMs', label: 'reload (F5) during a call → audio back both ways (issue 12)' },
  { key: 'registeredToAudioMs', label: 'the reloaded page registered → audio back both ways (issue 12)' },
]

/** p50/p95/min/max of a list of samples (nearest rank). */
export function stats(samples) {
  if (samples.length === 0) return { n: 0 }
  const s = [...samples].sort((a, b) => a - b)
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]
  return { n: s.length, p50: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s.at(-1).toFixed(1), min: +s[0].toFixed(1) }
}

/** The figure a budget reads from `results`: the bundle size, a timing's `stat`, or a plain number. */
function figureOf(results, budget) {
  if (budget.key === 'initialJsGzipKB') return results.bundle?.initialJsGzipKB
  const value = budget.stat ? results[budget.key]?.[budget.stat] : results[budget.key]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** The result cell of a budget's row in RESULTS.md. */
function resultCell(results, check) {
  if (check.value === undefined && !check.stat) return 'not measured'
  if (check.key === 'initialJsGzipKB') return `${check.value} KB (lazy chunks: ${results.bundle.lazyJsGzipKB} KB; CSS ${results.bundle.cssGzipKB} KB)`
  if (check.key === 'idleCpuPercent') {
    const v = results.idle?.visible
    return v ? `${check.value} % (${v.windowS} s from ${v.settleS} s after registration; browser process ${v.browserCpuPercent} %, main-thread tasks ${v.mainThreadTaskPercent} %)` : `${check.value} %`
  }
  if (!check.stat) return `${check.value} ${check.unit}`
  return timing(results[check.key])
}

/** The idle windows of ./bench-idle.mjs, each process's share of one core, for information. */
function idleSection(idle) {
  const rows = [['visible', idle?.visible], ['told it is hidden (init script; headless Chromium does not throttle it)', idle?.hidden]]
    .filter(([, f]) => f)
    .map(([page, f]) => {
      const others = Object.entries(f.otherProcessesByType ?? {}).map(([type, p]) => `${type} ${p}`).join(', ')
      const threads = f.rendererThreadsMs ? Object.entries(f.rendererThreadsMs).map(([name, ms]) => `${name} ${ms}`).join(', ') || 'none ran' : '—'
      return `| ${page} | ${f.windowS} s from ${f.settleS} s | ${f.rendererCpuPercent} % | ${threads} | ${f.browserCpuPercent ?? '—'} % | ${f.otherProcessesCpuPercent} % (${others}) | ${f.mainThreadTaskPercent} % | ${f.mainThreadScriptMs} ms | ${f.layouts} / ${f.styleRecalcs} |`
    })
  if (rows.length === 0) return ''
  return `
One registered phone page left idle, % of one core over the window (CDP \`SystemInfo.getProcessInfo\`; other
processes include Chromium's own WebUI renderer and a spare one; the renderer's threads in ms of CPU from
\`/proc\`, 10 ms ticks; main thread from \`Performance.getMetrics\`, its task time is wall time):

| page | window (after registration) | page's renderer | its threads (ms) | browser process | other processes | main-thread tasks | script | layouts / style recalcs |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`
}

/** Each budget with the measured figure and whether it is over (`undefined` = not measured). */
export function checkBudgets(results) {
  return BUDGETS.map((budget) => {
    const value = figureOf(results, budget)
    return { ...budget, value, over: typeof value === 'number' ? value > budget.max : undefined }
  })
}

/**
 * The commit the bench measured: `git rev-parse HEAD`, plus `-dirty` when tracked files differ
 * from it or untracked files are there (a worktree's `node_modules` symlink does not count).
 * `run` is `execFileSync`-like, for tests.
 */
export function commitOf(cwd, run = (cmd, args) => execFileSync(cmd, args, { cwd, encoding: 'utf8' })) {
  let head
  try {
    head = run('git', ['rev-parse', 'HEAD']).trim()
  } catch {
    return 'unknown (not a git checkout)'
  }
  const changes = run('git', ['status', '--porcelain'])
    .split('\n')
    .filter((line) => line.trim() !== '' && line.trim() !== '?? node_modules')
  return changes.length > 0 ? `${head}-dirty` : head
}

/** The machine: CPU model, cores, memory, Node and the Chromium that ran the page. */
export function machineOf(chromium, os = { cpus, totalmem }) {
  const list = os.cpus()
  return {
    cpuModel: list[0]?.model?.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    chromium,
  }
}

/**
 * Goals of the Node benchmarks (`bench/*.bench.ts`, vitest bench, issue 10): the figure is each
 * benchmark's p99 in ms. A benchmark no goal names is listed for information.
 */
export const NODE_GOALS = [
  { group: /first page/, name: /./, max: 50, what: 'history search, first page' },
  { group: /lookupName/, name: /./, max: 1, what: 'phonebook lookup' },
]

/**
 * The figures of a `vitest bench --outputJson` report: one per benchmark (groups that a run
 * reports twice are counted once), times in ms.
 */
export function nodeBenchFigures(report) {
  const seen = new Set()
  const figures = []
  for (const file of report?.files ?? []) {
    for (const group of file.groups ?? []) {
      for (const b of group.benchmarks ?? []) {
        const key = `${group.fullName}\u0000${b.name}`
        if (seen.has(key)) continue
        seen.add(key)
        const ms = (value) => (typeof value === 'number' ? +value.toFixed(3) : undefined)
        const goal = NODE_GOALS.find((g) => g.group.test(group.fullName) && g.name.test(b.name))
        const p99 = ms(b.p99)
        figures.push({
          group: group.fullName.replace(/^.*?\.bench\.ts > /, ''),
          name: b.name,
          meanMs: ms(b.mean),
          p99Ms: p99,
          maxMs: ms(b.max),
          samples: b.sampleCount ?? b.samples?.length ?? 0,
          ...(goal ? { goalMs: goal.max, over: typeof p99 === 'number' ? p99 > goal.max : undefined } : {}),
        })
      }
    }
  }
  return figures
}

function nodeBenchSection(figures) {
  if (!figures || figures.length === 0) return ''
  const rows = figures.map((f) => {
    const goal = f.goalMs === undefined ? '—' : `p99 ≤ ${f.goalMs} ms`
    const verdict = f.goalMs === undefined ? 'information' : f.over === undefined ? 'not measured' : f.over ? '**OVER GOAL**' : 'within'
    return `| ${f.group} | ${f.name} | ${f.meanMs} ms | ${f.p99Ms} ms | ${goal} | ${verdict} |`
  })
  const over = figures.filter((f) => f.over)
  return `
Node benchmarks (\`npx vitest bench --run bench/\`; the history runs on fake-indexeddb, an in-memory
JavaScript IndexedDB: it proves each query walks an index and stops at a page, its times are not
Chromium's):

| group | benchmark | mean | p99 | goal | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}

${over.length === 0 ? 'Every benchmark with a goal is within it.' : `Over goal: ${over.map((f) => `${f.group} › ${f.name}`).join('; ')}.`}
`
}

function timing(stat) {
  if (!stat || !stat.n) return 'not measured'
  return `p50 ${stat.p50} ms, p95 ${stat.p95} ms, max ${stat.max} ms (${stat.n} samples)`
}

/** The soak's goal for heap growth after GC (issue 11 item 6). */
export const SOAK_HEAP_GROWTH_MAX_MB = 5

/**
 * What results.json keeps of a soak run (`lab/soak.mjs`): the figures, and the problems by count
 * with the first few named, so a bad run is readable without its whole list.
 */
export function soakFigures(soak) {
  const few = (list) => ({ count: list.length, first: list.slice(0, 5) })
  return {
    calls: soak.calls,
    mix: soak.mix,
    withHashCodes: soak.withHashCodes,
    durationS: soak.durationS,
    popups: soak.popups,
    popupProblems: few(soak.popupProblems),
    accessesPerCall: soak.accessesPerCall,
    accesses: soak.accesses,
    accessProblems: few(soak.accessProblems),
    historyRows: soak.historyRows,
    historyProblems: few(soak.historyProblems),
    sippFailures: few(soak.sippFailures.map((f) => `${f.number} (${f.kind}): sipp exit ${f.code}`)),
    errors: soak.errors,
    consoleErrors: soak.consoleErrors.slice(0, 5),
    heapBeforeMB: soak.heapBeforeMB,
    heapAfterMB: soak.heapAfterMB,
    heapGrowthMB: soak.heapGrowthMB,
    warmUpCalls: soak.warmUpCalls,
    listenerGrowth: soak.listenerGrowth,
    nodeGrowth: soak.nodeGrowth,
    timerGrowth: soak.timerGrowth,
  }
}

/** Each check of a soak with its verdict: nothing lost or doubled, no error, heap within its goal, nothing piling up. */
export function checkSoak(soak) {
  const { calls } = soak
  return [
    { label: 'popups (one per call)', result: `${soak.popups} for ${calls} calls`, ok: soak.popups === calls && soak.popupProblems.count === 0 },
    {
      label: 'CRM accesses (each exactly once per call; answer only for answered calls)',
      result: Object.entries(soak.accesses).map(([name, a]) => `${name} ${a.received}/${a.expected}`).join(', '),
      ok: soak.accessProblems.count === 0,
    },
    { label: 'history rows (one per call)', result: `${soak.historyRows} for ${calls} calls`, ok: soak.historyRows === calls && soak.historyProblems.count === 0 },
    { label: 'calls that did not go as sipp expected', result: String(soak.sippFailures.count), ok: soak.sippFailures.count === 0 },
    { label: 'console errors', result: String(soak.errors), ok: soak.errors === 0 },
    {
      label: `JS heap after GC, after ${soak.warmUpCalls} warm-up calls → at the end`,
      result: `${soak.heapBeforeMB} MB → ${soak.heapAfterMB} MB (${soak.heapGrowthMB >= 0 ? '+' : ''}${soak.heapGrowthMB} MB; goal ≤ ${SOAK_HEAP_GROWTH_MAX_MB} MB)`,
      ok: soak.heapGrowthMB <= SOAK_HEAP_GROWTH_MAX_MB,
    },
    {
      label: 'left behind: timers (vs. the start), event listeners, DOM nodes (vs. the warm-up)',
      result: `${soak.timerGrowth} timers, ${soak.listenerGrowth} listeners, ${soak.nodeGrowth} nodes`,
      ok: soak.timerGrowth <= 0 && soak.listenerGrowth <= 10 && soak.nodeGrowth <= 100,
    },
  ]
}

/** The hidden-tab run (`lab/hidden-phone.mjs`, issue 11): page timers throttled, the line's on time. */
export function throttlingSection(t) {
  if (!t) return ''
  const chain = t.pageTimerChain2s
  const after = chain.afterGraceGapsMs.length ? `${Math.min(...chain.afterGraceGapsMs)}–${Math.max(...chain.afterGraceGapsMs)} ms` : 'none'
  const options = t.lineProbeOptions
  const registers = t.registerRefreshes
  return `
Intensive wake-up throttling: the phone's tab hidden ${t.hiddenSeconds} s behind another tab (${t.hiddenHow};
\`${t.flags}\`):

| measure | result |
|---|---|
| visibility after hiding | ${t.visibilityAfterHide} |
| the page's own chained 2 s timer | ${chain.ticks} ticks, largest gap ${chain.maxGapMs} ms, gaps after the grace period ${after} |
| the line's OPTIONS probe (set to ${options.intervalSetS} s, Worker clock) | ${options.sent} sent, largest gap ${options.maxGapMs} ms |
| REGISTER refreshes (expiry ${registers.expiresS} s) | ${registers.sentWhileHidden} sent, gaps ${registers.gapsMs.join(', ')} ms |
| shown registered | ${t.registrationShown.samples - t.registrationShown.notRegistered.length} of ${t.registrationShown.samples} samples |
| a call while hidden: popup after the INVITE | ${t.ring.popupAfterInviteMs ?? 'no popup'} ms |
`
}

function soakSection(soak) {
  if (!soak) return ''
  const rows = checkSoak(soak).map((check) => `| ${check.label} | ${check.result} | ${check.ok ? 'ok' : '**FAILED**'} |`)
  const mix = Object.entries(soak.mix).map(([kind, n]) => `${n} ${kind}`).join(', ')
  return `
The soak: ${soak.calls} calls against one agent page in ${soak.durationS} s (${mix}; ${soak.withHashCodes} with raw \`#\` codes; up to three ringing at once):

| check | result | verdict |
|---|---|---|
${rows.join('\n')}
`
}

/** bench/RESULTS.md: one row per budget, over-budget rows flagged, then the commit and machine. */
export function resultsMarkdown(results, notes = {}) {
  const { machine, commit } = results
  const rows = checkBudgets(results).map((check) => {
    const result = resultCell(results, check)
    const budget = check.stat ? `${check.stat} ≤ ${check.max} ${check.unit}` : `≤ ${check.max} ${check.unit}`
    const verdict = check.over === undefined ? 'not measured' : check.over ? '**OVER BUDGET**' : 'within'
    const label = notes[check.key] ? `${check.label} (${notes[check.key]})` : check.label
    return `| ${label} | ${result} | ${budget} | ${verdict} |`
  })
  const stages = (results.ringStagesMs ?? []).map((stage) => `| ${stage.label} | ${timing(stage.stats)} |`)
  const stageTable = stages.length === 0 ? '' : `
The ring path, stage by stage (ms after the INVITE reached the page's WebSocket, \`tsunagu:invite\`):

| stage | after the INVITE |
|---|---|
${stages.join('\n')}
`
  const figures = FIGURES.filter((f) => results[f.key]).map((f) => `| ${f.label} | ${timing(results[f.key])} |`)
  const figureTable = figures.length === 0 ? '' : `
Other figures (no budget):

| measure | result |
|---|---|
${figures.join('\n')}
`
  const over = checkBudgets(results).filter((check) => check.over)
  const soakFailed = results.soak ? checkSoak(results.soak).filter((check) => !check.ok) : []
  const summary = (over.length === 0 ? 'Every measured result is within its budget.' : `Over budget: ${over.map((check) => check.label).join('; ')}.`)
    + (soakFailed.length === 0 ? '' : ` Soak failed: ${soakFailed.map((check) => check.label).join('; ')}.`)
  return `# Benchmark results

Produced by \`npm run bench\` on ${results.date}, real Kamailio + sipp on loopback.

- commit: \`${commit}\`
- machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Chromium ${machine.chromium} (headless)

| measure | result | budget | verdict |
|---|---|---|---|
${rows.join('\n')}

${summary}
${stageTable}${figureTable}${idleSection(results.idle)}${soakSection(results.soak)}${throttlingSection(results.throttling)}${nodeBenchSection(results.nodeBench)}`
}
