import { describe, expect, it } from 'vitest'
import type { CallFacts } from './call-parties'
import { lenientReadingRules, readCall, type ReadingFacts, type ReadingRules } from './call-reading'
import { FakeRandom } from './testing/fakes'

const rules: ReadingRules = { extension: '1001', targetNumbers: 'all' }
const ring: CallFacts = {
  callId: 'c1',
  direction: 'in',
  fromUser: '0312345678#A1#B2',
  displayName: 'Yamada',
  calledUser: '0501234567',
  headers: {},
}
const read = (facts: Partial<ReadingFacts> = {}, with_: Partial<ReadingRules> = {}, nameFor?: (n: string) => string | undefined) =>
  readCall({ ...ring, ...facts }, { ...rules, ...with_ }, { random: new FakeRandom(), ...(nameFor ? { nameFor } : {}) })

describe('readCall: who is calling', () => {
  it('splits the # codes off the number and keeps the SIP name', () => {
    expect(read()).toMatchObject({ callId: 'c1', tel: '0312345678', code1: 'A1', code2: 'B2', anonymous: false, telName: 'Yamada', sipName: 'Yamada', popup: true })
  })

  it.each([
    ['From user anonymous', { fromUser: 'anonymous', displayName: 'Anonymous' }],
    ['From user Anonymous with codes', { fromUser: 'Anonymous#A1', displayName: 'x' }],
    ['empty From user', { fromUser: '', displayName: 'Withheld' }],
    ['Privacy: id', { headers: { privacy: 'id' } }],
    ['Privacy: user', { headers: { privacy: 'user' } }],
    ['Privacy: header;critical', { headers: { privacy: 'header;critical' } }],
  ])('%s: withheld, no number, no display name shown, still pops up', (_name, facts) => {
    const call = read(facts)
    expect(call).toMatchObject({ anonymous: true, tel: '', remote: '', telName: '', popup: true })
  })

  it('a phonebook name wins over the SIP name; an anonymous caller is never looked up', () => {
    const book = (n: string) => (n === '0312345678' ? '山田商店' : undefined)
    expect(read({}, {}, book).telName).toBe('山田商店')
    expect(read({ headers: { privacy: 'id' } }, {}, book).telName).toBe('')
  })

  it('the request id comes from the configured header, else 20 random digits', () => {
    expect(read({ headers: { 'x-request-id': 'R-7' } }, { requestIdHeader: 'X-Request-Id' }).requestId).toBe('R-7')
    expect(read().requestId).toMatch(/^\d{20}$/)
  })
})

describe('readCall: whether it pops up', () => {
  it.each([
    ['a targeted call', {}, {}, true, undefined],
    ['from 9999', { fromUser: '9999' }, {}, false, 'system-number'],
    ['from 9999 with codes', { fromUser: '9999#A1' }, {}, false, 'system-number'],
    ['untargeted', {}, { targetNumbers: ['0399999999'] }, false, 'untargeted'],
    ['targeted, E.164 called number against a national target', { calledUser: '+81501234567' }, { targetNumbers: ['050-1234-567'] }, true, undefined],
    ['targeted, national called number against an E.164 target', { calledUser: '0312345678' }, { targetNumbers: ['+81 3 1234 5678'] }, true, undefined],
    ['an extension target matches its digits only', { calledUser: '1001' }, { targetNumbers: ['1001'] }, true, undefined],
    ['outgoing', { direction: 'out' as const, fromUser: '1001', calledUser: '0312345678' }, { targetNumbers: [] }, false, 'outgoing'],
    ['replaces one of our calls', { replaces: true }, {}, false, 'replaces'],
  ])('%s', (_name, facts, with_, popup, noPopup) => {
    const call = read(facts, with_)
    expect(call.popup).toBe(popup)
    expect(call.noPopup).toBe(noPopup)
  })
})

describe('lenientReadingRules: a cti section that failed validation', () => {
  it('keeps the target list when only other keys are broken', () => {
    const cti = { target: 'custom', targetNumbers: ['0399999999'], accesses: { search: { method: 'nonsense' } } }
    const call = readCall(ring, lenientReadingRules(cti, '1001'), { random: new FakeRandom() })
    expect(call).toMatchObject({ popup: false, noPopup: 'untargeted' })
  })

  it('targets nothing when the list itself cannot be read', () => {
    expect(lenientReadingRules({ targetNumbers: 42 }, '1001').targetNumbers).toEqual([])
    expect(readCall(ring, lenientReadingRules({ targetNumbers: 42 }, '1001'), { random: new FakeRandom() }).popup).toBe(false)
  })

  it('9999 never pops up whatever the section holds', () => {
    for (const cti of [undefined, null, 'x', { targetNumbers: 'all' }, { extension: 5 }]) {
      expect(readCall({ ...ring, fromUser: '9999' }, lenientReadingRules(cti, '1001'), { random: new FakeRandom() }).popup).toBe(false)
    }
  })

  it('reads the headers and extension it can, and ignores malformed ones', () => {
    expect(lenientReadingRules({ extension: ' 2001 ', calledHeader: 'X-Called', requestIdHeader: 'bad header' }, '1001')).toEqual({
      extension: '2001',
      targetNumbers: 'all',
      calledHeader: 'X-Called',
    })
  })
})
