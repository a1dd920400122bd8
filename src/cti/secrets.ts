/**
 * Secret masking for the CTI log (docs/cti-integration.md §8, issue 9: "secrets masked everywhere"). Two rules,
 * applied together by {@link createMasker}:
 *
 * 1. **Known secrets** — the agent password (`{APW}`), every value the auth response format
 *    extracted (`{SID}`, unless IT declared it public) and passwords typed literally into a
 *    template — are masked in every form they take in a URL, body or argv (as typed,
 *    percent-encoded in UTF-8 or the access's charset, either hex case, `+` for spaces, decoded).
 *    Short (under 6 characters) and all-digit secrets are masked only where a form stands as a
 *    whole token: a 2-digit password does not turn `tel=0312345678` into `tel=03***5678`.
 * 2. **Secret-looking keys** — any key whose name contains `password`, `token`, `secret`, … or has
 *    a word `pin`, `key`, `sid`, `pass`, … (any prefix or suffix: `user_password`, `x-api-key`,
 *    `accessToken`) — have their value masked wherever the text shows one: query strings and form
 *    bodies (`k=v`, also percent-encoded `k%3Dv`), JSON (`"k": "v"`, also percent-encoded),
 *    header lines (`K: v`), command options (`--k=v`, `--k v`) and URL user info (`//u:p@`).
 */

import { decodeFormComponent, percentEncode, toWellFormed, type CharsetEncoder } from './charset'

export const MASK = '***'

/** Secret when the name, without separators and lowercased, contains one of these. */
const SECRET_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'pwd',
  'secret',
  'token',
  'apikey',
  'credential',
  'privatekey',
  'accesskey',
  'pincode',
  'signature',
  'session',
  'sessid',
  'authorization',
  'cookie',
]
/**
 * Secret when one word of the name (split at separators and camelCase) is one of these: short
 * names match only as words, so `compass`, `keyword` and `sidebar` stay readable. (`auth` is not
 * one: `auth_user` is an ID; `auth_token` is caught by `token`.)
 */
const SECRET_WORDS = new Set(['pass', 'pw', 'pin', 'key', 'sid', 'sig', 'otp'])

/** Whether a key name (query or form field, JSON key, header, command option) names a secret. */
export function isSecretKey(name: string): boolean {
  const decoded = safeDecode(name).replace(/^-+/, '')
  const compact = decoded.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (compact === '') return false
  if (SECRET_PARTS.some((part) => compact.includes(part))) return true
  const words = decoded
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
  return words.some((word) => SECRET_WORDS.has(word))
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// ---- rule 1: known secrets as whole tokens ----------------------------------------------

/** Characters that continue a token (URL-unreserved characters, any letter or digit). */
const WORD = /^[\p{L}\p{N}\p{M}_.~-]$/u
const HEX2 = /^%[0-9A-Fa-f]{2}$/

/** The character ending just before `at`, a `%XX` escape read as the byte it stands for. */
function before(text: string, at: number): string {
  if (at <= 0) return ''
  const escape = text.slice(at - 3, at)
  if (at >= 3 && HEX2.test(escape)) return byteChar(escape)
  const code = text.codePointAt(at - 2)
  return code !== undefined && code > 0xffff && at >= 2 ? text.slice(at - 2, at) : text.charAt(at - 1)
}

/** The character starting at `at`, a `%XX` escape read as the byte it stands for. */
function after(text: string, at: number): string {
  if (at >= text.length) return ''
  const escape = text.slice(at, at + 3)
  if (HEX2.test(escape)) return byteChar(escape)
  return String.fromCodePoint(text.codePointAt(at)!)
}

/** A byte of an escape as a character; bytes of multi-byte characters count as letters. */
function byteChar(escape: string): string {
  const byte = Number.parseInt(escape.slice(1), 16)
  return byte >= 0x80 ? 'x' : String.fromCharCode(byte)
}

const isWord = (ch: string): boolean => ch !== '' && WORD.test(ch)

/** No token runs across position `at` between the characters `left` and `right`. */
const edge = (left: string, right: string): boolean => !(isWord(left) && isWord(right))

/**
 * Short or all-digit secrets are masked only as whole tokens (a PIN inside a phone number is
 * a coincidence); longer ones with letters wherever they appear (inside another token they
 * are still the password, e.g. echoed into a session ID).
 */
function wholeOnly(secret: string): boolean {
  return secret.length < 6 || /^[\d\s.+()-]*$/.test(decodeFormComponent(secret))
}

function maskWhole(text: string, secret: string): string {
  if (!wholeOnly(secret)) return text.split(secret).join(MASK)
  const first = after(secret, 0)
  const last = before(secret, secret.length)
  let out = ''
  let from = 0
  let at = text.indexOf(secret)
  while (at >= 0) {
    const end = at + secret.length
    if (edge(before(text, at), first) && edge(last, after(text, end))) {
      out += text.slice(from, at) + MASK
      from = end
      at = text.indexOf(secret, end)
    } else {
      at = text.indexOf(secret, at + 1)
    }
  }
  return out + text.slice(from)
}

/**
 * Replaces every whole-token occurrence of every secret by `***`, longest first. Empty secrets
 * are ignored. Pass the forms of {@link secretForms}, not only the raw secret.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length)
  let masked = text
  for (const secret of ordered) masked = maskWhole(masked, secret)
  return masked
}

// ---- rule 2: values of secret-looking keys -----------------------------------------------

/** A key name; escapes only for characters a name may have (`[`, `]`, `_`, `-`, `.`). */
const KEY = String.raw`(?:[A-Za-z0-9_.\-\[\]]|%5[BDFbdf]|%2[DEde])+`
/** `k=v`, `--k=v`, cookie `k=v;`: the value runs to the next `&`, `#`, `;`, space or quote. */
const ASSIGNMENT = new RegExp(String.raw`(^|[^A-Za-z0-9_.\-\[\]%]|%[0-9A-Fa-f]{2})(${KEY})(=)([^&#;\s"'<>]*)`, 'g')
/** `k%3Dv` (a URL inside a query): the value runs to the next encoded `&`, `#`, `;` or quote. */
const ASSIGNMENT_ENCODED = new RegExp(
  String.raw`(^|[^A-Za-z0-9_.\-\[\]%]|%[0-9A-Fa-f]{2})(${KEY})(%3[Dd])((?:(?!%2[236]|%3[Bb])[^&#;\s"'<>])*)`,
  'g',
)
/** `"k": "v"` / `"k": 123` in JSON. */
const JSON_PAIR = /"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s"]+)/g
/** The same percent-encoded: `%22k%22%3A%22v%22`. */
const JSON_PAIR_ENCODED = /%22((?:(?!%22)[^&\s])*)%22((?:%20|\+)*%3[Aa](?:%20|\+)*)(%22(?:(?!%22)[^&\s])*%22|(?:(?!%2[Cc]|%7[Dd])[^&\s%])+)/g
/** A header line `Name: value`. */
const HEADER_LINE = /(^|[\r\n])([!#$%&'*+.^_`|~0-9A-Za-z-]+)(:[ \t]*)([^\r\n]*)/g
/** A command option followed by its value as the next word: `--pin 1234`. */
const OPTION_WORD = /(^|\s)(--?[A-Za-z][A-Za-z0-9_-]*)(\s+)("[^"]*"|[^\s"-][^\s"]*)/g
/** User info of a URL: `//user:password@host`. */
const USER_INFO = /(\/\/[^/?#@\s:]*:)([^/?#@\s]+)(@)/g

const assignment = (match: string, lead: string, key: string, op: string, value: string): string =>
  isSecretKey(key) && value !== '' ? lead + key + op + MASK : match

/** Masks the value of every secret-looking key, in the notations listed at the top. */
export function maskSecretKeys(text: string): string {
  return text
    .replace(USER_INFO, (_m, head: string, _value: string, tail: string) => head + MASK + tail)
    .replace(JSON_PAIR, (match, key: string, colon: string, value: string) =>
      isSecretKey(key) && value !== '""' ? `"${key}"${colon}${value.startsWith('"') ? `"${MASK}"` : MASK}` : match,
    )
    .replace(JSON_PAIR_ENCODED, (match, key: string, colon: string, value: string) =>
      isSecretKey(key) && value !== '%22%22' ? `%22${key}%22${colon}${value.startsWith('%22') ? `%22${MASK}%22` : MASK}` : match,
    )
    .replace(ASSIGNMENT_ENCODED, assignment)
    .replace(ASSIGNMENT, assignment)
    .replace(HEADER_LINE, (match, lead: string, name: string, colon: string, value: string) =>
      isSecretKey(name) && value.trim() !== '' ? lead + name + colon + MASK : match,
    )
    .replace(OPTION_WORD, (match, lead: string, option: string, space: string) =>
      isSecretKey(option) ? lead + option + space + MASK : match,
    )
}

/** Masks an argv: each argument as text, and the argument after a secret-looking option (`--pin`, `1234`). */
export function maskArgv(argv: readonly string[], mask: (text: string) => string): string[] {
  return argv.map((arg, index) => {
    const previous = index > 0 ? argv[index - 1]! : ''
    return /^--?[A-Za-z]/.test(previous) && !previous.includes('=') && isSecretKey(previous) && !arg.startsWith('-') ? MASK : mask(arg)
  })
}

// ---- secrets typed into templates --------------------------------------------------------

const LITERAL_ASSIGNMENT = new RegExp(`(?:^|[^A-Za-z0-9_.\\-\\[\\]])(${KEY})=("[^"]*"|[^&#;\\s"]*)`, 'g')
const LITERAL_OPTION = /(?:^|\s)(--?[A-Za-z][A-Za-z0-9_-]*)\s+("[^"]*"|[^\s"-][^\s"]*)/g

/**
 * Literal values of secret-looking keys in a template (`…&password=hunter2`, `--pin 1234`,
 * `//user:pw@host`); values holding a placeholder are not literal.
 */
export function literalSecrets(template: string): string[] {
  const found: string[] = []
  const add = (raw: string) => {
    const value = raw.replace(/^"|"$/g, '')
    if (value !== '' && !value.includes('{')) found.push(value)
  }
  for (const match of template.matchAll(LITERAL_ASSIGNMENT)) if (isSecretKey(match[1]!)) add(match[2]!)
  for (const match of template.matchAll(LITERAL_OPTION)) if (isSecretKey(match[1]!)) add(match[2]!)
  for (const match of template.matchAll(USER_INFO)) add(match[2]!)
  return found
}

const LITERAL_ASSIGNMENT_PARTS = new RegExp(`(^|[^A-Za-z0-9_.\\-\\[\\]])(${KEY})=("[^"]*"|[^&#;\\s"]*)`, 'g')
const LITERAL_OPTION_PARTS = /(^|\s)(--?[A-Za-z][A-Za-z0-9_-]*)(\s+)("[^"]*"|[^\s"-][^\s"]*)/g
const isLiteral = (value: string): boolean => value.replace(/^"|"$/g, '') !== '' && !value.includes('{')

/**
 * The template without the secrets {@link literalSecrets} finds, for exports:
 * `password=hunter2` → `password=`, `--pin 1234` → `--pin ""`, `//user:pw@host` → `//user@host`.
 * Placeholders (`password={APW}`) stay.
 */
export function withoutLiteralSecrets(template: string): string {
  return template
    .replace(LITERAL_ASSIGNMENT_PARTS, (match, lead: string, key: string, value: string) =>
      isSecretKey(key) && isLiteral(value) ? `${lead}${key}=${value.startsWith('"') ? '""' : ''}` : match,
    )
    .replace(LITERAL_OPTION_PARTS, (match, lead: string, option: string, space: string, value: string) =>
      isSecretKey(option) && isLiteral(value) ? `${lead}${option}${space}""` : match,
    )
    .replace(USER_INFO, (match, head: string, value: string) => (isLiteral(value) ? `${head.slice(0, -1)}@` : match))
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
 * The mask for one access's log entry: known secrets (with their forms for the access's
 * charset) and literal template secrets as whole tokens, then every secret-looking key.
 */
export function createMasker(
  secrets: readonly string[],
  options: {
    template?: string | undefined
    charset?: string | undefined
    encoder?: CharsetEncoder | undefined
    /** False: known secrets only (the settings' test console shows the session values it fetched). */
    keys?: boolean
  } = {},
): (text: string) => string {
  const literal = options.template === undefined ? [] : literalSecrets(options.template)
  const forms = [...secrets, ...literal].flatMap((secret) => secretForms(secret, options.charset, options.encoder))
  if (options.keys === false) return (text) => maskSecrets(text, forms)
  return (text) => maskSecretKeys(maskSecrets(text, forms))
}

/**
 * The settings' test console's masker of one access: the known secrets and the template's
 * literal passwords, not the values under secret-looking keys (IT's dry run shows the session
 * values it fetched). The runner's log masks those too (see `runAccessUnguarded`).
 */
export function accessMasker(
  access: { readonly url: string; readonly charset?: string },
  secrets: readonly string[],
  encoder?: CharsetEncoder,
): (text: string) => string {
  return createMasker(secrets, { template: access.url, charset: access.charset, encoder, keys: false })
}
