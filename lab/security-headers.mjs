/**
 * The HTTP security headers of the phone (issue 9, "Headers and policy"), as the lab's static
 * server (`npm start`, the browser tests) sends them; the README's nginx example sends the same.
 *
 * - `script-src 'self'`: the build has no inline script and needs no `eval` (Vue's runtime
 *   templates are compiled at build time; vue-i18n compiles messages without `eval`).
 * - `style-src 'self' 'unsafe-inline'`: Vuetify writes its theme colours into a `<style>`
 *   element at run time (`vuetify-theme-stylesheet`); without `'unsafe-inline'` (or a per-response
 *   nonce handed to Vuetify's `theme.cspNonce`) the page loses its colours. Style cannot run code.
 * - `connect-src`: `'self'` plus the PBX's SIP WebSocket and every CRM the internal accesses
 *   (`get-internal`, `post-internal`) and `?config=` fetch from; `form-action` the CRMs `post`
 *   accesses submit to. IT lists its own; the lab allows loopback on any port.
 * - `frame-ancestors 'none'`: no site may frame the phone (clickjacking). An embedding CRM is
 *   listed here when the embed API comes.
 * - `Cross-Origin-Opener-Policy: same-origin-allow-popups`: a page that opens the phone (a link
 *   in a mail, a CRM) keeps no handle on it, while the CRM tab the phone opens stays one reused
 *   named tab. `same-origin` would cut that relation too: every access would open a new tab.
 */

/** Loopback on any port, as the lab's PBX and CRM stand-in listen on free ports. */
export const LOOPBACK_SOURCES = [
  'ws://127.0.0.1:*',
  'wss://127.0.0.1:*',
  'http://127.0.0.1:*',
  'https://127.0.0.1:*',
  'ws://localhost:*',
  'wss://localhost:*',
  'http://localhost:*',
  'https://localhost:*',
]

/**
 * @param {{ connect?: string[], formAction?: string[], frameAncestors?: string[] }} [sources]
 *   `connect`: PBX WebSocket and CRM origins; `formAction`: CRM origins of `post` accesses
 *   (default: the http(s) ones of `connect`); `frameAncestors`: default `'none'`.
 * @returns {string}
 */
export function contentSecurityPolicy(sources = {}) {
  const connect = sources.connect ?? LOOPBACK_SOURCES
  const formAction = sources.formAction ?? connect.filter((source) => /^https?:/.test(source))
  const frameAncestors = sources.frameAncestors?.length ? sources.frameAncestors : ["'none'"]
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "media-src 'self' blob:",
    "worker-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action ${formAction.length ? formAction.join(' ') : "'none'"}`,
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ')
}

/**
 * Headers for every response of the phone's origin.
 * @param {{ connect?: string[], formAction?: string[], frameAncestors?: string[] }} [sources]
 * @returns {Record<string, string>}
 */
export function securityHeaders(sources = {}) {
  return {
    'Content-Security-Policy': contentSecurityPolicy(sources),
    'Cross-Origin-Opener-Policy': 'same-origin-allow-popups',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), geolocation=(), payment=(), usb=()',
  }
}
