import { describe, expect, it } from 'vitest'
import { deriveCallParties, type CallFacts } from './call-parties'
import { defaultCtiConfig } from './config'
import { FakeRandom } from './testing/fakes'
import { expandCommand, expandTemplate, splitCommandLine, templateNames } from './template'
import { buildVariables } from './variables'

const config = {
  ...defaultCtiConfig({ user: '1001', server: 'wss://pbx.example.com:8089/ws' }),
  requestIdHeader: 'X-Request-Id',
}

const incoming: CallFacts = {
  callId: 'c1',
  direction: 'in',
  fromUser: '0312345678#A1#B2',
  displayName: '山田 太郎',
  calledUser: '0501234567',
  calledDisplayName: 'Sales',
  headers: { 'x-request-id': 'REQ-42' },
}

function variablesFor(facts: CallFacts, extracted: Record<string, string> = {}) {
  return buildVariables({
    config,
    parties: deriveCallParties(facts, config, { random: new FakeRandom() }),
    agent: { id: 'agent7', password: 'p@ss word' },
    // 2025-04-01 09:30:45 in Japan
    now: new Date('2025-04-01T00:30:45Z'),
    utcOffsetMinutes: 540,
    knownExtracted: ['SID', 'NAME', 'COMPANY'],
    extracted: [extracted],
  })
}

const raw = { kind: 'raw' } as const
const url = { kind: 'url' } as const

describe('every placeholder of docs/cti-integration.md §6 (incoming call)', () => {
  const variables = variablesFor(incoming, { NAME: '鈴木', COMPANY: 'ACME', SID: 's-1' })
  it.each([
    ['{TEL}', '0312345678'],
    ['{TELNAME}', '山田 太郎'],
    ['{CALLED}', '0501234567'],
    ['{CALLEDNAME}', 'Sales'],
    ['{REMOTE}', '0312345678'],
    ['{DIRECTION}', 'in'],
    ['{COMPANY}', 'ACME'],
    ['{NAME}', '鈴木'],
    ['{ID}', 'REQ-42'],
    ['{CODE1}', 'A1'],
    ['{CODE2}', 'B2'],
    ['{SFID}', ''],
    ['{DATE-YYYY}', '2025'],
    ['{DATE-MM}', '04'],
    ['{DATE-DD}', '01'],
    ['{DATE-HH}', '09'],
    ['{DATE-II}', '30'],
    ['{DATE-SS}', '45'],
    ['{AID}', 'agent7'],
    ['{APW}', 'p@ss word'],
    ['{EXT}', '1001'],
    ['{SVADDR}', 'https://pbx.example.com:8089'],
    ['{SID}', 's-1'],
    ['{TEL|e164}', '+81312345678'],
    ['{TEL|national}', '03-1234-5678'],
    ['{TEL|digits}', '0312345678'],
    ['{CALLED|e164}', '+81501234567'],
  ])('%s → %j', (template, expected) => {
    expect(expandTemplate(template, variables, raw)).toEqual({ text: expected, warnings: [] })
  })
})

describe('placeholders of an outgoing call', () => {
  const outgoing: CallFacts = {
    callId: 'c2',
    direction: 'out',
    fromUser: '1001',
    displayName: 'Agent Seven',
    calledUser: '0312345678',
    headers: {},
      ownExtension: '1001',
  }
  const variables = variablesFor(outgoing)
  it.each([
    ['{TEL}', '1001'],
    ['{CALLED}', '0312345678'],
    ['{REMOTE}', '0312345678'],
    ['{DIRECTION}', 'out'],
    ['{CODE1}{CODE2}', ''],
    // no request-ID header: 20 digits from the random port
    ['{ID}', '01234567890123456789'],
    ['{NAME}', ''],
  ])('%s → %j', (template, expected) => {
    expect(expandTemplate(template, variables, raw).text).toBe(expected)
  })
})

describe('URL mode: hostile values cannot change the URL', () => {
  it.each([
    ['&', 'x%26'],
    ['#', 'x%23'],
    ['%', 'x%25'],
    ['a b', 'xa%20b'],
    ['日本', 'x%E6%97%A5%E6%9C%AC'],
    ['"; rm -rf ~', 'x%22%3B%20rm%20-rf%20~'],
    ['1&admin=1#frag', 'x1%26admin%3D1%23frag'],
    ['{APW}', 'x%7BAPW%7D'],
  ])('NAME = %j', (value, query) => {
    const variables = variablesFor(incoming, { NAME: value })
    expect(expandTemplate('https://crm/s?q=x{NAME}&tel={TEL}', variables, url).text).toBe(`https://crm/s?q=${query}&tel=0312345678`)
  })

  it('encodes in the access charset (Shift_JIS)', () => {
    const variables = variablesFor(incoming, { NAME: '日本' })
    expect(expandTemplate('/s?n={NAME}', variables, { kind: 'url', charset: 'Shift_JIS' }).text).toBe('/s?n=%93%FA%96%7B')
  })

  it('inserts {SVADDR} as is: it is a URL prefix', () => {
    expect(expandTemplate('{SVADDR}/api?ext={EXT}', variablesFor(incoming), url).text).toBe('https://pbx.example.com:8089/api?ext=1001')
  })

  it('encodes the agent password like any value', () => {
    expect(expandTemplate('/login?id={AID}&pw={APW}', variablesFor(incoming), url).text).toBe('/login?id=agent7&pw=p%40ss%20word')
  })
})

describe('grammar', () => {
  const variables = variablesFor(incoming, { NAME: 'Taro' })
  it.each([
    ['{FOO}', '{FOO}', ['unknown-placeholder: {FOO} left as typed']],
    ['{tel}', '{tel}', ['unknown-placeholder: {tel} left as typed']],
    ['{TEL|upper}', '{TEL|upper}', ['unknown-filter: {TEL|upper} left as typed']],
    ['{"a":1}', '{"a":1}', ['unknown-placeholder: {"a":1} left as typed']],
    ['{ TEL }', '{ TEL }', ['unknown-placeholder: { TEL } left as typed']],
    ['{}', '{}', ['unknown-placeholder: {} left as typed']],
    ['{{TEL}}', '{0312345678}', []],
    ['{FOO}{FOO}', '{FOO}{FOO}', ['unknown-placeholder: {FOO} left as typed']],
    ['no placeholders', 'no placeholders', []],
    ['{NAME}-{TEL}', 'Taro-0312345678', []],
  ])('%j → %j', (template, text, warnings) => {
    expect(expandTemplate(template, variables, raw)).toEqual({ text, warnings })
  })

  it('never expands a value again (no recursion, no injection)', () => {
    const variables = variablesFor(incoming, { NAME: '{APW}', COMPANY: '{COMPANY}' })
    expect(expandTemplate('{NAME}/{COMPANY}', variables, raw).text).toBe('{APW}/{COMPANY}')
  })

  it('a name some format extracts is known and empty until extracted', () => {
    expect(expandTemplate('sid={SID}', variablesFor(incoming), raw)).toEqual({ text: 'sid=', warnings: [] })
  })

  it('built-in names win over extracted ones', () => {
    expect(expandTemplate('{TEL}', variablesFor(incoming, { TEL: 'crm-value' }), raw).text).toBe('0312345678')
  })

  it('lists the names a template uses', () => {
    expect(templateNames('a{SID}b{TEL|e164}{x}{SID}')).toEqual(['SID', 'TEL'])
  })
})

describe('command lines (docs/cti-integration.md §5)', () => {
  it.each([
    ['C:\\Program Files\\sample.exe', ['C:\\Program Files\\sample.exe']],
    ['  C:\\Program Files\\sample.exe  ', ['C:\\Program Files\\sample.exe']],
    ['"C:\\Program Files\\sample.exe" {TEL} {CALLED}', ['C:\\Program Files\\sample.exe', '{TEL}', '{CALLED}']],
    ['C:\\tools\\x.exe {TEL}', ['C:\\tools\\x.exe', '{TEL}']],
    ['/usr/bin/crm  --tel={TEL}\t"two words"', ['/usr/bin/crm', '--tel={TEL}', 'two words']],
    ['x "" y', ['x', '', 'y']],
    ['x a"b c"d', ['x', 'ab cd']],
    ['x \\"a', ['x', '\\a']],
    ['', []],
  ])('%j splits into %j', (line, argv) => {
    expect(splitCommandLine(line).argv).toEqual(argv)
  })

  it('warns about an unbalanced quote', () => {
    expect(splitCommandLine('"x y')).toEqual({ argv: ['x y'], warnings: ['unbalanced-quote: the last argument runs to the end of the line'] })
  })

  it.each([
    ['&'],
    ['#'],
    ['%'],
    ['a b'],
    ['日本'],
    ['"; rm -rf ~'],
    ['$(reboot)'],
    ['`id`'],
    ['a" "b'],
  ])('passes %j raw as its own argument, never through a shell', (value) => {
    const variables = variablesFor(incoming, { NAME: value })
    expect(expandCommand('"C:\\Program Files\\crm.exe" {NAME} {TEL} --name={NAME}', variables).argv).toEqual([
      'C:\\Program Files\\crm.exe',
      value,
      '0312345678',
      `--name=${value}`,
    ])
  })

  // A caller controls the From user (sip.js percent-decodes it): `{TEL}` can be an option.
  it.each([
    ['{TEL}', true],
    ['"{TEL}"', true],
    ['{CODE1}{TEL}', true],
    ['-{TEL}', true],
    ['{NAME}={TEL}', true],
    ['--tel={TEL}', false],
    ['--verbose', false],
    ['x{TEL}', true],
  ])('marks %s as from a placeholder: %s', (argument, marked) => {
    const variables = variablesFor({ ...incoming, fromUser: '--output=/tmp/x' })
    const expanded = expandCommand(`"/usr/local/bin/crm-open" ${argument}`, variables)
    expect(expanded.fromPlaceholder).toEqual([false, marked])
  })

  it('keeps an empty value as an empty argument, so positions stay', () => {
    expect(expandCommand('crm.exe {CODE1} {TEL}', variablesFor({ ...incoming, fromUser: '0312345678' })).argv).toEqual(['crm.exe', '', '0312345678'])
  })
})
