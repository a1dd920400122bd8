import { describe, expect, it } from 'vitest'
import { parseCallerId, privacyWithholdsId } from './caller-id'

describe('parseCallerId', () => {
  it.each([
    ['0312345678#A1#B2', false, { tel: '0312345678', code1: 'A1', code2: 'B2', anonymous: false }],
    ['0312345678#A1', false, { tel: '0312345678', code1: 'A1', code2: '', anonymous: false }],
    ['0312345678', false, { tel: '0312345678', code1: '', code2: '', anonymous: false }],
    ['0312345678##B2', false, { tel: '0312345678', code1: '', code2: 'B2', anonymous: false }],
    ['0312345678#A1#B2#C3', false, { tel: '0312345678', code1: 'A1', code2: 'B2#C3', anonymous: false }],
    ['+81312345678', false, { tel: '+81312345678', code1: '', code2: '', anonymous: false }],
    ['1001', false, { tel: '1001', code1: '', code2: '', anonymous: false }],
    ['anonymous', false, { tel: '', code1: '', code2: '', anonymous: true }],
    ['Anonymous', false, { tel: '', code1: '', code2: '', anonymous: true }],
    ['', false, { tel: '', code1: '', code2: '', anonymous: true }],
    ['anonymous#A1#B2', false, { tel: '', code1: 'A1', code2: 'B2', anonymous: true }],
    ['#A1', false, { tel: '', code1: 'A1', code2: '', anonymous: true }],
    // Privacy: id hides the number even when the PBX revealed it
    ['0312345678#A1', true, { tel: '', code1: 'A1', code2: '', anonymous: true }],
  ])('%j (privacy %s)', (user, privacy, expected) => {
    expect(parseCallerId(user, privacy)).toEqual(expected)
  })
})

describe('privacyWithholdsId', () => {
  it.each([
    ['id', true],
    ['ID', true],
    ['user; id', true],
    ['header', true],
    ['none', false],
    ['', false],
    [undefined, false],
  ])('Privacy: %j → %s', (header, withheld) => {
    expect(privacyWithholdsId(header)).toBe(withheld)
  })
})
