import { describe, expect, it } from 'vitest'
import { defaultCtiConfig, normalizeCtiConfig, type HttpPort } from '@/cti'
import { prepareSample, sampleCall, sampleVariables, secretMasker, sendSample } from './try-access'

const config = normalizeCtiConfig({
  accesses: {
    auth: { method: 'get-internal', url: 'https://crm/login?u={AID}&p={APW}&token=literal-key', format: '{SID}' },
    search: { method: 'get-internal', url: 'https://crm/search?tel={TEL}&sid={SID}', format: '{NAME}{CRLF}{COMPANY}', charset: 'Shift_JIS' },
  },
}, { user: '1001', server: 'wss://pbx.example.com/ws' })
if (!config.ok) throw new Error('bad fixture')
const accesses = config.config.accesses
const agent = { id: 'agent01', password: 'p@ss word' }
const now = new Date(2026, 3, 1, 9, 5, 7)

const reply = (status: number, body: Uint8Array | string, contentType = 'text/plain; charset=utf-8'): HttpPort =>
  async () => ({ status, headers: { 'content-type': contentType }, body: typeof body === 'string' ? new TextEncoder().encode(body) : body })

describe('test console', () => {
  it('expands a sample call like the engine, with earlier extracted values', () => {
    const variables = sampleVariables(sampleCall('1001'), config.config, agent, { SID: 'S-1' }, now)
    expect(variables.get('REMOTE')).toBe('0312345678')
    expect(variables.get('DATE-II')).toBe('05')
    expect(variables.get('SVADDR')).toBe('https://pbx.example.com')
    expect(prepareSample(accesses.search, variables)).toMatchObject({ kind: 'http', method: 'GET', url: 'https://crm/search?tel=0312345678&sid=S-1' })
  })

  it('masks the agent password in every encoded form, and literal passwords of the template', () => {
    const variables = sampleVariables(sampleCall('1001'), config.config, agent, {}, now)
    const prepared = prepareSample(accesses.auth, variables)
    const mask = secretMasker(accesses.auth, [agent.password])
    expect(prepared?.kind === 'http' && mask(prepared.url)).toBe('https://crm/login?u=agent01&p=***&token=***')
  })

  it('sends the request and reads the format; Shift_JIS bodies are decoded', async () => {
    const prepared = prepareSample(accesses.search, sampleVariables(sampleCall('1001'), config.config, agent, {}, now))
    if (prepared?.kind !== 'http') throw new Error('not http')
    const sjis = Uint8Array.from([0x8e, 0x52, 0x93, 0x63, 0x0d, 0x0a, 0x41, 0x42]) // 山田\r\nAB
    const result = await sendSample(reply(200, sjis, 'text/plain'), prepared, accesses.search, 5, true)
    expect(result).toMatchObject({ ok: true, status: 200, values: { NAME: '山田', COMPANY: 'AB' }, missing: [] })
  })

  it('does not read a non-2xx body, and reports network failures and timeouts as values', async () => {
    const prepared = prepareSample(accesses.search, sampleVariables(sampleCall('1001'), config.config, agent, {}, now))
    if (prepared?.kind !== 'http') throw new Error('not http')
    const refused = await sendSample(reply(401, 'no'), prepared, accesses.search, 5, true)
    expect(refused).toMatchObject({ ok: true, status: 401, body: 'no' })
    expect(refused).not.toHaveProperty('values')
    expect(await sendSample(async () => { throw new TypeError('Failed to fetch') }, prepared, accesses.search, 5, true))
      .toMatchObject({ ok: false, reason: 'network', detail: 'Failed to fetch' })
    const never: HttpPort = ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
    expect(await sendSample(never, prepared, accesses.search, 0.01, true)).toMatchObject({ ok: false, reason: 'timeout' })
    expect(await sendSample(undefined, prepared, defaultCtiConfig().accesses.search, 5, true)).toMatchObject({ ok: false, reason: 'helper-not-installed' })
  })
})
