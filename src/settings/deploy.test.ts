import { describe, expect, it } from 'vitest'
import { defaultDeployment, loadDeployment, parseDeployment } from './deploy'

const URL_ = 'https://phone.example/deploy.json'
const answer = (body: string, init: ResponseInit = {}) => (async () => new Response(body, init)) as unknown as typeof fetch

describe('parseDeployment', () => {
  it('fills defaults and normalizes origins', () => {
    expect(parseDeployment({})).toEqual({ ok: true, deployment: defaultDeployment() })
    const parsed = parseDeployment({ provisioning: { origins: ['https://it.example/'], hashConfig: 'any' }, dial: { trustedOrigins: ['http://127.0.0.1:8090'] } })
    expect(parsed).toEqual({ ok: true, deployment: { provisioning: { origins: ['https://it.example'], hashConfig: 'any', publicKeys: [] }, dial: { trustedOrigins: ['http://127.0.0.1:8090'] } } })
  })

  it.each([
    [{ provisioning: { origins: ['https://it.example/path'] } }, 'provisioning.origins.0'],
    [{ provisioning: { origins: ['*'] } }, 'provisioning.origins.0'],
    [{ provisioning: { hashConfig: 'yes' } }, 'provisioning.hashConfig'],
    [{ provisioning: { hashConfig: 'signed' } }, 'provisioning.publicKeys'],
    [{ provisioning: { publicKeys: [{ kty: 'RSA' }] } }, 'provisioning.publicKeys.0'],
    [{ dial: { trustedOrigins: 'https://crm.example' } }, 'dial.trustedOrigins'],
    [[], ''],
  ])('%j is refused, naming %s', (doc, path) => {
    const parsed = parseDeployment(doc)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.message.startsWith(path)).toBe(true)
  })
})

describe('loadDeployment', () => {
  it('absent (404, or the SPA fallback’s index.html) = the defaults, no problem', async () => {
    expect(await loadDeployment(answer('nope', { status: 404 }), URL_)).toEqual({ deployment: defaultDeployment() })
    expect(await loadDeployment(answer('<!doctype html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }), URL_)).toEqual({ deployment: defaultDeployment() })
  })

  it('malformed or failing = the defaults and a problem', async () => {
    expect(await loadDeployment(answer('{"provisioning": '), URL_)).toMatchObject({ deployment: defaultDeployment(), problem: expect.stringContaining('not valid JSON') })
    expect(await loadDeployment(answer('{"provisioning": {"hashConfig": "all"}}'), URL_)).toMatchObject({ deployment: defaultDeployment(), problem: expect.stringContaining('hashConfig') })
    expect(await loadDeployment(answer('', { status: 500 }), URL_)).toMatchObject({ problem: 'HTTP 500' })
    const down = (async () => { throw new TypeError('Failed to fetch') }) as unknown as typeof fetch
    expect(await loadDeployment(down, URL_)).toMatchObject({ problem: 'Failed to fetch' })
  })

  it('fetches without the cache and without following redirects', async () => {
    let seen: RequestInit | undefined
    const spy = (async (_url: string, init?: RequestInit) => { seen = init; return new Response('{}') }) as unknown as typeof fetch
    expect(await loadDeployment(spy, URL_)).toEqual({ deployment: defaultDeployment() })
    expect(seen).toMatchObject({ cache: 'no-store', redirect: 'error' })
  })
})
