/**
 * What the history's word index holds for a row, and how a search text picks its index range.
 * Pure: `store.ts` turns these into IndexedDB keys.
 *
 * - Text (phonebook/SIP names, CRM name and company): NFKC, lower case, split into words; each
 *   word gives its characters and its two-character grams (`t:山`, `t:山田`). A query word of one
 *   character is looked up exactly; a longer one by its first two characters, and the rows found
 *   are checked for the whole query. That finds words inside Japanese names without spaces
 *   (`つなぐ` in `株式会社つなぐ`).
 * - Digits: every four- and eight-digit run of the number in national form, E.164 and as
 *   received (`d:0312`, `d:3123`, …, `D:03123456`, …; a query of eight digits or more uses the
 *   long runs, which nearly single out one number). A partial number of four or more digits is found anywhere in the number
 *   (`5678`, `1234-56`, and the whole number in any spelling: the national and E.164 digits are
 *   both in the row). Three digits (an extension) must match the number exactly.
 */
import { nationalDigits, numberKey, type NormalizeOptions } from '@/phonebook/normalize'

const WORD_SPLIT = /[\s\p{P}\p{S}]+/u
const NUMBER_LIKE = /^[\d\s+\-\u2010-\u2015\u2212\u30fc().*]+$/
const DIGIT_GRAM = 4
/** Long runs too, so a query of eight digits or more (most of a number) meets only its own calls. */
const LONG_DIGIT_GRAM = 8
/** A query of many words intersects the ranges of its longest few: each more costs a range walk. */
const MAX_WORD_GRAMS = 3

export const foldText = (text: string) => text.normalize('NFKC').toLowerCase()

export function words(text: string): string[] {
  return foldText(text).split(WORD_SPLIT).filter((w) => w.length > 0)
}

function textGrams(word: string, into: Set<string>): void {
  const chars = [...word]
  chars.forEach((c, i) => {
    into.add(`t:${c}`)
    const next = chars[i + 1]
    if (next !== undefined) into.add(`t:${c}${next}`)
  })
}

function digitGrams(digits: string, into: Set<string>): void {
  for (let i = 0; i + DIGIT_GRAM <= digits.length; i++) into.add(`d:${digits.slice(i, i + DIGIT_GRAM)}`)
  for (let i = 0; i + LONG_DIGIT_GRAM <= digits.length; i++) into.add(`D:${digits.slice(i, i + LONG_DIGIT_GRAM)}`)
}

/** The digit strings a number search compares against. */
export function numberHaystack(remoteNumber: string, remoteKey: string | undefined, options: NormalizeOptions = {}): string[] {
  const list = new Set<string>()
  const raw = foldText(remoteNumber).split('#')[0]?.replace(/\D/g, '') ?? ''
  if (raw) list.add(raw)
  if (remoteKey) {
    list.add(remoteKey.replace(/\D/g, ''))
    list.add(nationalDigits(remoteKey, options))
  }
  return [...list]
}

/** The grams of a row, without duplicates. */
export function rowGrams(texts: readonly (string | undefined)[], digitStrings: readonly string[]): string[] {
  const grams = new Set<string>()
  for (const text of texts) if (text) for (const word of words(text)) textGrams(word, grams)
  for (const digits of digitStrings) digitGrams(digits, grams)
  return [...grams]
}

export type SearchPlan =
  /** A complete number: the normalised-number index. */
  | { kind: 'number'; key: string }
  /** A partial number: one digit gram, then the digits checked against the row's numbers. */
  | { kind: 'digits'; gram: string; digits: string }
  /**
   * Words: `gram` (of the longest word) for a one-word walk; `grams`, one per word (at most
   * `MAX_WORD_GRAMS`, longest words first), for a query of several words, whose walk meets
   * only the rows that hold all of them; then every word is checked against the row's texts.
   */
  | { kind: 'text'; gram: string; grams: string[]; words: string[] }

/**
 * How to search for what the agent typed; `undefined` for a query with nothing to look for.
 * Four or more digits are searched anywhere in the number, so a number typed in part, or in
 * full in any spelling, finds the calls; fewer (an extension like `100`) must match exactly.
 */
export function planSearch(text: string, options: NormalizeOptions = {}): SearchPlan | undefined {
  const folded = foldText(text).trim()
  if (!folded) return undefined
  // A caller ID pasted with its codes (`0312345678#A1#B2`) is its number.
  const number = folded.split('#')[0] ?? ''
  if (/\d/.test(number) && NUMBER_LIKE.test(number)) {
    const digits = number.replace(/\D/g, '')
    if (digits.length >= LONG_DIGIT_GRAM) return { kind: 'digits', gram: `D:${digits.slice(-LONG_DIGIT_GRAM)}`, digits }
    if (digits.length >= DIGIT_GRAM) return { kind: 'digits', gram: `d:${digits.slice(-DIGIT_GRAM)}`, digits }
    const key = numberKey(number, options)
    if (key) return { kind: 'number', key: key.key }
  }
  const list = words(folded)
  const longest = list.reduce((a, b) => ([...b].length > [...a].length ? b : a), '')
  if (!longest) return undefined
  const byLength = [...list].sort((a, b) => [...b].length - [...a].length)
  const grams = [...new Set(byLength.map(wordGram))].slice(0, MAX_WORD_GRAMS)
  return { kind: 'text', gram: wordGram(longest), grams, words: list }
}

/**
 * The gram a row must hold to contain `word` (its first one or two characters). A query word
 * has no separator in it, so it can only lie inside one word of a row's text, whose grams
 * include every pair of the query word's characters: each word's gram is necessary.
 */
function wordGram(word: string): string {
  return `t:${[...word].slice(0, 2).join('')}`
}
