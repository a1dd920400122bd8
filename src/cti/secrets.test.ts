import { describe, expect, it } from 'vitest'
import { createMasker, isSecretKey, literalSecrets, maskArgv, maskSecretKeys, maskSecrets, secretForms } from './secrets'

describe('maskSecrets (known secrets, whole tokens only)', () => {
  it.each([
    ['http://crm/login?id=a&pw=hunter2', ['hunter2'], 'http://crm/login?id=a&pw=***'],
    ['hunter2 and hunter2', ['hunter2'], '*** and ***'],
    ['abcdef', ['abc', 'abcdef'], '***'],
    ['nothing here', ['hunter2'], 'nothing here'],
    ['keep all', [''], 'keep all'],
    // a short password is masked where it is the whole value, never inside other digits
    ['http://crm/s?tel=0312345678&apw=12', ['12'], 'http://crm/s?tel=0312345678&apw=***'],
    ['http://crm/s?tel=03-1234-5678', ['1234'], 'http://crm/s?tel=03-1234-5678'],
    ['http://crm/s?x=12&y=123&z=412', ['12'], 'http://crm/s?x=***&y=123&z=412'],
    ['/c/12/x', ['12'], '/c/***/x'],
    // encoded neighbours count as the characters they stand for
    ['q=a%2012%26b', ['12'], 'q=a%20***%26b'],
    ['q=%3412', ['12'], 'q=%3412'],
    ['q=12%41', ['12'], 'q=12%41'],
    // a secret with separators inside is one token as a whole
    ['pw=p%40ss%20%E6%97%A5&x=1', ['p%40ss%20%E6%97%A5'], 'pw=***&x=1'],
    ['"sid":"S3SS10N"', ['S3SS10N'], '"sid":"***"'],
    ['Bearer S3SS10N', ['S3SS10N'], 'Bearer ***'],
    ['S3Sx', ['S3S'], 'S3Sx'],
    ['tel=0312345678', ['123456'], 'tel=0312345678'],
    // a long secret with letters is masked even inside another token
    ['token-p@ss word-1', ['p@ss word'], 'token-***-1'],
    ['S3SS10Nx', ['S3SS10N'], '***x'],
    ['日本語', ['日本'], '日本語'],
    ['名前=日本&x', ['日本'], '名前=***&x'],
  ])('%j with %j → %j', (text, secrets, masked) => {
    expect(maskSecrets(text, secrets)).toBe(masked)
  })
})

describe('isSecretKey', () => {
  it.each([
    'password', 'passwd', 'pwd', 'pass', 'pw', 'secret', 'token', 'access_token', 'auth_token', 'user_password',
    'passcode', 'pin', 'key', 'api_key', 'apikey', 'api-key', 'x-api-key', 'X-Api-Key', 'sid', 'PHPSESSID', 'jsessionid',
    'session', 'session_id', 'credential', 'credentials', 'signature', 'sig', 'PASSWORD', 'UserPassword', 'userPass',
    'accessToken', 'client_secret', 'user_pin', 'PIN', 'pincode', 'otp', 'Authorization', 'Cookie', '--password', '-pin',
    'user%5Fpassword', 'private_key', 'privateKey',
  ])('%s names a secret', (name) => {
    expect(isSecretKey(name)).toBe(true)
  })

  it.each(['tel', 'auth_user', 'compass', 'bypass', 'keyword', 'monkey', 'pinyin', 'shipping', 'inside', 'sidebar', 'id', 'user', 'name', 'passage', ''])(
    '%s does not',
    (name) => {
      expect(isSecretKey(name)).toBe(false)
    },
  )
})

describe('maskSecretKeys (values of secret-looking keys)', () => {
  it.each([
    // query strings and form bodies, any prefix or suffix
    ['http://crm/a?access_token=abc&x=1', 'http://crm/a?access_token=***&x=1'],
    ['http://crm/a?user_password=abc#top', 'http://crm/a?user_password=***#top'],
    ['auth_token=abc&passcode=1234&pin=0000&key=k1&api_key=k2&sid=s1', 'auth_token=***&passcode=***&pin=***&key=***&api_key=***&sid=***'],
    ['userid=agent01&pass=x;y', 'userid=agent01&pass=***;y'],
    ['password=a%26b&tel=03', 'password=***&tel=03'],
    ['tel=0312345678&name=%E5%B1%B1', 'tel=0312345678&name=%E5%B1%B1'],
    ['compass=north&bypass=1', 'compass=north&bypass=1'],
    ['password=&x=1', 'password=&x=1'],
    // percent-encoded: a URL carried inside a query
    ['next=https%3A%2F%2Fcrm%2F%3Ftoken%3Dabc%26tel%3D03', 'next=https%3A%2F%2Fcrm%2F%3Ftoken%3D***%26tel%3D03'],
    ['x=1%26password%3Dabc', 'x=1%26password%3D***'],
    // JSON bodies, raw and percent-encoded
    ['{"user":"a","password":"p w","pin":1234,"tel":"03"}', '{"user":"a","password":"***","pin":***,"tel":"03"}'],
    ['{"access_token" : "t\\"x"}', '{"access_token" : "***"}'],
    ['data=%7B%22apiKey%22%3A%22abc%22%2C%22tel%22%3A%2203%22%7D', 'data=%7B%22apiKey%22%3A%22***%22%2C%22tel%22%3A%2203%22%7D'],
    // header lines, command options, URL user info
    ['Authorization: Bearer abc\r\nX-Api-Key: k\r\nAccept: */*', 'Authorization: ***\r\nX-Api-Key: ***\r\nAccept: */*'],
    ['Cookie: sid=abc; lang=ja', 'Cookie: ***'],
    ['crm.exe --password=xyz --pin 1234 --tel 03', 'crm.exe --password=*** --pin *** --tel 03'],
    ['https://agent01:hunter2@crm.example/', 'https://agent01:***@crm.example/'],
  ])('%j → %j', (text, masked) => {
    expect(maskSecretKeys(text)).toBe(masked)
  })
})

describe('maskArgv', () => {
  it('masks each argument and the value after a secret-looking option', () => {
    const mask = createMasker(['s3'])
    expect(maskArgv(['crm', '--pin', '1234', '--user', 'a', '--password=x', 's3', '--tel', '03'], mask)).toEqual([
      'crm', '--pin', '***', '--user', 'a', '--password=***', '***', '--tel', '03',
    ])
  })
})

describe('literalSecrets', () => {
  it.each([
    ['http://crm/login?userid=aaaa&password=bbbb', ['bbbb']],
    ['http://crm/login?user=a&pass=s3cret&x=1', ['s3cret']],
    ['http://crm/login?PW=abc#frag', ['abc']],
    ['http://crm/login?passwd=abc;x', ['abc']],
    ['http://crm/api?token=t0k&apikey=k3y', ['t0k', 'k3y']],
    ['http://crm/api?access_token=t0k&user_password=u&pin=12', ['t0k', 'u', '12']],
    ['"C:\\crm.exe" --password=xyz {TEL}', ['xyz']],
    ['"C:\\crm.exe" --password="two words"', ['two words']],
    ['crm --pin 4321 {TEL}', ['4321']],
    ['https://agent:pw9@crm/x', ['pw9']],
    ['http://crm/login?password={APW}', []],
    ['http://{AID}:{APW}@crm/', []],
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

describe('createMasker', () => {
  it.each([
    // auth values (SID) and the agent password, in every form, under any key name
    [['S3SS/ON', 'p@ss'], 'http://crm/s?s=S3SS%2FON&u=a&x=p%40ss', 'http://crm/s?s=***&u=a&x=***'],
    [['S3SS/ON'], 'S3SS%2fON', '***'],
    [['12'], 'http://crm/s?tel=0312345678&p=12', 'http://crm/s?tel=0312345678&p=***'],
    [[], 'http://crm/s?user_password=abc&tel=0312345678', 'http://crm/s?user_password=***&tel=0312345678'],
  ])('%j: %j → %j', (secrets, text, masked) => {
    expect(createMasker(secrets)(text)).toBe(masked)
  })

  it('masks literal template secrets under keys that do not look secret once sent', () => {
    const mask = createMasker([], { template: 'http://crm/login?password=hunter2&echo={TEL}' })
    expect(mask('request to http://crm/login?echo=hunter2 failed')).toBe('request to http://crm/login?echo=*** failed')
  })

  it('uses the access charset for encoded forms', () => {
    const mask = createMasker(['日'], { charset: 'shift_jis' })
    expect(mask('q=%93%FA&r=1')).toBe('q=***&r=1')
  })
})
