import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEPLOY_SCHEMA_FILE, deployJsonSchemaText, jsonSchemaText, SCHEMA_FILE } from './json-schema'
import { lockablePaths } from './lockable-paths'

describe('published JSON Schema', () => {
  it(`${SCHEMA_FILE} is what schema.ts generates (UPDATE_SCHEMA=1 rewrites it)`, () => {
    const generated = jsonSchemaText()
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, generated)
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated)
  })

  it(`${DEPLOY_SCHEMA_FILE} is what deploy.ts generates (UPDATE_SCHEMA=1 rewrites it)`, () => {
    const generated = deployJsonSchemaText()
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(DEPLOY_SCHEMA_FILE, generated)
    expect(readFileSync(DEPLOY_SCHEMA_FILE, 'utf8')).toBe(generated)
  })

  it('the README reference tables name every key of the format', () => {
    const readme = readFileSync('README.md', 'utf8')
    // First cells of table rows, e.g. "| `sip.server` |" or "| `agent.id`, `agent.password` |".
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'))
    const named = (path: string) => rows.find((row) => row.split('|')[1]!.includes(`\`${path}\``))
    const all = lockablePaths()
    const leaves = all.filter((path) => !all.some((other) => other.startsWith(`${path}.`)))
    const missing = ['$schema', 'version', 'locked', ...leaves].filter((path) => {
      // The accesses share one row, which names their keys.
      const access = /^cti\.accesses\.(?:auth|search|click|ring|answer|hangup|history|recording)\.(\w+)$/.exec(path)
      if (access) return !named('cti.accesses.<access>')?.includes(`\`${access[1]}`)
      return !named(path)
    })
    expect(missing).toEqual([])
  })
})
