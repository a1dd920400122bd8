/**
 * `npm test`'s arguments (see the header of ./test.mjs): each runner gets the arguments that
 * follow its flag, `--unit` for Vitest's `unit` project and `--e2e` for Playwright. Without
 * either flag, everything runs with no arguments.
 *
 * @param {readonly string[]} argv
 * @returns {{ unit?: string[], e2e?: string[], error?: string }}
 */
export function parseTestArgs(argv) {
  const runners = { unit: undefined, e2e: undefined }
  let current
  for (const arg of argv) {
    if (arg === '--unit' || arg === '--e2e') {
      current = arg.slice(2)
      runners[current] ??= []
    } else if (current === undefined) {
      return { error: `"${arg}" before --unit or --e2e: say which runner it is for (npm test -- --unit ${arg}, or --e2e ${arg})` }
    } else {
      runners[current].push(arg)
    }
  }
  if (!runners.unit && !runners.e2e) return { unit: [], e2e: [] }
  return runners
}

