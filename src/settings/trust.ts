/**
 * Who may provision this phone, decided before anything is fetched or applied.
 *
 * Trust order (two levels, nothing in between):
 *
 *     it    ?config= on the phone's own origin
 *         = ?config= on an origin listed in deploy.json `provisioning.origins`
 *         = #config= signed by a key in deploy.json `provisioning.publicKeys`
 *     link  #config= unsigned, accepted only with `provisioning.hashConfig: "any"` (labs, demos)
 *
 * Everything else is refused: it changes nothing and sends nothing (a `?config=` URL on
 * another origin is never fetched). A document replaces the locks of a document of equal or
 * lower trust; a document of lower trust cannot unlock or change a locked key (see
 * `applyProvisioning`).
 */
import type { Deployment } from './deploy'
import type { ProvisioningSource } from './provisioning'

export { trustRank } from './trust-rank'
import type { Trust } from './trust-rank'

export type { Trust }

export type Refusal =
  /** `?config=` is not an http(s) URL (`javascript:`, `data:`, `file:`…). */
  | { reason: 'scheme' }
  /** `?config=` on an origin deploy.json does not list. */
  | { reason: 'origin'; origin: string }
  /** `#config=` while deploy.json's `hashConfig` is `off` (the default). */
  | { reason: 'hash-off' }
  /** `#config=` without `&sig=` while `hashConfig` is `signed`. */
  | { reason: 'unsigned' }
  /** `&sig=` that no listed key verifies. */
  | { reason: 'bad-signature' }

export type Admission =
  | { ok: true; trust: Trust; kind: 'url'; url: string }
  | { ok: true; trust: Trust; kind: 'inline'; text: string }
  | { ok: false; refusal: Refusal }

/**
 * Decides whether `source` may provision the phone at `pageHref`. Pure but for the signature
 * check (WebCrypto, passed in as `subtle`).
 */
export async function admitSource(
  source: Exclude<ProvisioningSource, { kind: 'inline-invalid' }>,
  pageHref: string,
  deployment: Deployment,
  subtle: SubtleCrypto,
): Promise<Admission> {
  if (source.kind === 'url') {
    let url: URL
    try {
      url = new URL(source.url, pageHref)
    } catch {
      return { ok: false, refusal: { reason: 'scheme' } }
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, refusal: { reason: 'scheme' } }
    const own = new URL(pageHref).origin
    if (url.origin !== own && !deployment.provisioning.origins.includes(url.origin)) {
      return { ok: false, refusal: { reason: 'origin', origin: url.origin } }
    }
    return { ok: true, trust: 'it', kind: 'url', url: url.href }
  }
  const { hashConfig, publicKeys } = deployment.provisioning
  if (hashConfig === 'off') return { ok: false, refusal: { reason: 'hash-off' } }
  if (source.signature !== undefined) {
    const signature = base64UrlBytes(source.signature)
    const valid = signature !== undefined && (await verifySignature(new TextEncoder().encode(source.text), signature, publicKeys, subtle))
    if (valid) return { ok: true, trust: 'it', kind: 'inline', text: source.text }
    // A wrong signature is refused even where unsigned links are accepted: someone changed the link.
    return { ok: false, refusal: { reason: 'bad-signature' } }
  }
  if (hashConfig === 'signed') return { ok: false, refusal: { reason: 'unsigned' } }
  return { ok: true, trust: 'link', kind: 'inline', text: source.text }
}

export function base64UrlBytes(data: string): Uint8Array<ArrayBuffer> | undefined {
  const base64 = data.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]*$/.test(base64) || base64.length % 4 === 1) return undefined
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/**
 * `openssl dgst -sha256 -sign` writes an ECDSA signature as DER (`SEQUENCE { r, s }`); WebCrypto
 * wants r‖s of 32 bytes each. A 64-byte signature is taken as r‖s already.
 */
export function ecdsaRawSignature(signature: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | undefined {
  if (signature.length === 64) return signature
  const bytes = signature
  if (bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) return undefined
  const out = new Uint8Array(64)
  let at = 2
  for (const half of [0, 32]) {
    if (bytes[at] !== 0x02) return undefined
    const length = bytes[at + 1] ?? 0
    let integer = bytes.subarray(at + 2, at + 2 + length)
    at += 2 + length
    while (integer.length > 32 && integer[0] === 0) integer = integer.subarray(1)
    if (integer.length > 32 || integer.length === 0) return undefined
    out.set(integer, half + 32 - integer.length)
  }
  return at === bytes.length ? out : undefined
}

type KeyAlgorithm = 'ECDSA' | 'Ed25519'

async function importKey(key: string | JsonWebKey, subtle: SubtleCrypto): Promise<{ key: CryptoKey; algorithm: KeyAlgorithm }[]> {
  const tries: { format: 'jwk' | 'spki'; data: JsonWebKey | Uint8Array<ArrayBuffer>; algorithm: KeyAlgorithm }[] = []
  if (typeof key === 'string') {
    const der = Uint8Array.from(atob(key), (c) => c.charCodeAt(0))
    tries.push({ format: 'spki', data: der, algorithm: 'ECDSA' }, { format: 'spki', data: der, algorithm: 'Ed25519' })
  } else {
    // Only the public part: a JWK pasted with its private `d` still verifies, and `key_ops` may say "sign".
    const { kty, crv, x, y } = key
    const jwk: JsonWebKey = y === undefined ? { kty, crv, x } : { kty, crv, x, y }
    tries.push({ format: 'jwk', data: jwk, algorithm: kty === 'OKP' ? 'Ed25519' : 'ECDSA' })
  }
  const keys: { key: CryptoKey; algorithm: KeyAlgorithm }[] = []
  for (const attempt of tries) {
    const params = attempt.algorithm === 'ECDSA' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' }
    try {
      const imported = attempt.format === 'jwk'
        ? await subtle.importKey('jwk', attempt.data as JsonWebKey, params, false, ['verify'])
        : await subtle.importKey('spki', attempt.data as Uint8Array<ArrayBuffer>, params, false, ['verify'])
      keys.push({ key: imported, algorithm: attempt.algorithm })
      break
    } catch {
      // Not this algorithm (or not a key at all): try the next, else the key is skipped.
    }
  }
  return keys
}

/** True when one of `publicKeys` (ECDSA P-256 with SHA-256, or Ed25519) signed `data`. */
export async function verifySignature(
  data: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  publicKeys: readonly (string | JsonWebKey)[],
  subtle: SubtleCrypto,
): Promise<boolean> {
  for (const entry of publicKeys) {
    let imported: { key: CryptoKey; algorithm: KeyAlgorithm }[]
    try {
      imported = await importKey(entry, subtle)
    } catch {
      continue
    }
    for (const { key, algorithm } of imported) {
      try {
        if (algorithm === 'Ed25519') {
          if (await subtle.verify({ name: 'Ed25519' }, key, signature, data)) return true
        } else {
          const raw = ecdsaRawSignature(signature)
          if (raw && (await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, data))) return true
        }
      } catch {
        // A malformed signature for this key type: not verified.
      }
    }
  }
  return false
}
