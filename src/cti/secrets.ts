/**
 * Secret masking for the CTI log (docs/cti-integration.md §8, issue: "every configured secret masked
 * wherever it appears"). Secrets are the agent password (`{APW}`) and passwords typed literally into
 * a template (`…&password=hunter2`). Each is masked in every form it can take in a URL, body or
 * argv: as typed, percent-encoded (UTF-8 or the access's charset, upper- or lowercase hex,
 * `+` for spaces) and decoded.
 */

import { decodeFormComponent, percentEncode, toWellFormed, type CharsetEncoder } from './charset'

export const MASK = '***'

/** Keys whose literal values are treated as secrets (case-insensitive). */
const SECRET_KEYS = 'password|passwd|pass|pwd|pw|secret|token|apikey|api_key|api-key'
const LITERAL_SECRET = new RegExp(`(?:^|[^A-Za-z0-9_])(?:${SECRET_KEYS})=("[^"]*"|[^&#;\\s"]*)`, 'gi')

/** Replaces every occurrence of every secret by `***`, longest first. Empty secrets are ignored. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length)
  let masked = text
  for (const secret of ordered) masked = masked.split(secret).join(MASK)
  return masked
}

/** Literal values after password-like keys in a template; values holding a placeholder are not literal. */
export function literalSecrets(template: string): string[] {
  const found: string[] = []
  for (const match of template.matchAll(LITERAL_SECRET)) {
    const value = match[1]!.replace(/^"|"$/g, '')
    if (value === '' || value.includes('{')) continue
    found.push(value)
  }
  return found
}

/** Every form a secret can take once it landed in a URL, form body or argv. */
export function secretForms(secret: string, charset?: string, encoder?: CharsetEncoder): string[] {
  if (secret === '') return []
  const forms = new Set<string>([secret, decodeFormComponent(secret)])
  for (const cs of new Set(['utf-8', charset ?? 'utf-8'])) {
    const encoded = percentEncode(secret, cs, encoder).text
    forms.add(encoded)
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()))
    forms.add(encoded.replace(/%20/g, '+'))
  }
  forms.add(encodeURIComponent(toWellFormed(secret)))
  return [...forms].filter((form) => form !== '')
}

/**
 * The masker of one access: `secrets` (the agent password, …) and the literal passwords of its
 * template, in every form. The runner's log and the test console's display both use it.
 */
export function accessMasker(
  access: { readonly url: string; readonly charset?: string },
  secrets: readonly string[],
  encoder?: CharsetEncoder,
): (text: string) => string {
  const forms = [...secrets, ...literalSecrets(access.url)].flatMap((secret) => secretForms(secret, access.charset, encoder))
  return (text) => maskSecrets(text, forms)
}
