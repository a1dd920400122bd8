import { describe, expect, it } from 'vitest'
import { formatVariables, parseResponse, resolveJsonPointer, tokenizeTextFormat } from './response-format'

describe('text formats (docs/cti-integration.md §7)', () => {
  it.each([
    // rule 1/3: the original's examples
    ['{SID}', 'abc123', { SID: 'abc123' }, []],
    ['{SID}', 'abc123\r\nignored', { SID: 'abc123' }, []],
    // rule 4: adjacent variables read consecutive lines, whatever the line break
    ['{NAME}{COMPANY}', '山田太郎\r\n株式会社テスト\r\n', { NAME: '山田太郎', COMPANY: '株式会社テスト' }, []],
    ['{NAME}{COMPANY}', '山田太郎\n株式会社テスト', { NAME: '山田太郎', COMPANY: '株式会社テスト' }, []],
    ['{NAME}{COMPANY}', '山田太郎\r株式会社テスト', { NAME: '山田太郎', COMPANY: '株式会社テスト' }, []],
    // any line-break token matches CRLF, CR or LF
    ['{NAME}{CRLF}{COMPANY}', 'a\nb', { NAME: 'a', COMPANY: 'b' }, []],
    ['{NAME}{LF}{COMPANY}', 'a\r\nb', { NAME: 'a', COMPANY: 'b' }, []],
    ['{NAME}{CR}{COMPANY}', 'a\r\nb', { NAME: 'a', COMPANY: 'b' }, []],
    ['{NAME}{CR}{COMPANY}', 'a\rb', { NAME: 'a', COMPANY: 'b' }, []],
    // a real line break typed in the format is a line-break token
    ['{NAME}\n{COMPANY}', 'a\r\nb', { NAME: 'a', COMPANY: 'b' }, []],
    // literals are searched forward, so HTML before them is skipped
    ['sid={SID};', '<html><body>sid=XYZ;</body>', { SID: 'XYZ' }, []],
    ['<td>{NAME}</td>', '<tr>\n<td> Taro </td>', { NAME: 'Taro' }, []],
    // a variable stops at the next literal or line break, whichever comes first
    ['{NAME},{COMPANY}', 'Taro,ACME,extra\nnext', { NAME: 'Taro', COMPANY: 'ACME,extra' }, []],
    ['{NAME},{COMPANY}', 'Taro\nX,Y', { NAME: 'Taro', COMPANY: 'Y' }, []],
    ['Name: {NAME}{LF}Company: {COMPANY}', 'hdr\nName: Taro\nCompany: ACME\n', { NAME: 'Taro', COMPANY: 'ACME' }, []],
    // rule 5: trimmed; text after the format ignored
    ['{NAME}', '  Taro \t\nrest\nmore', { NAME: 'Taro' }, []],
    ['{A}{B}', ' x \n y \n z', { A: 'x', B: 'y' }, []],
    // a present but empty value is empty, not missing
    ['SID={SID}', 'SID=', { SID: '' }, []],
    ['{NAME}{COMPANY}', 'Taro\n\nACME', { NAME: 'Taro', COMPANY: '' }, []],
    // matching is case-sensitive
    ['sid={SID}', 'SID=1\nsid=2', { SID: '2' }, []],
  ])('%j on %j', (format, body, values, missing) => {
    const result = parseResponse(format, body)
    expect(result.values).toEqual(values)
    expect(result.missing).toEqual(missing)
  })

  it.each([
    ['missing lines', '{NAME}{COMPANY}', 'Taro', { NAME: 'Taro', COMPANY: '' }, ['COMPANY'], 'no line left for {COMPANY}'],
    ['empty body', '{SID}', '', { SID: '' }, ['SID'], 'body ended before {SID}'],
    ['literal not found', 'sid={SID}', 'error: denied', { SID: '' }, ['SID'], 'text "sid=" not found'],
    ['case differs', 'SID={SID}', 'sid=1', { SID: '' }, ['SID'], 'text "SID=" not found'],
    ['line break not found', '{A}{LF}{B}', 'one line', { A: 'one line', B: '' }, ['B'], 'line break not found'],
    ['body ended after a break', '{A}{LF}{B}', 'x\n', { A: 'x', B: '' }, ['B'], 'body ended before {B}'],
    ['later literal missing', '{A}|{B}|{C}', 'a|b', { A: 'a', B: 'b', C: '' }, ['C'], 'text "|" not found'],
  ])('%s: leaves the missing variables empty and says why', (_name, format, body, values, missing, problem) => {
    const result = parseResponse(format, body)
    expect(result.values).toEqual(values)
    expect(result.missing).toEqual(missing)
    expect(result.problems).toEqual([problem])
  })

  it('never interprets HTML: markup inside a value stays text', () => {
    expect(parseResponse('{NAME}', '<b>Taro</b><script>x()</script>').values).toEqual({ NAME: '<b>Taro</b><script>x()</script>' })
  })

  it('treats braces that are no variable as literal text', () => {
    expect(tokenizeTextFormat('{"id":{ID}}')).toEqual([
      { kind: 'literal', text: '{"id":' },
      { kind: 'var', name: 'ID' },
      { kind: 'literal', text: '}' },
    ])
    expect(parseResponse('{"sid":"{SID}"}', '{"sid":"abc"}').values).toEqual({ SID: 'abc' })
  })
})

describe('JSON formats', () => {
  const format = { json: { NAME: '/customer/name', COMPANY: '/customer/company', VIP: '/customer/vip', N: '/customer/visits', FIRST: '/tags/0', SLASH: '/a~1b', TILDE: '/c~0d' } }
  const body = JSON.stringify({ customer: { name: ' 山田 ', company: 'ACME', vip: true, visits: 3 }, tags: ['x', 'y'], 'a/b': 'slash', 'c~d': 'tilde' })

  it('extracts one value per JSON Pointer; numbers and booleans as text; trimmed', () => {
    expect(parseResponse(format, body)).toEqual({
      values: { NAME: '山田', COMPANY: 'ACME', VIP: 'true', N: '3', FIRST: 'x', SLASH: 'slash', TILDE: 'tilde' },
      missing: [],
      problems: [],
    })
  })

  it.each([
    ['absent path', { json: { NAME: '/nobody' } }, '{}', ['{NAME}: "/nobody" not found']],
    ['object value', { json: { NAME: '/a' } }, '{"a":{"b":1}}', ['{NAME}: "/a" is an object or array, not text']],
    ['array index out of range', { json: { NAME: '/a/5' } }, '{"a":[1]}', ['{NAME}: "/a/5" not found']],
    ['not JSON', { json: { NAME: '/a' } }, '<html>', [expect.stringMatching(/^body is not JSON/)]],
  ])('%s → empty and explained', (_name, jsonFormat, jsonBody, problems) => {
    const result = parseResponse(jsonFormat, jsonBody)
    expect(result.values).toEqual({ NAME: '' })
    expect(result.missing).toEqual(['NAME'])
    expect(result.problems).toEqual(problems)
  })

  it('a null is an empty value, not a missing one', () => {
    expect(parseResponse({ json: { NAME: '/a' } }, '{"a":null}')).toEqual({ values: { NAME: '' }, missing: [], problems: [] })
  })

  it('resolves "" to the whole document', () => {
    expect(resolveJsonPointer(5, '')).toEqual({ found: true, value: 5 })
  })
})

describe('regex formats', () => {
  it('named groups (A–Z, 0–9, _) become variables; others are ignored', () => {
    const format = { regex: 'name=(?<NAME>[^&]*)&company=(?<CO_1>[^&]*)&(?<lower>x)?', flags: '' }
    expect(formatVariables(format)).toEqual(['NAME', 'CO_1'])
    expect(parseResponse(format, 'name= Taro &company=ACME&')).toEqual({ values: { NAME: 'Taro', CO_1: 'ACME' }, missing: [], problems: [] })
  })

  it('honours flags (s: dot matches line breaks)', () => {
    expect(parseResponse({ regex: 'a(?<X>.*)z', flags: 's' }, 'a1\n2z').values).toEqual({ X: '1\n2' })
  })

  it('no match → empty and explained', () => {
    expect(parseResponse({ regex: 'sid=(?<SID>\\w+)' }, 'denied')).toEqual({
      values: { SID: '' },
      missing: ['SID'],
      problems: ['the regex did not match'],
    })
  })

  it('an optional group that did not take part is missing', () => {
    expect(parseResponse({ regex: 'a(?<X>b)?c' }, 'ac').missing).toEqual(['X'])
  })
})

describe('formatVariables', () => {
  it.each([
    ['{SID}', ['SID']],
    ['{NAME}{COMPANY}{CRLF}{NAME}', ['NAME', 'COMPANY']],
    [{ json: { A: '/a', B: '/b' } }, ['A', 'B']],
  ])('%j extracts %j', (format, names) => {
    expect(formatVariables(format)).toEqual(names)
  })
})
