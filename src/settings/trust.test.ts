import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { defaultDeployment, type Deployment } from './deploy'
import { admitSource, ecdsaRawSignature, verifySignature } from './trust'

const PAGE = 'https://phone.example/app/?config=x'
const subtle = globalThis.crypto.subtle
const bytes = (text: string) => new TextEncoder().encode(text)
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url')

function deployment(patch: Partial<Deployment['provisioning']> = {}): Deployment {
  const d = defaultDeployment()
  return { ...d, provisioning: { ...d.provisioning, ...patch } }
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
const ecJwk = ec.publicKey.export({ format: 'jwk' })
const ecSpki = ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
const edJwk = ed.publicKey.export({ format: 'jwk' })
const edSpki = ed.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
const TEXT = '{"sip":{"server":"wss://pbx.example/ws"}}'
/** What `openssl dgst -sha256 -sign key.pem config.json` writes: DER. */
const ecDer = sign('sha256', Buffer.from(TEXT), ec.privateKey)
const edSig = sign(null, Buffer.from(TEXT), ed.privateKey)

describe('admitSource: ?config=', () => {
  it.each([
    ['https://phone.example/provision/1001.json', deployment(), 'https://phone.example/provision/1001.json'],
    ['provision/1001.json', deployment(), 'https://phone.example/app/provision/1001.json'],
    ['https://it.example/p.json', deployment({ origins: ['https://it.example'] }), 'https://it.example/p.json'],
  ])('%s is IT’s', async (url, deploy, fetched) => {
    expect(await admitSource({ kind: 'url', url }, PAGE, deploy, subtle)).toEqual({ ok: true, trust: 'it', kind: 'url', url: fetched })
  })

  it.each([
    ['https://evil.example/p.json', deployment({ origins: ['https://it.example'] }), { reason: 'origin', origin: 'https://evil.example' }],
    ['http://phone.example/p.json', deployment(), { reason: 'origin', origin: 'http://phone.example' }],
    ['https://it.example:8443/p.json', deployment({ origins: ['https://it.example'] }), { reason: 'origin', origin: 'https://it.example:8443' }],
    ['javascript:alert(1)', deployment(), { reason: 'scheme' }],
    ['data:application/json,{}', deployment(), { reason: 'scheme' }],
    ['file:///etc/passwd', deployment(), { reason: 'scheme' }],
  ])('%s is refused', async (url, deploy, refusal) => {
    expect(await admitSource({ kind: 'url', url }, PAGE, deploy, subtle)).toEqual({ ok: false, refusal })
  })
})

describe('admitSource: #config=', () => {
  const inline = (signature?: string, text = TEXT) => ({ kind: 'inline' as const, label: '#config', text, ...(signature ? { signature } : {}) })

  it('is refused by default (hashConfig off), signed or not', async () => {
    expect(await admitSource(inline(), PAGE, deployment(), subtle)).toEqual({ ok: false, refusal: { reason: 'hash-off' } })
    expect(await admitSource(inline(b64url(ecDer)), PAGE, deployment({ publicKeys: [ecJwk] }), subtle)).toMatchObject({ ok: false })
  })

  it('"any" admits an unsigned link at the lower trust', async () => {
    expect(await admitSource(inline(), PAGE, deployment({ hashConfig: 'any' }), subtle)).toMatchObject({ ok: true, trust: 'link' })
  })

  it('"signed" wants a signature by a listed key', async () => {
    const signed = deployment({ hashConfig: 'signed', publicKeys: [ecJwk] })
    expect(await admitSource(inline(), PAGE, signed, subtle)).toEqual({ ok: false, refusal: { reason: 'unsigned' } })
    expect(await admitSource(inline(b64url(ecDer)), PAGE, signed, subtle)).toMatchObject({ ok: true, trust: 'it', text: TEXT })
    // The same signature over a changed document, or by another key: refused.
    const changed = TEXT.replace('pbx', 'evil')
    expect(await admitSource(inline(b64url(ecDer), changed), PAGE, signed, subtle)).toEqual({ ok: false, refusal: { reason: 'bad-signature' } })
    const other = deployment({ hashConfig: 'signed', publicKeys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })] })
    expect(await admitSource(inline(b64url(ecDer)), PAGE, other, subtle)).toEqual({ ok: false, refusal: { reason: 'bad-signature' } })
    expect(await admitSource(inline('!!'), PAGE, signed, subtle)).toEqual({ ok: false, refusal: { reason: 'bad-signature' } })
  })

  it('a signed link is IT’s also where unsigned ones are accepted; a forged signature is refused there too', async () => {
    const any = deployment({ hashConfig: 'any', publicKeys: [edJwk] })
    expect(await admitSource(inline(b64url(edSig)), PAGE, any, subtle)).toMatchObject({ ok: true, trust: 'it' })
    expect(await admitSource(inline(b64url(ecDer)), PAGE, any, subtle)).toEqual({ ok: false, refusal: { reason: 'bad-signature' } })
  })
})

describe('verifySignature', () => {
  it.each([
    ['ECDSA P-256 JWK, DER signature (openssl)', ecJwk, ecDer],
    ['ECDSA P-256 SPKI, DER signature', ecSpki, ecDer],
    ['ECDSA P-256 JWK, raw r‖s signature', ecJwk, ecdsaRawSignature(new Uint8Array(ecDer))!],
    ['Ed25519 JWK', edJwk, edSig],
    ['Ed25519 SPKI', edSpki, edSig],
  ])('%s verifies', async (_name, key, signature) => {
    expect(await verifySignature(bytes(TEXT), new Uint8Array(signature), [key], subtle)).toBe(true)
    expect(await verifySignature(bytes(`${TEXT} `), new Uint8Array(signature), [key], subtle)).toBe(false)
  })

  it('skips keys that are no keys, and finds the one that signed', async () => {
    expect(await verifySignature(bytes(TEXT), new Uint8Array(ecDer), ['AAAA', { kty: 'EC', crv: 'P-256', x: 'x' }, ecSpki], subtle)).toBe(true)
    expect(await verifySignature(bytes(TEXT), new Uint8Array(ecDer), [], subtle)).toBe(false)
  })

  it('reads DER signatures with and without leading zero bytes', () => {
    for (let i = 0; i < 20; i++) {
      const der = new Uint8Array(sign('sha256', Buffer.from(`${TEXT}${i}`), ec.privateKey))
      expect(ecdsaRawSignature(der)).toHaveLength(64)
    }
    expect(ecdsaRawSignature(new Uint8Array([0x30, 0x03, 0x02, 0x01]))).toBeUndefined()
  })
})
