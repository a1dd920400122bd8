import { describe, expect, it } from 'vitest'
import {
  canonicalCharset,
  contentTypeCharset,
  decodeBody,
  decodeFormComponent,
  encodeText,
  percentEncode,
  toWellFormed,
  utf8Encode,
} from './charset'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('percentEncode', () => {
  it.each([
    ['&', 'utf-8', '%26'],
    ['#', 'utf-8', '%23'],
    ['%', 'utf-8', '%25'],
    ['a b', 'utf-8', 'a%20b'],
    ['+81', 'utf-8', '%2B81'],
    ['=?/', 'utf-8', '%3D%3F%2F'],
    ['"; rm -rf ~', 'utf-8', '%22%3B%20rm%20-rf%20~'],
    ["it's (x)*!", 'utf-8', 'it%27s%20%28x%29%2A%21'],
    ['日本', 'utf-8', '%E6%97%A5%E6%9C%AC'],
    ['日本', 'Shift_JIS', '%93%FA%96%7B'],
    ['日本', 'sjis', '%93%FA%96%7B'],
    ['日本', 'EUC-JP', '%C6%FC%CB%DC'],
    ['ｱ', 'shift_jis', '%B1'],
    ['ｱ', 'euc-jp', '%8E%B1'],
    ['～', 'shift_jis', '%81%60'],
    ['①', 'shift_jis', '%87%40'],
    // WHATWG: IBM extension (0xFB 0xFC), never the NEC-selected duplicate (0xEE 0xEC).
    ['髙', 'shift_jis', '%FB%FC'],
    ['¥', 'shift_jis', '%5C'],
    ['−', 'shift_jis', '%81%7C'],
    ['A-Z_a.z~09', 'shift_jis', 'A-Z_a.z~09'],
    ['😀', 'utf-8', '%F0%9F%98%80'],
  ])('%j in %s → %s', (text, charset, expected) => {
    expect(percentEncode(text, charset)).toEqual({ text: expected, warnings: [] })
  })

  it('writes a character without a Shift_JIS form as an HTML reference, as browsers do, and warns', () => {
    const result = percentEncode('😀', 'shift_jis')
    expect(result.text).toBe('%26%23128512%3B')
    expect(result.warnings).toEqual([expect.stringMatching(/^charset-unmappable/)])
  })

  it('falls back to UTF-8 with a warning for a charset it cannot encode', () => {
    const result = percentEncode('日', 'gbk')
    expect(result.text).toBe('%E6%97%A5')
    expect(result.warnings).toEqual([expect.stringMatching(/^charset-unsupported: no encoder for gbk/)])
  })

  it('asks the injected encoder first', () => {
    const encoder = (charset: string) => (charset === 'gbk' ? bytes(0xc8, 0xd5) : undefined)
    expect(percentEncode('日', 'gbk', encoder)).toEqual({ text: '%C8%D5', warnings: [] })
  })

  it('replaces lone surrogates instead of throwing', () => {
    expect(toWellFormed('a\uD800b')).toBe('a\uFFFDb')
    expect(percentEncode('\uDC00').text).toBe('%EF%BF%BD')
  })
})

describe('encodeText', () => {
  it.each(['日本語テキスト', 'ｶﾀｶﾅ', '①②③ ㈱', 'ABC abc 123', '髙﨑'])('round-trips %j through Shift_JIS and EUC-JP', (text) => {
    for (const charset of ['shift_jis', 'euc-jp']) {
      const encoded = encodeText(text, charset)
      expect(new TextDecoder(charset).decode(encoded.bytes)).toBe(text)
    }
  })

  it('encodes UTF-8 like the platform', () => {
    expect([...utf8Encode('aé日😀')]).toEqual([0x61, 0xc3, 0xa9, 0xe6, 0x97, 0xa5, 0xf0, 0x9f, 0x98, 0x80])
  })
})

describe('decodeFormComponent', () => {
  it.each([
    ['a%20b', 'a b'],
    ['a+b', 'a b'],
    ['%2B81', '+81'],
    ['%E6%97%A5', '日'],
    ['100%', '100%'],
    ['%zz', '%zz'],
    ['%FF', '\uFFFD'],
    ['日', '日'],
  ])('%j → %j', (input, expected) => {
    expect(decodeFormComponent(input)).toBe(expected)
  })
})

describe('decodeBody (docs/cti-integration.md §7 rule 2)', () => {
  const sjis = bytes(0x93, 0xfa, 0x96, 0x7b)
  const euc = bytes(0xc6, 0xfc, 0xcb, 0xdc)
  const utf8 = utf8Encode('日本')

  it.each([
    ['access charset wins over Content-Type', sjis, 'Shift_JIS', 'text/plain; charset=utf-8', '日本', 'shift_jis'],
    ['Content-Type charset when the access has none', euc, undefined, 'text/html; charset="EUC-JP"', '日本', 'euc-jp'],
    ['UTF-8 by default', utf8, undefined, 'text/plain', '日本', 'utf-8'],
    ['UTF-8 without Content-Type', utf8, undefined, undefined, '日本', 'utf-8'],
    ['a UTF-8 BOM is dropped', bytes(0xef, 0xbb, 0xbf, 0x41), undefined, undefined, 'A', 'utf-8'],
    ['Windows-31J label', sjis, 'windows-31j', undefined, '日本', 'shift_jis'],
  ])('%s', (_name, body, accessCharset, contentType, text, charset) => {
    const decoded = decodeBody(body, accessCharset, contentType)
    expect(decoded.text).toBe(text)
    expect(decoded.charset).toBe(charset)
    expect(decoded.warnings).toEqual([])
  })

  it('ignores an unknown label with a warning and falls through', () => {
    const decoded = decodeBody(euc, 'klingon', 'text/plain; charset=euc-jp')
    expect(decoded.text).toBe('日本')
    expect(decoded.warnings).toEqual(['charset-unknown: access charset "klingon" ignored'])
  })

  it('turns malformed bytes into U+FFFD rather than failing', () => {
    expect(decodeBody(bytes(0x41, 0xff, 0x42), undefined, undefined).text).toBe('A\uFFFDB')
  })
})

describe('charset labels', () => {
  it.each([
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['Shift_JIS', 'shift_jis'],
    ['x-sjis', 'shift_jis'],
    ['EUC-JP', 'euc-jp'],
    ['nope', undefined],
  ])('%s → %s', (label, canonical) => {
    expect(canonicalCharset(label)).toBe(canonical)
  })

  it.each([
    ['text/html; charset=Shift_JIS', 'Shift_JIS'],
    ['text/html;charset="euc-jp"', 'euc-jp'],
    ['application/json', undefined],
    [undefined, undefined],
  ])('Content-Type %j → %j', (header, charset) => {
    expect(contentTypeCharset(header)).toBe(charset)
  })
})
