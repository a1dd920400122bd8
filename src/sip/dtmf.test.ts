import { describe, expect, it } from 'vitest'
import { dtmfRelayBody, normalizeDtmf } from './dtmf'

describe('DTMF', () => {
  it('accepts keypad characters and A-D, upper-cased', () => {
    expect(normalizeDtmf('12*#ab')).toBe('12*#AB')
    expect(normalizeDtmf('1x')).toBeUndefined()
    expect(normalizeDtmf('')).toBeUndefined()
  })

  it('writes the application/dtmf-relay body PBXs read', () => {
    expect(dtmfRelayBody('5')).toBe('Signal=5\r\nDuration=120\r\n')
  })
})
