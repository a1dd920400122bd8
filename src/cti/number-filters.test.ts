import { describe, expect, it } from 'vitest'
import { applyNumberFilter, isNumberFilter } from './number-filters'

describe('number filters (libphonenumber-js, region JP)', () => {
  it.each([
    ['0312345678', 'e164', '+81312345678'],
    ['0312345678', 'national', '03-1234-5678'],
    ['0312345678', 'digits', '0312345678'],
    ['03-1234-5678', 'e164', '+81312345678'],
    ['03-1234-5678', 'digits', '0312345678'],
    ['+81312345678', 'national', '03-1234-5678'],
    ['+81312345678', 'digits', '0312345678'],
    ['09012345678', 'national', '090-1234-5678'],
    ['0120123456', 'national', '0120-123-456'],
    // a foreign number keeps its country
    ['+14155552671', 'e164', '+14155552671'],
    ['+14155552671', 'national', '+1 415 555 2671'],
    ['+14155552671', 'digits', '14155552671'],
    // no valid number → its digits
    ['1001', 'e164', '1001'],
    ['1001', 'national', '1001'],
    ['9999', 'e164', '9999'],
    ['ext. 12-34', 'e164', '1234'],
    ['abc', 'e164', ''],
    ['', 'e164', ''],
    ['', 'digits', ''],
  ] as const)('%j | %s → %j', (value, filter, expected) => {
    expect(applyNumberFilter(value, filter)).toBe(expected)
  })

  it.each([
    ['e164', true],
    ['national', true],
    ['digits', true],
    ['E164', false],
    ['upper', false],
  ])('%s is a filter: %s', (name, known) => {
    expect(isNumberFilter(name)).toBe(known)
  })
})
