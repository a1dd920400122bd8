#!/usr/bin/env node
/**
 * `npm test`: everything, in the order that fails fastest — lint, typecheck, unit tests
 * (Vitest project `unit`), the lab's self-test (Vitest project `lab`: real Kamailio and sipp),
 * browser tests (Playwright against the real lab). Installs what is missing first: npm packages
 * always, Debian's lab packages (`npm run lab:setup`, apt-get) only for the lab and browser
 * steps and only when one is missing. Ends with one line `N passed, N failed[, N skipped]`,
 * totalling all tests, with lint and typecheck counted as one test each.
 *
 *   npm test                                   all of it
 *   npm test -- --unit                         lint, typecheck and unit tests; starts no lab process
 *   npm test -- --unit src/cti                 only these unit tests (every argument after --unit
 *   npm test -- --unit src/cti -t "one call"     goes to `vitest run --project unit`; no lint, typecheck)
 *   npm test -- --e2e                          the lab's self-test, then all browser tests
 *   npm test -- --e2e e2e/popup.spec.ts        only these browser tests (every argument after --e2e
 *   npm test -- --e2e -g "keeps it" --headed     goes to `playwright test`; no lab self-test)
 *   npm test -- --unit src/cti --e2e e2e/cti.spec.ts    both, each with its own arguments
 *
 * An argument before any --unit/--e2e is refused: it is not clear which runner it is for.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureNodeModules, ensureSystemPackages } from './setup-lab.mjs'
import { parseTestArgs } from './test-args.mjs'

const runners = parseTestArgs(process.argv.slice(2))
if (runners.error) {
  console.error(runners.error)
  process.exit(2)
}
const tmp = mkdtempSync(join(tmpdir(), 'tsunagu-test-'))
const totals = { passed: 0, failed: 0, skipped: 0 }
const failures = []

function run(cmd, cmdArgs, env = {}) {
  console.log(`\n▶ ${cmd} ${cmdArgs.join(' ')}`)
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status ?? 1
}

function step(name, cmd, cmdArgs) {
  const ok = run(cmd, cmdArgs) === 0
  totals[ok ? 'passed' : 'failed'] += 1
  if (!ok) failures.push(name)
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/** One Vitest project, its counts added to the totals. */
function vitest(project, label, extra) {
  const report = join(tmp, `vitest-${project}.json`)
  const code = run('npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra])
  const r = readJson(report)
  if (r) {
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0)
    if (r.numFailedTests > 0 || code !== 0) failures.push(label)
    if (code !== 0 && r.numFailedTests === 0) totals.failed += 1
  } else {
    totals.failed += 1
    failures.push(`${label} (no report)`)
  }
}

ensureNodeModules()
if (runners.e2e) ensureSystemPackages()

if (runners.unit) {
  if (runners.unit.length === 0) {
    step('lint', 'npx', ['eslint', '.'])
    step('typecheck', 'npx', ['vue-tsc', '--build', '--force'])
  }
  vitest('unit', 'unit tests', runners.unit)
}

if (runners.e2e) {
  if (runners.e2e.length === 0) vitest('lab', 'lab self-test', [])
  const report = join(tmp, 'playwright.json')
  const code = run('npx', ['playwright', 'test', ...runners.e2e], { PW_JSON_REPORT: report })
  const r = readJson(report)
  if (r?.stats) {
    totals.passed += r.stats.expected + r.stats.flaky
    totals.failed += r.stats.unexpected
    totals.skipped += r.stats.skipped
    if (r.stats.unexpected > 0 || code !== 0) failures.push('browser tests')
    if (code !== 0 && r.stats.unexpected === 0) totals.failed += 1
  } else {
    totals.failed += 1
    failures.push('browser tests (no report)')
  }
}

rmSync(tmp, { recursive: true, force: true })
if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`)
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : ''
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`)
process.exit(totals.failed > 0 ? 1 : 0)
