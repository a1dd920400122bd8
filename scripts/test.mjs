#!/usr/bin/env node
/**
 * `npm test`: everything, in the order that fails fastest — lint, typecheck, unit tests
 * (Vitest), browser tests (Playwright against the real lab). Installs what is missing
 * first. Ends with one line `N passed, N failed[, N skipped]`, totalling unit and browser
 * tests, with lint and typecheck counted as one test each.
 *
 *   npm test                 all of it
 *   npm test -- --unit       lint, typecheck and unit tests only
 *   npm test -- --e2e        browser tests only (plus the grep that follows, e.g. -g popup)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureNodeModules, ensureSystemPackages } from './setup-lab.mjs'

const args = process.argv.slice(2)
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all'
const passThrough = args.filter((a) => a !== '--unit' && a !== '--e2e')
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

ensureNodeModules()
if (only !== 'unit') ensureSystemPackages()

if (only !== 'e2e') {
  step('lint', 'npx', ['eslint', '.'])
  step('typecheck', 'npx', ['vue-tsc', '--build', '--force'])
  const report = join(tmp, 'vitest.json')
  const code = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
  const r = readJson(report)
  if (r) {
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0)
    if (r.numFailedTests > 0 || code !== 0) failures.push('unit tests')
    if (code !== 0 && r.numFailedTests === 0) totals.failed += 1
  } else {
    totals.failed += 1
    failures.push('unit tests (no report)')
  }
}

if (only !== 'unit') {
  const report = join(tmp, 'playwright.json')
  const code = run('npx', ['playwright', 'test', ...passThrough], { PW_JSON_REPORT: report })
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
