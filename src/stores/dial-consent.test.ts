import { describe, expect, it } from 'vitest'
import { dialNeedsConsent, referrerOrigin } from './dial-consent'

const policy = { trustedOrigins: ['https://crm.example'], sipDomain: 'pbx.example' }

describe('dialNeedsConsent', () => {
  it.each([
    [{ target: '0312345678', from: 'https://crm.example' }, false],
    [{ target: '1002@pbx.example', from: 'https://crm.example' }, false],
    [{ target: '1002@PBX.example', from: 'https://crm.example' }, false],
    // Not listed, not said, or a look-alike origin: the agent is asked.
    [{ target: '0312345678', from: 'https://evil.example' }, true],
    [{ target: '0312345678' }, true],
    [{ target: '0312345678', from: 'https://crm.example.evil' }, true],
    [{ target: '0312345678', from: 'http://crm.example' }, true],
    // A SIP address on another domain always asks, even from a trusted page.
    [{ target: '1002@other.example', from: 'https://crm.example' }, true],
    [{ target: '1002@pbx.example@other.example', from: 'https://crm.example' }, true],
  ])('%j → %s', (request, asks) => {
    expect(dialNeedsConsent(request, policy)).toBe(asks)
  })
})

describe('referrerOrigin', () => {
  it.each([
    ['https://crm.example/customer?id=1', 'https://crm.example'],
    ['', undefined],
    [undefined, undefined],
    ['not a url', undefined],
    ['data:text/html,x', undefined],
  ])('%j → %j', (referrer, origin) => {
    expect(referrerOrigin(referrer)).toBe(origin)
  })
})
