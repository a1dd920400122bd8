import { describe, expect, it } from 'vitest'
import type { CtiConfig } from './config'
import { MAX_BODY_BYTES, runAccess, type AccessRequest } from './runner'
import { ctiConfig } from './testing/config'
import { createFakeWorld, type FakeWorld } from './testing/fakes'
import type { HttpPort, HttpRequest } from './ports'

const sip = { user: '1001', server: 'wss://pbx.example.com/ws' }

function configWith(accesses: Record<string, unknown>, extra: Record<string, unknown> = {}): CtiConfig {
  return ctiConfig({ target: 'custom', timeoutSeconds: 5, accesses, ...extra }, sip)
}

const variables = new Map([
  ['TEL', '0312345678'],
  ['NAME', '日本'],
  ['AID', 'agent7'],
  ['APW', 'p@ss word'],
  ['SID', ''],
])

function request(access: AccessRequest['access'], extra: Partial<AccessRequest> = {}): AccessRequest {
  return { access, callId: 'c1', variables, secrets: ['p@ss word'], ...extra }
}

function setup(config: CtiConfig, options: Parameters<typeof createFakeWorld>[0] = {}): FakeWorld & { run: (r: AccessRequest) => ReturnType<typeof runAccess> } {
  const world = createFakeWorld(options)
  return { ...world, run: (r) => runAccess({ config, ports: world.ports, log: world.log }, r) }
}

describe('methods', () => {
  it('get opens the URL in the named CRM tab', async () => {
    const world = setup(configWith({ ring: { method: 'get', url: 'https://www.google.com/search?q={TEL}' } }, { tabName: 'crm' }))
    await expect(world.run(request('ring'))).resolves.toEqual({ ok: true, values: {}, missing: [] })
    expect(world.tabs.opened).toEqual([{ url: 'https://www.google.com/search?q=0312345678', tabName: 'crm' }])
    expect(world.logs).toEqual([
      { time: '2025-04-01T00:30:45.000Z', callId: 'c1', access: 'ring', method: 'get', outcome: 'ok', url: 'https://www.google.com/search?q=0312345678', ms: 0 },
    ])
  })

  it('get: a blocked tab is a failure carrying the URL for the banner', async () => {
    const world = setup(configWith({ ring: { method: 'get', url: 'https://crm/?t={TEL}' } }))
    world.tabs.blocked = true
    await expect(world.run(request('ring'))).resolves.toEqual({
      ok: false,
      reason: 'blocked',
      blockedUrl: 'https://crm/?t=0312345678',
      blockedLabel: 'https://crm/?t=0312345678',
    })
    expect(world.logs[0]).toMatchObject({ outcome: 'failed', error: 'blocked' })
  })

  it('post submits the query fields into the named tab', async () => {
    const world = setup(configWith({ click: { method: 'post', url: 'https://crm/open.php?tel={TEL}&name={NAME}' } }))
    await world.run(request('click'))
    expect(world.tabs.forms).toEqual([{ url: 'https://crm/open.php', fields: [['tel', '0312345678'], ['name', '日本']], tabName: 'tsunagu-crm' }])
    expect(world.logs[0]).toMatchObject({ url: 'https://crm/open.php', body: 'tel=0312345678&name=%E6%97%A5%E6%9C%AC' })
  })

  it('get-internal sends a GET with the access credentials mode', async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', url: 'http://crm/ring?tel={TEL}', credentials: 'include' } }))
    await world.run(request('ring'))
    expect(world.http.requests).toEqual([{ method: 'GET', url: 'http://crm/ring?tel=0312345678', credentials: 'include', at: Date.parse('2025-04-01T00:30:45Z') }])
  })

  it('post-internal posts the query string as an urlencoded body', async () => {
    const world = setup(configWith({ ring: { method: 'post-internal', url: 'http://crm/ring.php?tel={TEL}&n={NAME}' } }))
    await world.run(request('ring'))
    expect(world.http.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://crm/ring.php',
      body: 'tel=0312345678&n=%E6%97%A5%E6%9C%AC',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  })

  it("gives the http port the access's timeout (the helper's host gives up then too)", async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', via: 'helper', url: 'http://crm/ring?tel={TEL}' } }))
    const seen: HttpRequest[] = []
    const helperHttp: HttpPort = (req) => {
      seen.push(req)
      return Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() })
    }
    await runAccess({ config: configWith({ ring: { method: 'get-internal', via: 'helper', url: 'http://crm/ring?tel={TEL}' } }), ports: { ...world.ports, helperHttp }, log: world.log }, request('ring'))
    expect(seen).toMatchObject([{ url: 'http://crm/ring?tel=0312345678', timeoutMs: 5000 }])
  })

  it('command sends argv to the helper', async () => {
    const world = setup(configWith({ answer: { method: 'command', url: '"C:\\Program Files\\crm.exe" {TEL} {NAME}' } }))
    await expect(world.run(request('answer'))).resolves.toMatchObject({ ok: true })
    expect(world.helper.commands).toEqual([['C:\\Program Files\\crm.exe', '0312345678', '日本']])
    // The helper learns which items a placeholder could turn into an option.
    expect(world.helper.marks).toEqual([[false, true, true]])
    expect(world.logs[0]).toMatchObject({ argv: ['C:\\Program Files\\crm.exe', '0312345678', '日本'], outcome: 'ok' })
  })

  it.each([
    [{ ok: false, reason: 'helper-not-installed' } as const, 'helper-not-installed'],
    [{ ok: false, reason: 'not-allowed', message: 'not on the allow-list' } as const, 'command-not-allowed'],
    [{ ok: true, exitCode: 2 } as const, 'command-failed'],
  ])('command result %j → %s', async (result, reason) => {
    const world = setup(configWith({ answer: { method: 'command', url: 'crm.exe {TEL}' } }))
    world.helper.result = result
    await expect(world.run(request('answer'))).resolves.toMatchObject({ ok: false, reason })
  })

  it('command without the helper: "helper not installed"', async () => {
    const world = setup(configWith({ answer: { method: 'command', url: 'crm.exe {TEL}' } }), { withHelper: false })
    await expect(world.run(request('answer'))).resolves.toEqual({ ok: false, reason: 'helper-not-installed' })
    expect(world.logs[0]).toMatchObject({ outcome: 'failed', error: 'helper-not-installed', argv: ['crm.exe', '0312345678'] })
  })

  it('via helper without the helper: "helper not installed", never a silent fetch', async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', url: 'http://crm/ring', via: 'helper' } }))
    await expect(world.run(request('ring'))).resolves.toEqual({ ok: false, reason: 'helper-not-installed' })
    expect(world.http.requests).toEqual([])
  })

  it('via helper with the helper: goes through helperHttp', async () => {
    const config = configWith({ ring: { method: 'get-internal', url: 'http://crm/ring', via: 'helper' } })
    const world = createFakeWorld()
    const seen: string[] = []
    const ports = { ...world.ports, helperHttp: async (r: { url: string }) => (seen.push(r.url), { status: 200, headers: {}, body: new Uint8Array() }) }
    await expect(runAccess({ config, ports, log: world.log }, request('ring'))).resolves.toMatchObject({ ok: true })
    expect(seen).toEqual(['http://crm/ring'])
    expect(world.http.requests).toEqual([])
  })
})

describe('responses', () => {
  const search = (extra: Record<string, unknown> = {}) =>
    configWith({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}{COMPANY}', ...extra } })

  it('parses a 2xx body of search by its format and logs the values', async () => {
    const world = setup(search())
    world.http.on('http://crm/search', { body: '山田太郎\r\n株式会社テスト\r\n' })
    await expect(world.run(request('search'))).resolves.toEqual({ ok: true, status: 200, values: { NAME: '山田太郎', COMPANY: '株式会社テスト' }, missing: [] })
    expect(world.logs[0]).toMatchObject({ status: 200, values: { NAME: '山田太郎', COMPANY: '株式会社テスト' } })
  })

  it.each([
    ['Shift_JIS by the access charset', { charset: 'Shift_JIS' }, {}, [0x8e, 0x52, 0x93, 0x63, 0x0a, 0x8a, 0x94]],
    ['EUC-JP by the Content-Type', {}, { 'content-type': 'text/plain; charset=EUC-JP' }, [0xbb, 0xb3, 0xc5, 0xc4, 0x0a, 0xb3, 0xf4]],
  ])('decodes %s', async (_name, access, headers, bytes) => {
    const world = setup(search(access))
    world.http.on('http://crm/search', { body: Uint8Array.from(bytes), headers })
    await expect(world.run(request('search'))).resolves.toMatchObject({ values: { NAME: '山田', COMPANY: '株' } })
  })

  it.each([301, 401, 404, 500, 503])('does not parse a %i body', async (status) => {
    const world = setup(search())
    world.http.on('http://crm/search', { status, body: 'Error\nPage' })
    await expect(world.run(request('search'))).resolves.toEqual({ ok: false, reason: 'http-error', status })
    expect(world.logs[0]).toMatchObject({ outcome: 'failed', error: 'http-error', status })
    expect(world.logs[0]?.values).toBeUndefined()
  })

  it('logs why a body did not match', async () => {
    const world = setup(search())
    world.http.on('http://crm/search', { body: 'only one line' })
    await expect(world.run(request('search'))).resolves.toMatchObject({ ok: true, missing: ['COMPANY'] })
    expect(world.logs[0]?.warnings).toEqual(['format: no line left for {COMPANY}'])
  })

  it('reads no format for other accesses', async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', url: 'http://crm/ring', format: '{NAME}' } }))
    world.http.on('http://crm/ring', { body: 'Taro' })
    await expect(world.run(request('ring'))).resolves.toEqual({ ok: true, status: 200, values: {}, missing: [] })
  })

  it('a network failure is a value, with the message', async () => {
    const world = setup(search())
    world.http.on('http://crm/search', 'network-error')
    await expect(world.run(request('search'))).resolves.toEqual({ ok: false, reason: 'network', detail: 'Failed to fetch' })
  })
})

describe('timeout', () => {
  it.each(['hang', 'hang-ignoring-abort'] as const)('ends a request that does not answer (%s) at timeoutSeconds', async (reply) => {
    const world = setup(configWith({ search: { method: 'get-internal', url: 'http://crm/s', format: '{NAME}' } }))
    world.http.on('http://crm/s', reply)
    let outcome: unknown
    void world.run(request('search')).then((result) => (outcome = result))
    await world.clock.advance(4999)
    expect(outcome).toBeUndefined()
    await world.clock.advance(1)
    expect(outcome).toEqual({ ok: false, reason: 'timeout' })
    expect(world.logs[0]).toMatchObject({ outcome: 'failed', error: 'timeout', ms: 5000 })
  })

  it('applies to commands too', async () => {
    const config = configWith({ answer: { method: 'command', url: 'crm.exe' } })
    const world = createFakeWorld()
    const ports = { ...world.ports, runCommand: () => new Promise<never>(() => {}) }
    const result = runAccess({ config, ports, log: world.log }, request('answer'))
    await world.clock.advance(5000)
    await expect(result).resolves.toEqual({ ok: false, reason: 'timeout' })
  })
})

describe('masking secrets in the log', () => {
  it.each([
    ['URL (get-internal)', { method: 'get-internal', url: 'http://crm/login?u={AID}&p={APW}' }, { url: 'http://crm/login?u=agent7&p=***' }],
    ['body (post-internal)', { method: 'post-internal', url: 'http://crm/login?u={AID}&p={APW}' }, { url: 'http://crm/login', body: 'u=agent7&p=***' }],
    ['form body (post)', { method: 'post', url: 'http://crm/login?u={AID}&p={APW}' }, { url: 'http://crm/login', body: 'u=agent7&p=***' }],
    ['tab URL (get)', { method: 'get', url: 'http://crm/login?u={AID}&p={APW}' }, { url: 'http://crm/login?u=agent7&p=***' }],
    ['argv (command)', { method: 'command', url: 'login.exe {AID} {APW} --pw={APW}' }, { argv: ['login.exe', 'agent7', '***', '--pw=***'] }],
    ['a literal password', { method: 'get-internal', url: 'http://crm/login?userid=aaaa&password=bbbb' }, { url: 'http://crm/login?userid=aaaa&password=***' }],
    ['a literal password in argv', { method: 'command', url: 'login.exe --password=hunter2 {TEL}' }, { argv: ['login.exe', '--password=***', '0312345678'] }],
    ['Shift_JIS-encoded password', { method: 'get-internal', url: 'http://crm/l?p={APW}', charset: 'Shift_JIS' }, { url: 'http://crm/l?p=***' }],
  ])('%s', async (_name, access, expected) => {
    const world = setup(configWith({ auth: access }))
    await world.run(request('auth'))
    expect(world.logs[0]).toMatchObject(expected)
    expect(JSON.stringify(world.logs)).not.toMatch(/p%40ss|p@ss|bbbb|hunter2/)
  })

  it('masks every value the auth format extracts, unless declared public', async () => {
    const world = setup(configWith({ auth: { method: 'get-internal', url: 'http://crm/login', format: '{SID}{CRLF}{OPERATOR}', publicVariables: ['OPERATOR'] } }))
    world.http.on('http://crm/login', { body: 'S3SS10N\r\nsato' })
    const outcome = await world.run(request('auth'))
    expect(outcome).toMatchObject({ values: { SID: 'S3SS10N', OPERATOR: 'sato' } })
    expect(world.logs[0]?.values).toEqual({ SID: '***', OPERATOR: 'sato' })
    expect(JSON.stringify(world.logs)).not.toContain('S3SS10N')
  })

  it('masks the auth values passed as secrets wherever a later access sends them', async () => {
    const world = setup(configWith({ search: { method: 'get-internal', url: 'http://crm/s?tel={TEL}&s={SID}' } }))
    const vars = new Map([...variables, ['SID', 'S3SS10N']])
    await world.run(request('search', { variables: vars, secrets: ['p@ss word', 'S3SS10N'] }))
    expect(world.logs[0]).toMatchObject({ url: 'http://crm/s?tel=0312345678&s=***' })
  })

  it.each([
    ['access_token', 'http://crm/a?access_token=t0k&tel={TEL}', 'http://crm/a?access_token=***&tel=0312345678'],
    ['user_password', 'http://crm/a?user_password=u&tel={TEL}', 'http://crm/a?user_password=***&tel=0312345678'],
    ['pin', 'http://crm/a?pin=12&tel={TEL}', 'http://crm/a?pin=***&tel=0312345678'],
  ])('masks a literal %s without touching the number', async (_name, url, expected) => {
    const world = setup(configWith({ ring: { method: 'get-internal', url } }))
    await world.run(request('ring'))
    expect(world.logs[0]?.url).toBe(expected)
  })

  it('a short agent password is masked as a whole value only', async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', url: 'http://crm/a?tel={TEL}&p={APW}' } }))
    await world.run(request('ring', { variables: new Map([...variables, ['APW', '12']]), secrets: ['12'] }))
    expect(world.logs[0]?.url).toBe('http://crm/a?tel=0312345678&p=***')
  })

  it('a blocked tab keeps the real URL for the link and a masked one for the banner', async () => {
    const world = setup(configWith({ ring: { method: 'get', url: 'https://crm/?t={TEL}&u={AID}&p={APW}&token=abc' } }))
    world.tabs.blocked = true
    const outcome = await world.run(request('ring'))
    expect(outcome).toMatchObject({
      blockedUrl: 'https://crm/?t=0312345678&u=agent7&p=p%40ss%20word&token=abc',
      blockedLabel: 'https://crm/?t=0312345678&u=agent7&p=***&token=***',
    })
  })

  it('masks a password echoed in extracted values', async () => {
    const world = setup(configWith({ auth: { method: 'get-internal', url: 'http://crm/login', format: '{SID}', publicVariables: ['SID'] } }))
    world.http.on('http://crm/login', { body: 'token-p@ss word-1' })
    const outcome = await world.run(request('auth'))
    expect(outcome).toMatchObject({ values: { SID: 'token-p@ss word-1' } })
    expect(world.logs[0]?.values).toEqual({ SID: 'token-***-1' })
  })
})

describe('warnings', () => {
  it('logs unknown placeholders', async () => {
    const world = setup(configWith({ ring: { method: 'get', url: 'https://crm/?x={NOPE}' } }))
    await world.run(request('ring'))
    expect(world.logs[0]).toMatchObject({ url: 'https://crm/?x={NOPE}', warnings: ['unknown-placeholder: {NOPE} left as typed'] })
  })
})

describe('robustness', () => {
  it('an encoder that throws ends as a logged internal error, never an exception', async () => {
    const config = configWith({ ring: { method: 'get-internal', url: 'http://crm/ring?n={NAME}', charset: 'gbk' } })
    const world = createFakeWorld()
    const ports = {
      ...world.ports,
      encodeCharset: () => {
        throw new Error('encoder bug with p@ss word')
      },
    }
    await expect(runAccess({ config, ports, log: world.log }, request('ring'))).resolves.toMatchObject({ ok: false, reason: 'internal-error' })
    expect(world.logs).toEqual([
      { time: '2025-04-01T00:30:45.000Z', callId: 'c1', access: 'ring', method: 'get-internal', outcome: 'failed', error: 'internal-error', detail: 'encoder bug with ***' },
    ])
  })
})

describe('a CRM that answers with too much', () => {
  it('stops at MAX_BODY_BYTES: the search fails as too-large, logged, and nothing is parsed', async () => {
    const world = setup(configWith({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}' } }))
    world.http.on('http://crm/search', { body: new Uint8Array(MAX_BODY_BYTES + 1) })
    const outcome = await world.run(request('search'))
    expect(outcome).toMatchObject({ ok: false, reason: 'too-large' })
    expect(world.logs).toEqual([expect.objectContaining({ access: 'search', outcome: 'failed', error: 'too-large' })])
  })

  it('reads a body of exactly MAX_BODY_BYTES', async () => {
    const world = setup(configWith({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}' } }))
    world.http.on('http://crm/search', { body: new Uint8Array(MAX_BODY_BYTES).fill(0x41) })
    await expect(world.run(request('search'))).resolves.toMatchObject({ ok: true })
  })
})

describe('a CRM that answers with garbage', () => {
  const searchConfig = () => configWith({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}' } })

  it.each([
    ['bytes that are not UTF-8', Uint8Array.from([0xff, 0xfe, 0x80, 0x41, 0xc3])],
    ['binary with NUL bytes', Uint8Array.from([0x41, 0x00, 0x01, 0x42])],
  ])('%s: the search fails as not-text, logged, and no value comes from it', async (_name, body) => {
    const world = setup(searchConfig())
    world.http.on('http://crm/search', { body })
    const outcome = await world.run(request('search'))
    expect(outcome).toMatchObject({ ok: false, reason: 'not-text', status: 200 })
    expect(world.logs).toEqual([expect.objectContaining({ access: 'search', outcome: 'failed', error: 'not-text', status: 200 })])
    expect(world.logs[0]).not.toHaveProperty('values')
  })

  it('text with tabs and CRLF is text', async () => {
    const world = setup(searchConfig())
    world.http.on('http://crm/search', { body: new TextEncoder().encode('山田\t太郎\r\n') })
    await expect(world.run(request('search'))).resolves.toMatchObject({ ok: true, values: { NAME: '山田\t太郎' } })
  })

  it('an access without a format does not read the body, garbage or not', async () => {
    const world = setup(configWith({ ring: { method: 'get-internal', url: 'http://crm/ring?tel={TEL}' } }))
    world.http.on('http://crm/ring', { body: Uint8Array.from([0x00, 0xff]) })
    await expect(world.run(request('ring'))).resolves.toMatchObject({ ok: true })
  })
})
