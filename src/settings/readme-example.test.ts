import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseSettings } from './settings'

/** The JSON blocks of the README's provisioning section, kept true by this test. */
function section(title: string, next: string): string {
  const readme = readFileSync('README.md', 'utf8')
  return readme.slice(readme.indexOf(title), readme.indexOf(next, readme.indexOf(title)))
}
const jsonBlocks = (text: string) => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown)

describe('README provisioning examples', () => {
  it('the example document is valid, strictly, with no unknown key', () => {
    const [doc] = jsonBlocks(section('### Example', '### Settings reference'))
    const result = parseSettings(doc, undefined, true)
    expect(result.ok && result.warnings).toEqual([])
  })

  it('the policy file is JSON with the policies the table explains', () => {
    const text = section('### Browser policies for a managed fleet', '## CTI custom integration')
    const [policies] = jsonBlocks(text) as Record<string, unknown>[]
    for (const name of Object.keys(policies!)) expect(text).toContain(`| \`${name}`)
  })
})
