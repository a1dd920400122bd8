import { describe, expect, it } from 'vitest'
import { parseResponse } from './response-format'

/** The examples the README gives for response formats, kept true by this test. */
describe('README response-format examples', () => {
  it.each([
    ['{SID}', 'SID-8f2c\r\n', { SID: 'SID-8f2c' }],
    ['{NAME}{COMPANY}', '山田 太郎\r\n株式会社つなぐ商事\r\n', { NAME: '山田 太郎', COMPANY: '株式会社つなぐ商事' }],
    ['name={NAME}{CRLF}company={COMPANY}', 'id=7\nname=Sato\ncompany=ACME', { NAME: 'Sato', COMPANY: 'ACME' }],
    ['<td>名前</td><td>{NAME}</td>', '<html><table><tr><td>名前</td><td>山田 太郎</td></tr></table>', { NAME: '山田 太郎' }],
  ])('%s', (format, body, values) => {
    expect(parseResponse(format, body).values).toEqual(values)
  })

  it('json and regex', () => {
    expect(parseResponse({ json: { NAME: '/customer/name', COMPANY: '/customer/company' } }, '{"customer":{"name":"佐藤 花子","company":"大阪物産株式会社"}}').values)
      .toEqual({ NAME: '佐藤 花子', COMPANY: '大阪物産株式会社' })
    expect(parseResponse({ regex: '名前:(?<NAME>[^\\n]+)', flags: 's' }, 'ID:7\n名前:鈴木 一郎\n').values).toEqual({ NAME: '鈴木 一郎' })
  })
})
