/**
 * What an access may point at (docs/cti-integration.md §5). Every place that reads an access's URL template —
 * the settings schema and {@link normalizeCtiConfig} — asks this one function, so a
 * `javascript:`, `data:` or `file:` URL can never reach the CRM tab, a form or `fetch`.
 *
 * - URL methods (`get`, `post`, `get-internal`, `post-internal`, and `none` when a URL is
 *   kept): the template starts with `http://` or `https://`, or with `{SVADDR}`, which is
 *   itself an http(s) origin ({@link isHttpOrigin} checks `cti.serverAddress`; the default is
 *   derived from `sip.server`, ws→http, wss→https).
 * - `command`: an OS command line whose program (the first argument) is written out, not a
 *   placeholder — a caller's value can be an argument, never the program.
 */
import { hasPlaceholder, splitCommandLine } from './template-syntax'

export type AccessUrlProblem = 'url-scheme' | 'command-program'

/** English text per problem, for `src/cti`'s issues and logs. */
export const ACCESS_URL_MESSAGES: Record<AccessUrlProblem, string> = {
  'url-scheme': 'must start with http:// or https:// (or {SVADDR})',
  'command-program': 'the program (first argument) must be written out, not a placeholder',
}

const HTTP_TEMPLATE = /^(https?:\/\/[^\s/?#]|\{SVADDR\})/i

/** Undefined when `template` is acceptable for `method`; an empty template is another check's business. */
export function accessUrlProblem(method: string, template: string): AccessUrlProblem | undefined {
  const trimmed = template.trim()
  if (trimmed === '') return undefined
  if (method === 'command') {
    const program = splitCommandLine(trimmed).argv[0]
    return program === undefined || program === '' || hasPlaceholder(program) ? 'command-program' : undefined
  }
  return HTTP_TEMPLATE.test(trimmed) ? undefined : 'url-scheme'
}

/** True for an `http:`/`https:` URL with a host (a whole URL, not a template). */
export function isHttpUrl(value: string): boolean {
  return /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i.test(value)
}

/** `cti.serverAddress`: empty (derive it) or an http(s) URL. */
export function isServerAddress(value: string): boolean {
  return value.trim() === '' || isHttpUrl(value.trim())
}
