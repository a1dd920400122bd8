import { describe, expect, it } from 'vitest'
import type { AccessConfig } from './config'
import { prepareAccess, queryFields, splitQuery } from './prepare-access'

const access = (method: AccessConfig['method'], url: string, extra: Partial<AccessConfig> = {}): AccessConfig => ({
  method,
  url,
  delaySeconds: 0,
  onlyIfAnswered: false,
  credentials: 'omit',
  ...extra,
})
const variables = new Map([
  ['TEL', '0312345678'],
  ['NAME', '山田 & "Co" #1 100%'],
  ['SVADDR', 'https://pbx:8000'],
])

describe('prepareAccess (docs/cti-integration.md §5)', () => {
  it('get: the expanded URL for the named tab', () => {
    expect(prepareAccess(access('get', 'https://www.google.com/search?q={TEL}'), variables)).toEqual({
      kind: 'tab',
      url: 'https://www.google.com/search?q=0312345678',
      warnings: [],
    })
  })

  it('get-internal: an HTTP GET, values in the access charset', () => {
    expect(prepareAccess(access('get-internal', '{SVADDR}/s?n={NAME}', { charset: 'Shift_JIS' }), variables)).toEqual({
      kind: 'http',
      method: 'GET',
      url: 'https://pbx:8000/s?n=%8ER%93c%20%26%20%22Co%22%20%231%20100%25',
      warnings: [],
    })
  })

  it('post-internal: the expanded query string, byte for byte, as the urlencoded body', () => {
    expect(prepareAccess(access('post-internal', 'http://crm/s.php?tel={TEL}&name={NAME}&flag#frag'), variables)).toEqual({
      kind: 'http',
      method: 'POST',
      url: 'http://crm/s.php',
      body: 'tel=0312345678&name=%E5%B1%B1%E7%94%B0%20%26%20%22Co%22%20%231%20100%25&flag',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      warnings: [],
    })
  })

  it('post: each query item decoded once is a field; a bare item has an empty value; always UTF-8', () => {
    expect(prepareAccess(access('post', 'http://crm/s.php?tel={TEL}&name={NAME}&flag&a+b=c%2Bd', { charset: 'Shift_JIS' }), variables)).toEqual({
      kind: 'form',
      url: 'http://crm/s.php',
      query: 'tel=0312345678&name=%E5%B1%B1%E7%94%B0%20%26%20%22Co%22%20%231%20100%25&flag&a+b=c%2Bd',
      fields: [
        ['tel', '0312345678'],
        ['name', '山田 & "Co" #1 100%'],
        ['flag', ''],
        ['a b', 'c+d'],
      ],
      warnings: [],
    })
  })

  it('command: argv, raw values', () => {
    expect(prepareAccess(access('command', '"C:\\Program Files\\crm.exe" {TEL} {NAME}'), variables)).toEqual({
      kind: 'command',
      argv: ['C:\\Program Files\\crm.exe', '0312345678', '山田 & "Co" #1 100%'],
      fromPlaceholder: [false, true, true],
      warnings: [],
    })
  })

  it('none: nothing to prepare', () => {
    expect(prepareAccess(access('none', 'x'), variables)).toBeUndefined()
  })

  it('reports unknown placeholders', () => {
    expect(prepareAccess(access('get', 'http://crm/?x={NOPE}'), variables)?.warnings).toEqual(['unknown-placeholder: {NOPE} left as typed'])
  })
})

describe('query helpers', () => {
  it.each([
    ['http://crm/a?b=1#c', { base: 'http://crm/a', query: 'b=1' }],
    ['http://crm/a', { base: 'http://crm/a', query: '' }],
    ['http://crm/a?', { base: 'http://crm/a', query: '' }],
    ['http://crm/a#x?y', { base: 'http://crm/a', query: '' }],
    ['http://crm/a?x=1?2', { base: 'http://crm/a', query: 'x=1?2' }],
  ])('splitQuery(%j)', (url, parts) => {
    expect(splitQuery(url)).toEqual(parts)
  })

  it.each([
    ['a=1&&b=', [['a', '1'], ['b', '']]],
    ['k=v=w', [['k', 'v=w']]],
    ['', []],
  ])('queryFields(%j)', (query, fields) => {
    expect(queryFields(query)).toEqual(fields)
  })
})
