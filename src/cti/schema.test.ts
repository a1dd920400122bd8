import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { checkCtiSection } from './schema'

/** The error codes the schema gives for a search format (the screens word them, `settings.errors.*`). */
function formatCodes(format: unknown): string[] {
  const checked = checkCtiSection({ accesses: { search: { method: 'get-internal', url: 'https://crm/', format } } })
  return checked.ok ? [] : checked.issues.map((issue) => `${v.getDotPath(issue)} ${issue.message}`)
}

describe('the cti schema: response formats', () => {
  it.each([
    ['{SID}'],
    [''],
    [null],
    [{ json: { NAME: '/x', EMPTY: '' } }],
    [{ regex: '(?<SID>\\w+)', flags: 'i' }],
  ])('accepts %j', (format) => {
    expect(formatCodes(format)).toEqual([])
  })

  it.each([
    [42, 'format'],
    [{ json: { name: '/x' } }, 'variable-name'],
    [{ json: { NAME: 'x' } }, 'json-pointer'],
    [{ regex: '(' }, 'regex'],
    [{ regex: '(\\w+)' }, 'regex-group'],
    [{ regex: '(?<SID>x)', flags: 'q' }, 'regex-flags'],
  ])('refuses %j with %j', (format, code) => {
    expect(formatCodes(format).map((line) => line.split(' ').pop())).toContain(code)
    expect(formatCodes(format).every((line) => line.startsWith('accesses.search.format'))).toBe(true)
  })
})

describe('the cti schema: accesses', () => {
  it('wants a URL for every method but none, at the url', () => {
    const checked = checkCtiSection({ accesses: { ring: { method: 'get', url: ' ' }, click: { method: 'none' } } })
    expect(checked.ok ? [] : checked.issues.map((issue) => [v.getDotPath(issue), issue.message])).toEqual([['accesses.ring.url', 'url-required']])
  })

  it('fills every default of an absent section', () => {
    const checked = checkCtiSection(undefined)
    expect(checked.ok && checked.section).toMatchObject({ target: 'none', skipInternal: true, timeoutSeconds: 10, targetNumbers: 'all', tabName: 'tsunagu-crm' })
  })
})
