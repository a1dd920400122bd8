import { describe, expect, it } from 'vitest'
import { ACCESS_NAMES, defaultCtiConfig, deriveServerAddress, type CtiConfig } from './config'
import { ctiConfig, readCti } from './testing/config'

const sip = { user: '1001', server: 'wss://pbx.example.com:8089/ws' }

/** Validated by the schema, then derived: the engine's config as the app builds it. */
function normalized(input: unknown): CtiConfig {
  return ctiConfig(input, sip)
}

describe('defaults (docs/cti-integration.md §10)', () => {
  it('fills every key', () => {
    const config = normalized(undefined)
    expect(config).toEqual({
      target: 'none',
      skipInternal: true,
      internalPattern: '^\\d{2,6}$',
      sessionKeepMinutes: 30,
      pollingMinutes: 0,
      timeoutSeconds: 10,
      outgoing: false,
      numbers: [],
      targetNumbers: 'all',
      extension: '1001',
      serverAddress: 'https://pbx.example.com:8089',
      tabName: 'tsunagu-crm',
      accesses: Object.fromEntries(
        ACCESS_NAMES.map((name) => [name, { method: 'none', url: '', delaySeconds: 0, onlyIfAnswered: false, credentials: 'omit' }]),
      ),
    })
    expect(config.requestIdHeader).toBeUndefined()
    expect(config.calledHeader).toBeUndefined()
    expect(normalized({})).toEqual(config)
    expect(defaultCtiConfig(sip)).toEqual(config)
  })

  it.each([
    ['wss://pbx.example.com:8089/ws', 'https://pbx.example.com:8089'],
    ['ws://127.0.0.1:18088', 'http://127.0.0.1:18088'],
    ['WSS://PBX.example.com/path?x=1', 'https://PBX.example.com'],
    ['https://pbx:8000/', 'https://pbx:8000'],
    ['sip:pbx.example.com', ''],
    ['', ''],
  ])('serverAddress from %j → %j', (server, address) => {
    expect(deriveServerAddress(server)).toBe(address)
  })
})

describe('the cti section: validated by the schema, derived by normalizeCtiConfig', () => {
  it('keeps a complete custom integration', () => {
    const config = normalized({
      target: 'custom',
      skipInternal: false,
      internalPattern: '^1\\d{3}$',
      sessionKeepMinutes: 60,
      pollingMinutes: 5,
      timeoutSeconds: 3,
      outgoing: true,
      numbers: ['03-1234-5678', '0501234567'],
      targetNumbers: ['0312345678'],
      requestIdHeader: 'X-Request-Id',
      calledHeader: 'X-Called',
      extension: '2001',
      serverAddress: 'https://biztel.example.com:8000/',
      tabName: 'crm',
      accesses: {
        auth: { method: 'get-internal', url: 'http://crm/login?u={AID}&p={APW}', format: '{SID}', credentials: 'include' },
        search: { method: 'post-internal', url: 'http://crm/s?tel={TEL}&sid={SID}', format: { json: { NAME: '/name' } }, charset: 'Shift_JIS' },
        ring: { method: 'get', url: 'https://www.google.com/search?q={TEL}' },
        answer: { method: 'command', url: '"C:\\crm.exe" {TEL}', delaySeconds: 2 },
        hangup: { method: 'post', url: 'http://crm/end?id={ID}', onlyIfAnswered: true },
        click: { method: 'get-internal', url: 'http://crm/click', via: 'helper' },
      },
    })
    expect(config).toMatchObject({
      target: 'custom',
      targetNumbers: ['0312345678'],
      requestIdHeader: 'X-Request-Id',
      serverAddress: 'https://biztel.example.com:8000',
      accesses: {
        auth: { method: 'get-internal', format: '{SID}', credentials: 'include' },
        search: { charset: 'Shift_JIS', format: { json: { NAME: '/name' } } },
        answer: { delaySeconds: 2 },
        hangup: { onlyIfAnswered: true },
        click: { via: 'helper' },
      },
    })
  })

  it.each([
    ['custom', ''],
    [{ target: 'crm' }, 'target'],
    [{ skipInternal: 'yes' }, 'skipInternal'],
    [{ internalPattern: '(' }, 'internalPattern'],
    [{ sessionKeepMinutes: -1 }, 'sessionKeepMinutes'],
    [{ pollingMinutes: '5' }, 'pollingMinutes'],
    [{ timeoutSeconds: Number.NaN }, 'timeoutSeconds'],
    [{ numbers: '0312345678' }, 'numbers'],
    [{ numbers: [3] }, 'numbers.0'],
    [{ targetNumbers: 'some' }, 'targetNumbers'],
    [{ targetNumbers: [1] }, 'targetNumbers'],
    [{ requestIdHeader: 'X Request' }, 'requestIdHeader'],
    [{ tabName: '_self' }, 'tabName'],
    [{ tabName: '_blank' }, 'tabName'],
    [{ tabName: '' }, 'tabName'],
    [{ accesses: { search: 'get' } }, 'accesses.search'],
    [{ accesses: { search: { method: 'fetch', url: 'https://crm/x' } } }, 'accesses.search.method'],
    [{ accesses: { search: { method: 'get', url: '' } } }, 'accesses.search.url'],
    [{ accesses: { search: { method: 'get', url: 'https://crm/x', credentials: 'all' } } }, 'accesses.search.credentials'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', charset: 'klingon' } } }, 'accesses.search.charset'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', via: 'extension' } } }, 'accesses.search.via'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', format: { regex: '(' } } } }, 'accesses.search.format'],
    [{ accesses: { answer: { method: 'get', url: 'https://crm/x', delaySeconds: -2 } } }, 'accesses.answer.delaySeconds'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', format: { regex: '(\\d+)' } } } }, 'accesses.search.format'],
    [{ accesses: { auth: { method: 'get-internal', url: 'https://crm/x', publicVariables: 'OPERATOR' } } }, 'accesses.auth.publicVariables'],
  ])('refuses %j at %j', (input, path) => {
    const result = readCti(input, sip)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.paths).toContain(path)
  })

  it('reports every error at once', () => {
    const result = readCti({ target: 1, timeoutSeconds: 'x', accesses: { ring: { method: 'x' } } }, sip)
    expect(result.ok ? [] : [...result.paths].sort()).toEqual(['accesses.ring.method', 'target', 'timeoutSeconds'])
  })

  it.each([
    [{ target: 'salesforce' }, 'target'],
    [{ numbers: ['0312345678'], targetNumbers: ['0399999999'] }, 'targetNumbers.0'],
    [{ accesses: { ring: { method: 'get', url: 'https://crm/x', format: '{SID}' } } }, 'accesses.ring.format'],
    [{ accesses: { search: { method: 'get', url: 'https://crm/x', format: '{SID}' } } }, 'accesses.search.format'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', format: '{TEL}' } } }, 'accesses.search.format'],
    [{ accesses: { ring: { method: 'get', url: 'https://crm/x', delaySeconds: 3 } } }, 'accesses.ring.delaySeconds'],
    [{ accesses: { ring: { method: 'get', url: 'https://crm/x', onlyIfAnswered: true } } }, 'accesses.ring.onlyIfAnswered'],
    [{ accesses: { ring: { method: 'get', url: 'https://crm/x', via: 'helper' } } }, 'accesses.ring.via'],
    [{ accesses: { search: { method: 'get-internal', url: 'https://crm/x', publicVariables: ['NAME'] } } }, 'accesses.search.publicVariables'],
  ])('accepts %j with a warning at %j', (input, path) => {
    const result = readCti(input, sip)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.warnings.map((warning) => warning.path)).toContain(path)
  })

  it('keeps the auth access\'s public variables', () => {
    const config = normalized({ accesses: { auth: { method: 'get-internal', url: 'https://crm/x', format: '{SID}{CRLF}{OP}', publicVariables: ['OP'] } } })
    expect(config.accesses.auth.publicVariables).toEqual(['OP'])
    expect(config.accesses.search.publicVariables).toBeUndefined()
  })

  it('treats the own extension as a target candidate', () => {
    const result = readCti({ numbers: [], targetNumbers: ['1001'] }, sip)
    expect(result.ok && result.warnings).toEqual([])
  })

  it.each([null, '', 'none'])('requestIdHeader %j means none', (value) => {
    expect(normalized({ requestIdHeader: value }).requestIdHeader).toBeUndefined()
  })

  it('derives an empty extension and server address from sip.*, as absent ones', () => {
    expect(normalized({ extension: '', serverAddress: '' })).toMatchObject({ extension: '1001', serverAddress: 'https://pbx.example.com:8089' })
  })
})
