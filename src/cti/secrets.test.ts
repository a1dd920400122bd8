import { describe, expect, it } from 'vitest'
import { literalSecrets, maskSecrets, secretForms } from './secrets'

describe('maskSecrets', () => {
  it.each([
    ['http://crm/login?id=a&pw=hunter2', ['hunter2'], 'http://crm/login?id=a&pw=***'],
    ['hunter2 and hunter2', ['hunter2'], '*** and ***'],
    ['abcdef', ['abc', 'abcdef'], '***'],
    ['nothing here', ['hunter2'], 'nothing here'],
    ['keep all', [''], 'keep all'],
  ])('%j with %j → %j', (text, secrets, masked) => {
    expect(maskSecrets(text, secrets)).toBe(masked)
  })
})

describe('literalSecrets', () => {
  it.each([
    ['http://crm/login?userid=aaaa&password=bbbb', ['bbbb']],
    ['http://crm/login?user=a&pass=s3cret&x=1', ['s3cret']],
    ['http://crm/login?PW=abc#frag', ['abc']],
    ['http://crm/login?passwd=abc;x', ['abc']],
    ['http://crm/api?token=t0k&apikey=k3y', ['t0k', 'k3y']],
    ['"C:\\crm.exe" --password=xyz {TEL}', ['xyz']],
    ['"C:\\crm.exe" --password="two words"', ['two words']],
    ['http://crm/login?password={APW}', []],
    ['http://crm/login?password=', []],
    ['http://crm/compass=north', []],
    ['http://crm/s?bypass=1', []],
  ])('%j → %j', (template, secrets) => {
    expect(literalSecrets(template)).toEqual(secrets)
  })
})

describe('secretForms', () => {
  it('covers raw, percent-encoded (both cases, + for spaces) and charset forms', () => {
    const forms = secretForms('p@ss 日', 'shift_jis')
    expect(forms).toEqual(
      expect.arrayContaining(['p@ss 日', 'p%40ss%20%E6%97%A5', 'p%40ss%20%e6%97%a5', 'p%40ss+%E6%97%A5', 'p%40ss%20%93%FA', 'p%40ss+%93%FA']),
    )
    // the form encodeURIComponent leaves, as a hand-written CRM URL might have it
    expect(secretForms('a(b) c')).toContain('a(b)%20c')
  })

  it('decodes a literal typed percent-encoded, since a form field carries it decoded', () => {
    expect(secretForms('a%26b')).toContain('a&b')
  })

  it('has no forms for an empty secret', () => {
    expect(secretForms('')).toEqual([])
  })
})
