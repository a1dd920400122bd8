import { describe, expect, it } from 'vitest'
import {
  buildIndex, exportPhonebookCsv, importPhonebookCsv, lookupName, parsePhonebook, parsePhonebookCsv, parsePhonebookJson,
  type PhonebookEntry,
} from './phonebook'

describe('parsePhonebookCsv', () => {
  it('reads name and number in any order, ignoring other columns', () => {
    const csv = 'company,number,memo,name\nつなぐ商事,03-1234-5678,x,山田 太郎\nACME,090-1111-2222,,Alice\n'
    expect(parsePhonebookCsv(csv)).toEqual({
      entries: [{ name: '山田 太郎', number: '03-1234-5678' }, { name: 'Alice', number: '090-1111-2222' }],
      problems: [],
    })
  })

  it.each([
    ['Japanese headers', '電話番号,名前\r\n0312345678,山田\r\n'],
    ['a BOM', '\ufeffname,number\r\n山田,0312345678\r\n'],
    ['a BOM and Japanese headers', '\ufeff名前,電話番号\r\n山田,0312345678'],
    ['header case and spaces', ' Name , NUMBER \n山田,0312345678\n'],
    ['quoted cells', '"name","number"\n"山田","0312345678"\n'],
  ])('accepts %s', (_, csv) => {
    expect(parsePhonebookCsv(csv)).toEqual({ entries: [{ name: '山田', number: '0312345678' }], problems: [] })
  })

  it('reports bad rows with their line numbers and keeps the good ones', () => {
    const csv = [
      'name,number', //            1
      '山田,03-1234-5678', //      2
      ',0311112222', //            3 no name
      '佐藤,anonymous', //         4 not a number
      '', //                       5 blank: skipped
      '"複数\n行",0322223333', //  6–7 a quoted line break
      '鈴木,', //                  8 no number
      '高橋,"0344445555', //       9 unterminated quote
    ].join('\n')
    const parsed = parsePhonebookCsv(csv)
    expect(parsed.entries).toEqual([{ name: '山田', number: '03-1234-5678' }, { name: '複数\n行', number: '0322223333' }])
    expect(parsed.problems.map((p) => [p.line, p.code])).toEqual([
      [3, 'missing-name'], [4, 'bad-number'], [8, 'bad-number'], [9, 'csv-syntax'],
    ])
  })

  it('counts CRLF line endings once', () => {
    const parsed = parsePhonebookCsv('name,number\r\n山田,0312345678\r\n\r\n佐藤,x\r\n')
    expect(parsed.problems).toEqual([{ line: 4, code: 'bad-number', detail: 'x' }])
  })

  it.each([
    ['an empty file', '', 'no-header', 0],
    ['only blank lines', '\n\n  \n', 'no-header', 0],
    ['no number column', 'name,tel\n山田,0312345678\n', 'missing-columns', 1],
    ['no name column', '\n\nnumber,company\n0312345678,x\n', 'missing-columns', 3],
  ])('reports %s and returns no entries', (_, csv, code, line) => {
    const parsed = parsePhonebookCsv(csv)
    expect(parsed.entries).toEqual([])
    expect(parsed.problems).toMatchObject([{ code, line }])
  })
})

describe('parsePhonebookJson', () => {
  it('reads name and number, ignoring other properties', () => {
    const json = '[{"name":"山田","number":"03-1234-5678","company":"x"},{"number":"0311112222","name":"佐藤"}]'
    expect(parsePhonebookJson(json)).toEqual({
      entries: [{ name: '山田', number: '03-1234-5678' }, { name: '佐藤', number: '0311112222' }],
      problems: [],
    })
  })

  it('reports bad items by position', () => {
    const json = JSON.stringify([{ name: '山田', number: '0312345678' }, 'x', null, { name: 1, number: '1' }, { name: '', number: '0311112222' }, { name: '佐藤', number: '12' }])
    expect(parsePhonebookJson(json).problems.map((p) => [p.line, p.code])).toEqual([
      [2, 'bad-item'], [3, 'bad-item'], [4, 'bad-item'], [5, 'missing-name'], [6, 'bad-number'],
    ])
  })

  it.each([
    ['invalid JSON', '[{"name":'],
    ['not an array', '{"name":"山田","number":"0312345678"}'],
  ])('reports %s without throwing', (_, json) => {
    expect(parsePhonebookJson(json)).toMatchObject({ entries: [], problems: [{ line: 0, code: 'bad-json' }] })
  })
})

describe('parsePhonebook', () => {
  it.each([
    ['JSON by content', '\ufeff [{"name":"山田","number":"0312345678"}]', ''],
    ['JSON by content type', '[{"name":"山田","number":"0312345678"}]', 'application/json; charset=utf-8'],
    ['CSV otherwise', 'name,number\n山田,0312345678', 'text/csv'],
  ])('picks %s', (_, text, type) => {
    expect(parsePhonebook(text, type).entries).toEqual([{ name: '山田', number: '0312345678' }])
  })
})

describe('terminal phonebook CSV', () => {
  const entries: PhonebookEntry[] = [
    { name: '山田 太郎', number: '03-1234-5678' },
    { name: 'Smith, "Bob"', number: '+1 212 555 0100' },
    { name: '=HYPERLINK("http://x")', number: '090-1111-2222' },
    { name: '-cmd', number: '1001' },
  ]

  it('exports UTF-8 with BOM, CRLF and a header, guarding formula-like cells', () => {
    const csv = exportPhonebookCsv(entries)
    expect(csv.startsWith('\ufeffname,number\r\n')).toBe(true)
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`)
    expect(csv).toContain(`"'-cmd"`)
    expect(csv).toContain('"Smith, ""Bob""",+1 212 555 0100\r\n')
    expect(csv.endsWith('\r\n')).toBe(true)
  })

  it('imports what it exports', () => {
    expect(importPhonebookCsv(exportPhonebookCsv(entries))).toEqual({ entries, problems: [] })
  })
})

describe('lookupName', () => {
  const shared = buildIndex([{ name: '共有の山田', number: '03-1234-5678' }])
  const terminal = buildIndex([{ name: '端末の山田', number: '+81312345678' }, { name: '端末の佐藤', number: '090-1111-2222' }])
  const account = buildIndex([
    { name: 'アカウントの山田', number: '0312345678' },
    { name: 'アカウントの佐藤', number: '09011112222' },
    { name: 'アカウントの鈴木', number: '0120-123-456' },
  ])
  const books = { shared, terminal, account }

  it.each([
    ['shared before terminal and account', '+81 3 1234 5678', { name: '共有の山田', source: 'shared' }],
    ['terminal before account', '+819011112222', { name: '端末の佐藤', source: 'terminal' }],
    ['account last', '0120123456', { name: 'アカウントの鈴木', source: 'account' }],
    ['then the SIP display name', '0399999999', { name: 'SIP Name', source: 'sip' }],
    ['with BIZTEL codes on the number', '0312345678#A1#B2', { name: '共有の山田', source: 'shared' }],
    ['SIP name for a withheld number', 'anonymous', { name: 'SIP Name', source: 'sip' }],
  ])('%s', (_, number, found) => {
    expect(lookupName(number, books, 'SIP Name')).toEqual(found)
  })

  it('skips missing books and gives nothing without a SIP name', () => {
    expect(lookupName('0312345678', { account })).toEqual({ name: 'アカウントの山田', source: 'account' })
    expect(lookupName('0399999999', books)).toBeUndefined()
    expect(lookupName('0399999999', books, '  ')).toBeUndefined()
    expect(lookupName(undefined, {})).toBeUndefined()
  })

  it('keeps the first entry of a number in one book and counts the rest', () => {
    const index = buildIndex([{ name: 'A', number: '0312345678' }, { name: 'B', number: '03-1234-5678' }, { name: 'C', number: 'x' }])
    expect(index.size).toBe(1)
    expect(index.duplicates).toBe(1)
    expect(lookupName('+81312345678', { shared: index })).toEqual({ name: 'A', source: 'shared' })
  })

  it('finds every entry of a 50,000-entry book', () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => ({ name: `名前${i}`, number: `03-${String(1000 + Math.floor(i / 10_000))}-${String(i % 10_000).padStart(4, '0')}` }))
    const big = buildIndex(entries)
    expect(big.size).toBe(50_000)
    expect(lookupName('+81310041234', { shared: big })).toEqual({ name: '名前41234', source: 'shared' })
  })
})
