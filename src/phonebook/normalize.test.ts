import { describe, expect, it } from 'vitest'
import { parsePhoneNumberFromString } from 'libphonenumber-js/min'
import { nationalDigits, normalizeNumber } from './normalize'

describe('normalizeNumber (default region JP)', () => {
  it.each([
    // Tokyo landline, every spelling
    ['03-1234-5678', '+81312345678'],
    ['0312345678', '+81312345678'],
    ['+81312345678', '+81312345678'],
    ['+81 3 1234 5678', '+81312345678'],
    ['(03) 1234-5678', '+81312345678'],
    ['03.1234.5678', '+81312345678'],
    ['tel:+81-3-1234-5678', '+81312345678'],
    ['+81 (0)3-1234-5678', '+81312345678'],
    ['+81-0312345678', '+81312345678'],
    // full-width digits and hyphen variants
    ['０３－１２３４－５６７８', '+81312345678'],
    ['03ー1234ー5678', '+81312345678'],
    ['03‐1234‐5678', '+81312345678'],
    ['03−1234−5678', '+81312345678'],
    ['03―1234―5678', '+81312345678'],
    ['＋８１３１２３４５６７８', '+81312345678'],
    ['03　1234　5678', '+81312345678'],
    // other landlines
    ['06-1234-5678', '+81612345678'],
    ['011-123-4567', '+81111234567'],
    ['01564-2-1234', '+81156421234'],
    // mobile
    ['090-1234-5678', '+819012345678'],
    ['09012345678', '+819012345678'],
    ['+81 90 1234 5678', '+819012345678'],
    ['080-1234-5678', '+818012345678'],
    ['070-1234-5678', '+817012345678'],
    ['+817012345678', '+817012345678'],
    // IP phone
    ['050-1234-5678', '+815012345678'],
    ['+815012345678', '+815012345678'],
    // free dial
    ['0120-123-456', '+81120123456'],
    ['0120-12-3456', '+81120123456'],
    ['+81120123456', '+81120123456'],
    ['0800-123-4567', '+818001234567'],
    ['+818001234567', '+818001234567'],
    // navi dial
    ['0570-123-456', '+81570123456'],
    ['0570-01-2345', '+81570012345'],
    ['+81570123456', '+81570123456'],
    // foreign E.164 stays itself
    ['+1 212 555 0100', '+12125550100'],
    // extensions stay as typed
    ['1001', '1001'],
    ['2001', '2001'],
    ['100', '100'],
    ['123456', '123456'],
    ['１００１', '1001'],
    // BIZTEL codes after `#`
    ['0312345678#A1#B2', '+81312345678'],
    ['1001#A1', '1001'],
    // junk
    ['', undefined],
    ['   ', undefined],
    ['anonymous', undefined],
    ['Anonymous', undefined],
    ['abc', undefined],
    ['03-1234-5678 ext', undefined],
    ['12', undefined],
    ['#A1#B2', undefined],
    ['+', undefined],
    ['1234567890123456', undefined],
  ])('%j → %j', (input, key) => {
    expect(normalizeNumber(input)).toBe(key)
  })

  it('accepts null and undefined', () => {
    expect(normalizeNumber(undefined)).toBeUndefined()
    expect(normalizeNumber(null)).toBeUndefined()
  })

  it('keeps digits it cannot place, so equal spellings still meet', () => {
    expect(normalizeNumber('0000000')).toBe(normalizeNumber('000-0000'))
  })

  it('takes the region from the options', () => {
    expect(normalizeNumber('(212) 555-0100', { region: 'US' })).toBe('+12125550100')
    expect(normalizeNumber('03-1234-5678', { region: 'US' })).not.toBe('+81312345678')
  })
})

describe('the Japanese national-number shortcut', () => {
  it('gives what libphonenumber-js gives for every possible number of that shape', () => {
    let checked = 0
    for (let prefix = 1; prefix <= 9; prefix++) {
      for (const length of [10, 11]) {
        for (let i = 0; i < 300; i++) {
          const rest = String((i * 7_919_113 + prefix * 104_729) % 10 ** (length - 2)).padStart(length - 2, '0')
          const national = `0${prefix}${rest}`
          if (national.startsWith('010')) continue
          const parsed = parsePhoneNumberFromString(national, 'JP')
          if (!parsed?.isPossible()) continue
          expect(normalizeNumber(national)).toBe(parsed.number)
          expect(normalizeNumber(parsed.number)).toBe(parsed.number)
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(4000)
  })

  it('leaves the international prefix 010 to the library', () => {
    expect(normalizeNumber('010-1-212-555-0100')).toBe('+12125550100')
  })
})

describe('nationalDigits', () => {
  it.each([
    ['+81312345678', '0312345678'],
    ['+819012345678', '09012345678'],
    ['+81120123456', '0120123456'],
    ['+12125550100', '12125550100'],
    ['1001', '1001'],
  ])('%s → %s', (key, digits) => {
    expect(nationalDigits(key)).toBe(digits)
  })
})
