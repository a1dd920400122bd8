/**
 * Charsets: percent-encoding a value in the access's charset (docs/cti-integration.md §6 encoding
 * rule) and decoding a response body (docs/cti-integration.md §7 rule 2).
 *
 * Decoding uses the platform's TextDecoder (browsers and Node with full ICU know Shift_JIS and
 * EUC-JP). Encoding has no platform API for legacy charsets, so the Shift_JIS and EUC-JP
 * encoders are derived once, lazily, from that same TextDecoder — walking the code space in
 * WHATWG pointer order, which yields the WHATWG Encoding Standard's encoders — instead of
 * shipping a 100 KB table. Any other charset needs an injected {@link CharsetEncoder};
 * without one the value is sent in UTF-8 and a warning is returned.
 */

/** Encodes `text` into `charset`; returns undefined when it does not know that charset. */
export type CharsetEncoder = (charset: string, text: string) => Uint8Array | undefined

/** The canonical TextDecoder name of a charset label (`sjis` → `shift_jis`), or undefined. */
export function canonicalCharset(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding
  } catch {
    return undefined
  }
}

export function isKnownCharset(label: string): boolean {
  return canonicalCharset(label) !== undefined
}

/** Replaces lone UTF-16 surrogates by U+FFFD, so every string has a UTF-8 form. */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

export function utf8Encode(text: string): Uint8Array {
  const bytes: number[] = []
  for (const char of toWellFormed(text)) {
    const cp = char.codePointAt(0)!
    if (cp < 0x80) bytes.push(cp)
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f))
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
  }
  return Uint8Array.from(bytes)
}

type JapaneseCharset = 'shift_jis' | 'euc-jp'
const tables = new Map<JapaneseCharset, Map<number, readonly number[]>>()

/**
 * Builds code point → bytes for the double-byte part of a Japanese charset by decoding every
 * byte pair once (pairs separated by LF, so an unmapped pair cannot shift the alignment).
 * Ascending byte order is WHATWG pointer order; the first pair wins, as in the standard.
 */
function doubleByteTable(charset: JapaneseCharset): Map<number, readonly number[]> {
  const cached = tables.get(charset)
  if (cached) return cached
  const pairs: [number, number][] = []
  if (charset === 'shift_jis') {
    for (let lead = 0x81; lead <= 0xfc; lead++) {
      if (lead >= 0xa0 && lead <= 0xdf) continue
      // WHATWG's Shift_JIS encoder excludes pointers 8272–8835 (the NEC-selected IBM
      // extensions, leads 0xED–0xEF), which duplicate the IBM extensions at 0xFA–0xFC.
      if (lead >= 0xed && lead <= 0xef) continue
      for (let trail = 0x40; trail <= 0xfc; trail++) if (trail !== 0x7f) pairs.push([lead, trail])
    }
  } else {
    for (let lead = 0xa1; lead <= 0xfe; lead++) for (let trail = 0xa1; trail <= 0xfe; trail++) pairs.push([lead, trail])
  }
  const input = new Uint8Array(pairs.length * 3)
  pairs.forEach(([lead, trail], index) => input.set([lead, trail, 0x0a], index * 3))
  const decoded = new TextDecoder(charset).decode(input).split('\n')
  const table = new Map<number, readonly number[]>()
  pairs.forEach((pair, index) => {
    const text = decoded[index] ?? ''
    const cp = text.codePointAt(0)
    // An unmapped pair decodes to U+FFFD (plus a re-read ASCII trail); private-use code points
    // (user-defined area) are not encoded by the standard either.
    if (cp === undefined || text.length !== 1 || cp === 0xfffd || (cp >= 0xe000 && cp <= 0xf8ff)) return
    if (!table.has(cp)) table.set(cp, pair)
  })
  tables.set(charset, table)
  return table
}

/** WHATWG encoder for shift_jis / euc-jp; unmappable characters become `&#N;` as browsers do. */
function encodeJapanese(charset: JapaneseCharset, text: string): { bytes: Uint8Array; lossy: boolean } {
  const table = doubleByteTable(charset)
  const bytes: number[] = []
  let lossy = false
  for (const char of toWellFormed(text)) {
    let cp = char.codePointAt(0)!
    if (cp < 0x80) {
      bytes.push(cp)
      continue
    }
    if (charset === 'shift_jis' && cp === 0x80) {
      bytes.push(0x80)
      continue
    }
    if (cp === 0xa5) {
      bytes.push(0x5c)
      continue
    }
    if (cp === 0x203e) {
      bytes.push(0x7e)
      continue
    }
    if (cp >= 0xff61 && cp <= 0xff9f) {
      if (charset === 'euc-jp') bytes.push(0x8e)
      bytes.push(cp - 0xff61 + 0xa1)
      continue
    }
    if (cp === 0x2212) cp = 0xff0d
    const pair = table.get(cp)
    if (pair) bytes.push(...pair)
    else {
      lossy = true
      for (const c of `&#${cp};`) bytes.push(c.charCodeAt(0))
    }
  }
  return { bytes: Uint8Array.from(bytes), lossy }
}

export interface EncodedText {
  readonly bytes: Uint8Array
  /** The charset really used (UTF-8 when the requested one is unavailable). */
  readonly charset: string
  readonly warnings: readonly string[]
}

/**
 * Encodes text in a charset: UTF-8 and (derived) Shift_JIS / EUC-JP are built in; `custom`
 * is asked first for anything else. Unavailable charsets fall back to UTF-8 with a warning.
 */
export function encodeText(text: string, charset = 'utf-8', custom?: CharsetEncoder): EncodedText {
  const canonical = canonicalCharset(charset) ?? charset.trim().toLowerCase()
  if (canonical === 'utf-8') return { bytes: utf8Encode(text), charset: 'utf-8', warnings: [] }
  const fromPort = custom?.(canonical, text)
  if (fromPort) return { bytes: fromPort, charset: canonical, warnings: [] }
  if (canonical === 'shift_jis' || canonical === 'euc-jp') {
    const { bytes, lossy } = encodeJapanese(canonical, text)
    return { bytes, charset: canonical, warnings: lossy ? [`charset-unmappable: some characters have no ${canonical} form`] : [] }
  }
  return { bytes: utf8Encode(text), charset: 'utf-8', warnings: [`charset-unsupported: no encoder for ${canonical}; sent as UTF-8`] }
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * Percent-encodes every byte except RFC 3986 unreserved characters, so a value can never
 * change the structure of the URL or form body it lands in (`&`, `=`, `#`, `?`, `+`, `%`, ...).
 */
export function percentEncode(text: string, charset = 'utf-8', custom?: CharsetEncoder): { text: string; warnings: readonly string[] } {
  const { bytes, warnings } = encodeText(text, charset, custom)
  let out = ''
  for (const byte of bytes) {
    const char = String.fromCharCode(byte)
    out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return { text: out, warnings }
}

/**
 * Decodes one `application/x-www-form-urlencoded` component once: `+` is a space, `%XX` runs are
 * UTF-8 bytes (invalid sequences become U+FFFD), a `%` not followed by two hex digits stays.
 */
export function decodeFormComponent(text: string): string {
  const bytes: number[] = []
  const spaced = text.replace(/\+/g, ' ')
  for (let i = 0; i < spaced.length; i++) {
    const char = spaced[i]!
    const hex = spaced.slice(i + 1, i + 3)
    if (char === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else bytes.push(...utf8Encode(char))
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes))
}

/** The `charset` parameter of a Content-Type header value, if any. */
export function contentTypeCharset(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)
  return match?.[1]
}

export interface DecodedBody {
  readonly text: string
  readonly charset: string
  readonly warnings: readonly string[]
  /** Some bytes were not valid in `charset` (they became U+FFFD in `text`). */
  readonly malformed?: boolean
}

/** Decodes leniently (U+FFFD for bad bytes) and says whether any byte was bad. */
function decodeChecked(body: Uint8Array, charset: string, warnings: string[]): DecodedBody {
  try {
    return { text: new TextDecoder(charset, { fatal: true }).decode(body), charset, warnings }
  } catch {
    return { text: new TextDecoder(charset).decode(body), charset, warnings, malformed: true }
  }
}

/**
 * docs/cti-integration.md §7 rule 2: decode by the access's charset when set, else the Content-Type
 * charset, else UTF-8. An unknown label falls back to the next choice with a warning. Malformed
 * bytes become U+FFFD and set `malformed`; a UTF-8 BOM is dropped.
 */
export function decodeBody(body: Uint8Array, accessCharset: string | undefined, contentType: string | undefined): DecodedBody {
  const warnings: string[] = []
  for (const [label, source] of [
    [accessCharset, 'access charset'],
    [contentTypeCharset(contentType), 'Content-Type charset'],
  ] as const) {
    if (!label) continue
    const canonical = canonicalCharset(label)
    if (canonical) return decodeChecked(body, canonical, warnings)
    warnings.push(`charset-unknown: ${source} "${label}" ignored`)
  }
  return decodeChecked(body, 'utf-8', warnings)
}
