import { describe, expect, it } from 'vitest'
import { deriveCallParties, userPart, type CallFacts } from './call-parties'
import { FakeRandom } from './testing/fakes'

const base: CallFacts = {
  callId: 'c1',
  direction: 'in',
  fromUser: '0312345678#A1#B2',
  displayName: 'Yamada',
  calledUser: '0501234567',
  headers: {},
  anonymous: false,
}
const config = { extension: '1001' }
const ports = { random: new FakeRandom() }

describe('deriveCallParties', () => {
  it.each([
    ['incoming', base, {}, { tel: '0312345678', code1: 'A1', code2: 'B2', called: '0501234567', remote: '0312345678', telName: 'Yamada' }],
    [
      'CALLED from the configured header (a URI: its user part)',
      { ...base, headers: { 'x-called': '<sip:0311112222@pbx.example.com>;tag=1' } },
      { calledHeader: 'X-Called' },
      { called: '0311112222' },
    ],
    ['CALLED header configured but absent → the To user', base, { calledHeader: 'X-Called' }, { called: '0501234567' }],
    ['CALLED from a plain header value', { ...base, headers: { 'x-called': '0311112222' } }, { calledHeader: 'x-called' }, { called: '0311112222' }],
    ['anonymous user', { ...base, fromUser: 'anonymous', displayName: 'Anonymous' }, {}, { tel: '', remote: '', anonymous: true, telName: '' }],
    ['Privacy: id from the SIP layer', { ...base, anonymous: true }, {}, { tel: '', anonymous: true, code1: 'A1' }],
    ['Privacy: id header', { ...base, headers: { privacy: 'id' } }, {}, { tel: '', anonymous: true }],
    [
      'outgoing: TEL is us, CALLED and REMOTE the number dialled',
      { ...base, direction: 'out', fromUser: '1001', displayName: 'Me', calledUser: '0312345678', ownExtension: '1002' },
      {},
      { direction: 'out', tel: '1002', called: '0312345678', remote: '0312345678', code1: '', code2: '', telName: 'Me' },
    ],
    ['outgoing without ownExtension: cti.extension', { ...base, direction: 'out', calledUser: '0312345678' }, {}, { tel: '1001' }],
  ] as const)('%s', (_name, facts, extra, expected) => {
    expect(deriveCallParties(facts as CallFacts, { ...config, ...extra }, ports)).toMatchObject(expected)
  })

  it.each([
    ['requestIdHeader present', { 'x-request-id': 'R1' }, 'R1'],
    ['requestIdHeader absent', {}, /^\d{20}$/],
    ['requestIdHeader empty', { 'x-request-id': ' ' }, /^\d{20}$/],
  ])('{ID}: %s', (_name, headers, expected) => {
    const parties = deriveCallParties({ ...base, headers }, { ...config, requestIdHeader: 'X-Request-Id' }, { random: new FakeRandom() })
    if (typeof expected === 'string') expect(parties.requestId).toBe(expected)
    else expect(parties.requestId).toMatch(expected)
  })

  it('takes TELNAME and CALLEDNAME from the SIP display names (no phonebooks yet)', () => {
    expect(deriveCallParties({ ...base, calledDisplayName: '営業部' }, config, ports)).toMatchObject({ telName: 'Yamada', calledName: '営業部' })
    expect(deriveCallParties(base, config, ports)).toMatchObject({ calledName: '' })
  })
})

describe('userPart', () => {
  it.each([
    ['sip:0311@pbx', '0311'],
    ['"Sales" <sips:0311@pbx>;tag=x', '0311'],
    ['tel:+81311112222', '+81311112222'],
    ['0311', '0311'],
  ])('%j → %j', (value, user) => {
    expect(userPart(value)).toBe(user)
  })
})
