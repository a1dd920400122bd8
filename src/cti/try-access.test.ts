import { describe, expect, it } from 'vitest'
import { createCtiEngine } from './engine'
import { ctiConfig } from './testing/config'
import { createFakeWorld, flush, type FakeWorld } from './testing/fakes'
import { readCall } from './call-reading'
import { previewTry, runTry, sampleCall, sampleFacts, type SampleCall } from './try-access'

const sip = { user: '1001', server: 'wss://pbx.example.com/ws', password: 'sip-secret' }
const AGENT = { id: 'agent01', password: 'p@ss word' }
const SECTION = {
  target: 'custom',
  requestIdHeader: 'X-Request-Id',
  accesses: {
    auth: { method: 'get-internal', url: 'https://crm/login?u={AID}&p={APW}&token=literal-key', format: '{SID}' },
    search: { method: 'post-internal', url: 'https://crm/search?tel={TEL}&code={CODE1}&name={TELNAME}&sid={SID}&ext={EXT}&sv={SVADDR}', format: '{NAME}{CRLF}{COMPANY}', charset: 'Shift_JIS' },
    ring: { method: 'get', url: 'https://crm/ring?tel={TEL}&called={CALLED}&id={ID}&at={DATE-HH}{DATE-II}&n={NAME}' },
    hangup: { method: 'get-internal', url: 'https://crm/hangup?id={ID}&remote={REMOTE}&dir={DIRECTION}' },
  },
}
const config = ctiConfig(SECTION, sip)

/** A sample with `#` codes, a display name and an ID: everything the engine derives from a call. */
const SAMPLE: SampleCall = { ...sampleCall('0501234567'), remoteUser: '0312345678#A1#B2', displayName: '山田 & Co', requestId: 'REQ-7' }

function crm(world: FakeWorld): FakeWorld {
  world.http.on('https://crm/login', { body: 'SID-1\n' })
  world.http.on('https://crm/search', { body: Uint8Array.from([0x8e, 0x52, 0x93, 0x63, 0x0d, 0x0a, 0x41, 0x42]), headers: { 'content-type': 'text/plain' } }) // 山田\r\nAB
  return world
}

/** What a real call sends: the engine after login, ringing with the sample's facts. */
async function realCall(): Promise<FakeWorld> {
  const world = crm(createFakeWorld())
  const engine = createCtiEngine({ config, ports: world.ports, log: world.log })
  await engine.login(AGENT)
  engine.callStarted(readCall(sampleFacts(SAMPLE, config), config, world.ports))
  await flush()
  engine.callAnswered('try')
  engine.callEnded('try')
  await engine.idle()
  return world
}

describe('test console: the engine’s own path', () => {
  it('sends the same requests as a real call for the same sample call', async () => {
    const real = await realCall()
    const tried = crm(createFakeWorld())
    const auth = await runTry({ config, access: 'auth', sample: SAMPLE, agent: AGENT, extracted: {} }, tried.ports)
    expect(auth.outcome).toMatchObject({ ok: true, values: { SID: 'SID-1' } })
    const search = await runTry({ config, access: 'search', sample: SAMPLE, agent: AGENT, extracted: { ...auth.outcome.ok && auth.outcome.values } }, tried.ports)
    expect(search.outcome).toMatchObject({ ok: true, values: { NAME: '山田', COMPANY: 'AB' } })
    await runTry({ config, access: 'ring', sample: SAMPLE, agent: AGENT, extracted: { SID: 'SID-1', ...search.outcome.ok && search.outcome.values } }, tried.ports)
    await runTry({ config, access: 'hangup', sample: SAMPLE, agent: AGENT, extracted: {} }, tried.ports)

    const strip = ({ at: _at, ...request }: { at: number }) => request
    expect(tried.http.requests.map(strip)).toEqual(real.http.requests.map(strip))
    expect(tried.tabs.opened).toEqual(real.tabs.opened)
    // What they are, so "the same" is not "both empty".
    expect(real.http.urls).toEqual([
      'https://crm/login?u=agent01&p=p%40ss%20word&token=literal-key',
      'https://crm/search tel=0312345678&code=A1&name=%8ER%93c%20%26%20Co&sid=SID-1&ext=1001&sv=https://pbx.example.com',
      'https://crm/hangup?id=REQ-7&remote=0312345678&dir=in',
    ])
    expect(real.tabs.opened).toEqual([{ url: 'https://crm/ring?tel=0312345678&called=0501234567&id=REQ-7&at=0930&n=%E5%B1%B1%E7%94%B0', tabName: 'tsunagu-crm' }])
  })

  it('previews exactly the request it then sends', async () => {
    const world = crm(createFakeWorld())
    const input = { config, access: 'search' as const, sample: SAMPLE, agent: AGENT, extracted: { SID: 'S-1' } }
    const preview = previewTry(input, world.ports)
    await runTry(input, world.ports)
    expect(preview.prepared).toMatchObject({ kind: 'http', method: 'POST', url: 'https://crm/search', body: world.http.requests[0]!.body })
    expect(preview.parties).toMatchObject({ tel: '0312345678', code1: 'A1', code2: 'B2', telName: '山田 & Co', requestId: 'REQ-7' })
  })

  it('treats an anonymous sample as the engine does: no number, no display name', () => {
    const world = createFakeWorld()
    const preview = previewTry({ config, access: 'ring', sample: { ...SAMPLE, anonymous: true }, agent: AGENT, extracted: {} }, world.ports)
    expect(preview.parties).toMatchObject({ anonymous: true, tel: '', telName: '' })
  })

  it('masks the agent password in every encoded form, literal passwords, and extra secrets', () => {
    const world = createFakeWorld()
    const preview = previewTry({ config, access: 'auth', sample: SAMPLE, agent: AGENT, extracted: {}, secrets: [sip.password] }, world.ports)
    expect(preview.prepared?.kind === 'http' && preview.mask(preview.prepared.url)).toBe('https://crm/login?u=agent01&p=***&token=***')
    expect(preview.mask('sip-secret')).toBe('***')
  })

  it('shows the response of a refused request without reading it, and reports failures as values', async () => {
    const world = createFakeWorld()
    world.http.on('https://crm/search', { status: 401, body: 'no', headers: { 'content-type': 'text/plain' } })
    const refused = await runTry({ config, access: 'search', sample: SAMPLE, agent: AGENT, extracted: {} }, world.ports)
    expect(refused).toMatchObject({ outcome: { ok: false, reason: 'http-error', status: 401 }, response: { status: 401, body: 'no' } })
    world.http.on('https://crm/search', 'network-error')
    const failed = await runTry({ config, access: 'search', sample: SAMPLE, agent: AGENT, extracted: {} }, world.ports)
    expect(failed).toMatchObject({ outcome: { ok: false, reason: 'network', detail: 'Failed to fetch' } })
    expect(failed.response).toBeUndefined()
    expect(failed.entry).toMatchObject({ access: 'search', outcome: 'failed', error: 'network' })
  })
})
