/**
 * Phone-number keys: two spellings of one number get the same key, so a phonebook entry typed
 * `03-1234-5678` is found for a caller ID `+81312345678`.
 *
 * ```
 *  input ──NFKC (full-width → ASCII)──► strip `#…` codes and separators ──► digits with an optional `+`
 *        3–6 digits, no `+` ──► the digits themselves (an extension: `1001`)
 *        otherwise ──libphonenumber-js──► E.164 (`+81312345678`) when the length is possible for the region,
 *                                          else the cleaned digits (still compared exactly)
 *        anything else (letters, `anonymous`, fewer than 3 or more than 15 digits) ──► undefined
 * ```
 *
 * Uses libphonenumber-js's `min` metadata: every form in normalize.test.ts gives the same key
 * with `max` (checked), and `min` is a fraction of its size. `min` cannot tell a mobile number
 * from a landline (`getType()`), which keys do not need.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min'

export type { CountryCode }

export interface NormalizeOptions {
  /** The region numbers without a country code belong to. Default `JP`. */
  region?: CountryCode
}

/**
 * Separators people and PBXs put in numbers, after NFKC (which already turns `－` into `-` and
 * `ｰ` into `ー`): ASCII and Unicode hyphens and dashes, the minus sign, the katakana long-vowel
 * mark `ー` (a common typo for a hyphen in Japanese input), spaces, dots, parentheses.
 */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u30fc.()/]/g
const DIGITS = /^\+?\d+$/
/** E.164 allows at most 15 digits. */
const MAX_DIGITS = 15
/** `0` + 9 or 10 digits, not starting `00` or `010`. */
const JP_NATIONAL = /^0(?!10)[1-9]\d{8,9}$/
const JP_E164 = /^81[1-9]\d{8,9}$/

export interface NumberKey {
  key: string
  /** `e164`: placed by libphonenumber-js; `extension`: 3–6 digits; `digits`: a number it could not place. */
  kind: 'e164' | 'extension' | 'digits'
}

/** The comparable key of a number, or `undefined` for something that is not a number. */
export function normalizeNumber(input: string | null | undefined, options: NormalizeOptions = {}): string | undefined {
  return numberKey(input, options)?.key
}

/** `normalizeNumber` with the kind of key it gave. */
export function numberKey(input: string | null | undefined, options: NormalizeOptions = {}): NumberKey | undefined {
  if (!input) return undefined
  let text = input.normalize('NFKC').trim()
  if (/^tel:/i.test(text)) text = text.slice(4)
  // BIZTEL-style codes appended to the caller ID: `0312345678#A1#B2` is the number `0312345678`.
  const hash = text.indexOf('#')
  if (hash >= 0) text = text.slice(0, hash)
  text = text.replace(SEPARATORS, '')
  if (!DIGITS.test(text)) return undefined
  const plus = text.startsWith('+')
  const digits = plus ? text.slice(1) : text
  if (digits.length < 3 || digits.length > MAX_DIGITS) return undefined
  if (!plus && digits.length <= 6) return { key: digits, kind: 'extension' }
  const region = options.region ?? 'JP'
  // Japanese national numbers are most of what a phonebook holds, and parsing costs ~40 µs each
  // (2 s for a 50,000-entry book). For them E.164 is the trunk `0` replaced by `+81`, which is
  // what libphonenumber-js gives for every possible number of this shape (010 is the
  // international prefix, 00xx carrier codes: both left to the library).
  if (region === 'JP' && !plus && JP_NATIONAL.test(digits)) return { key: `+81${digits.slice(1)}`, kind: 'e164' }
  // And `+81` + the same digits is that key already (`+81 (0)3 …`, with the trunk 0, is not).
  if (plus && JP_E164.test(digits)) return { key: text, kind: 'e164' }
  const parsed = parsePhoneNumberFromString(text, region)
  if (parsed?.isPossible()) return { key: parsed.number, kind: 'e164' }
  return { key: plus ? `+${digits}` : digits, kind: 'digits' }
}

/**
 * The digits an agent would type to find a number: the national form (`0312345678`) when the
 * key is E.164 of the region, else the key's digits. Used for digit search in the history.
 */
export function nationalDigits(key: string, options: NormalizeOptions = {}): string {
  if (!key.startsWith('+')) return key
  const parsed = parsePhoneNumberFromString(key, options.region ?? 'JP')
  if (parsed && parsed.country === (options.region ?? 'JP')) return parsed.formatNational().replace(/\D/g, '')
  return key.slice(1)
}
