/**
 * The calling party's identity from the SIP From user (docs/cti-integration.md §6 `{TEL}` `{CODE1}`
 * `{CODE2}`, §3 anonymous calls).
 *
 * PBXs following the BIZTEL convention append codes to the user part with a `#` delimiter:
 * `0312345678#A1#B2` → TEL `0312345678`, CODE1 `A1`, CODE2 `B2`. Anything after a third `#`
 * stays in CODE2, so nothing the PBX sent is silently lost.
 */

export interface CallerId {
  /** The number without codes; empty for anonymous calls. */
  readonly tel: string
  readonly code1: string
  readonly code2: string
  readonly anonymous: boolean
}

/** From users that mean "number withheld" (compared case-insensitively). */
const ANONYMOUS_USERS = new Set(['anonymous'])

/**
 * Splits a raw From user into number and codes and decides whether the call is anonymous:
 * the user (before codes) is `anonymous` or empty, or the caller asked for privacy
 * (`Privacy: id`, passed in as `privacy`). An anonymous call has an empty `tel` even when the
 * PBX revealed the number, and keeps its codes (they describe the route, not the caller).
 */
export function parseCallerId(fromUser: string, privacy = false): CallerId {
  const [number = '', code1 = '', ...rest] = fromUser.split('#')
  const user = number.trim()
  const anonymous = privacy || user === '' || ANONYMOUS_USERS.has(user.toLowerCase())
  return { tel: anonymous ? '' : user, code1: code1.trim(), code2: rest.join('#').trim(), anonymous }
}

/** True when a `Privacy` header value asks to withhold the identity (`id`, or `user`/`header`). */
export function privacyWithholdsId(privacyHeader: string | undefined): boolean {
  if (!privacyHeader) return false
  return privacyHeader
    .split(';')
    .map((token) => token.trim().toLowerCase())
    .some((token) => token === 'id' || token === 'user' || token === 'header')
}
