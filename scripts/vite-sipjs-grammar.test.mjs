import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Grammar } from 'sip.js'
import { describe, expect, it } from 'vitest'
import { hoistBytecode, sipjsGrammar } from './vite-sipjs-grammar.mjs'

const require = createRequire(import.meta.url)
const grammarFile = join(dirname(require.resolve('sip.js/package.json')), 'lib/grammar/pegjs/dist/grammar.js')
const source = readFileSync(grammarFile, 'utf8')

describe('sip.js grammar build step', () => {
  it('moves the bytecode table out of peg$parse, decoded once at module scope', () => {
    const out = hoistBytecode(source)
    const parseAt = out.indexOf('\nfunction peg$parse(')
    expect(out.indexOf('\nconst peg$bytecode = [')).toBeGreaterThan(0)
    expect(out.indexOf('\nconst peg$bytecode = [')).toBeLessThan(parseAt)
    expect(out.slice(parseAt)).not.toContain('peg$bytecode = [')
    // Same table: every encoded rule is still there, once.
    const rules = (text) => text.match(/peg\$decode\("/g).length
    expect(rules(out)).toBe(rules(source))
  })

  it('fails the build loudly when the grammar is not the shape it expects', () => {
    expect(() => hoistBytecode('export function peg$parse() {}')).toThrow(/sip\.js grammar/)
  })

  it('applies to sip.js grammar module only', () => {
    const plugin = sipjsGrammar()
    expect(plugin.transform('x', '/app/src/main.ts')).toBeUndefined()
    expect(plugin.transform(source, grammarFile)?.code).toBe(hoistBytecode(source))
  })

  it('the transformed grammar (these tests load sip.js through it) still parses SIP headers', () => {
    const from = Grammar.parse('"山田" <sip:0312345678@example.com;user=phone>;tag=abc', 'From')
    expect(from.uri.user).toBe('0312345678')
    expect(from.displayName).toBe('山田')
    expect(from.parameters.tag).toBe('abc')
    const via = Grammar.parse('SIP/2.0/WSS x.invalid;branch=z9hG4bK1', 'Via')
    expect(via.transport).toBe('WSS')
    // Many parses in a row: the shared table is not consumed by a parse.
    for (let i = 0; i < 50; i++) expect(Grammar.parse(`<sip:${i}@h>`, 'Name_Addr_Header').uri.user).toBe(String(i))
  })
})
