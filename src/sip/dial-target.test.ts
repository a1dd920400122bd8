import { describe, expect, it } from 'vitest'
import { dialTargetOf } from './dial-target'

describe('dialTargetOf', () => {
  it.each([
    ['1002', '1002'],
    ['tel:03-1234-5678', '0312345678'],
    ['tel%3A0312345678', '0312345678'],
    ['tel:+81-3-1234-5678;phone-context=example.com', '+81312345678'],
    ['０３－１２３４－５６７８', '0312345678'],
    ['(03) 1234.5678', '0312345678'],
    ['sip:1002@pbx.example.com', '1002@pbx.example.com'],
    ['SIP:1002@pbx.example.com;transport=ws', '1002@pbx.example.com'],
    ['sip:1003', '1003'],
    ['*61', '*61'],
  ])('%s → %s', (raw, expected) => {
    expect(dialTargetOf(raw)).toBe(expected)
  })

  it.each([[''], [null], ['tel:'], ['javascript:alert(1)'], ['sip:a b@c'], ['0312345678abc']])('%j is not dialable', (raw) => {
    expect(dialTargetOf(raw)).toBeUndefined()
  })
})
