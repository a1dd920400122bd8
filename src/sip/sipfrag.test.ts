import { describe, expect, it } from 'vitest'
import { sipfragStatus } from './sipfrag'

describe('sipfragStatus', () => {
  it.each([
    ['SIP/2.0 200 OK', 200],
    ['SIP/2.0 100 Trying\r\n', 100],
    ['  SIP/2.0 486 Busy Here', 486],
    ['hello', undefined],
  ])('%j → %s', (body, status) => {
    expect(sipfragStatus(body)).toBe(status)
  })
})
