import { describe, expect, it } from 'vitest'
import { parseTestArgs } from './test-args.mjs'

describe('npm test arguments', () => {
  it.each([
    ['nothing: every step, no arguments', [], { unit: [], e2e: [] }],
    ['--unit alone', ['--unit'], { unit: [] }],
    ['--unit with a folder', ['--unit', 'src/cti'], { unit: ['src/cti'] }],
    ['--unit with a name filter', ['--unit', 'src/cti', '-t', 'one call'], { unit: ['src/cti', '-t', 'one call'] }],
    ['--e2e with a spec', ['--e2e', 'e2e/popup.spec.ts'], { e2e: ['e2e/popup.spec.ts'] }],
    ['--e2e with a grep', ['--e2e', '-g', 'popup'], { e2e: ['-g', 'popup'] }],
    ['both, each with its own', ['--unit', 'src/cti', '--e2e', 'e2e/cti.spec.ts'], { unit: ['src/cti'], e2e: ['e2e/cti.spec.ts'] }],
    ['a flag twice adds up', ['--e2e', 'a.spec.ts', '--e2e', 'b.spec.ts'], { e2e: ['a.spec.ts', 'b.spec.ts'] }],
  ])('%s', (_name, argv, expected) => {
    expect(parseTestArgs(argv)).toEqual(expected)
  })

  it('refuses an argument that names no runner', () => {
    expect(parseTestArgs(['e2e/popup.spec.ts']).error).toMatch(/before --unit or --e2e/)
  })
})
