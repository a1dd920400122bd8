/**
 * The three phonebooks of the original (共有電話帳・端末電話帳・アカウント電話帳): parsing what
 * IT provisions or the agent imports, exporting the terminal phonebook, and the name lookup
 * behind `{TELNAME}`/`{CALLEDNAME}`.
 *
 * Parsing never throws: a file is content from a URL or from the agent's disk, so every row
 * that cannot be used comes back as a problem with its line number, and the good rows are kept.
 * Lookup is one normalisation plus one `Map` read, so it can run on the ring path before the
 * popup is painted.
 */
import Papa from 'papaparse'
import { normalizeNumber, type NormalizeOptions } from './normalize'

export interface PhonebookEntry {
  name: string
  /** As written in the source; compared through `normalizeNumber`. */
  number: string
}

export type PhonebookProblemCode =
  /** The file is empty or has no header row. */
  | 'no-header'
  /** The header row names no `name`/`名前` or no `number`/`電話番号` column. */
  | 'missing-columns'
  /** CSV syntax (an unterminated quote, …). */
  | 'csv-syntax'
  /** JSON syntax, or not an array. */
  | 'bad-json'
  /** A JSON item that is not an object with string `name` and `number`. */
  | 'bad-item'
  | 'missing-name'
  /** Empty, or not a phone number (`normalizeNumber` gives nothing). */
  | 'bad-number'

export interface PhonebookProblem {
  /** 1-based line of the CSV row, or 1-based position of the JSON item; 0 for the whole file. */
  line: number
  code: PhonebookProblemCode
  /** The offending text, shortened, for the agent or IT to find the row. */
  detail?: string
}

export interface ParsedPhonebook {
  entries: PhonebookEntry[]
  problems: PhonebookProblem[]
}

const NAME_COLUMNS = new Set(['name', '名前'])
const NUMBER_COLUMNS = new Set(['number', '電話番号'])
const BOM = '\ufeff'
const DETAIL_MAX = 80
/** What a spreadsheet would run as a formula; a leading `+`/`-` only when more than a number follows. */
const FORMULA = /^(?:[=@\t\r]|[+-](?![\d\s().-]*$))/

const shorten = (text: string) => (text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text)
const stripBom = (text: string) => (text.startsWith(BOM) ? text.slice(1) : text)
/** Undo the apostrophe our export (and OWASP-style exporters) put before formula-like cells. */
const unguard = (text: string) => (text.startsWith("'") && FORMULA.test(text.slice(1)) ? text.slice(1) : text)
const headerName = (text: string) => stripBom(text).normalize('NFKC').trim().toLowerCase()

function checkEntry(name: string, number: string, line: number, problems: PhonebookProblem[], options: NormalizeOptions): PhonebookEntry | undefined {
  if (!name) {
    problems.push({ line, code: 'missing-name', detail: shorten(number) })
    return undefined
  }
  if (normalizeNumber(number, options) === undefined) {
    problems.push({ line, code: 'bad-number', detail: shorten(number) })
    return undefined
  }
  return { name, number }
}

/** Lines before `offset`, counting CRLF, LF and CR endings. */
function lineAt(text: string, offset: number, from: { offset: number; line: number }): number {
  let line = from.line
  for (let i = from.offset; i < offset; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++
  }
  from.offset = offset
  from.line = line
  return line
}

/**
 * CSV with a header row; the `name` (or `名前`) and `number` (or `電話番号`) columns are read in
 * any order and case, every other column is ignored. UTF-8 with or without BOM.
 */
export function parsePhonebookCsv(text: string, options: NormalizeOptions = {}): ParsedPhonebook {
  const source = stripBom(text)
  const entries: PhonebookEntry[] = []
  const problems: PhonebookProblem[] = []
  const position = { offset: 0, line: 1 }
  let previousCursor = 0
  let columns: { name: number; number: number } | undefined
  let header = false
  Papa.parse<string[]>(source, {
    skipEmptyLines: 'greedy',
    step: (result) => {
      let start = previousCursor
      while (start < source.length && /\s/.test(source[start] ?? '')) start++
      previousCursor = result.meta.cursor
      const line = lineAt(source, start, position)
      if (!header) {
        header = true
        const names = result.data.map(headerName)
        const name = names.findIndex((n) => NAME_COLUMNS.has(n))
        const number = names.findIndex((n) => NUMBER_COLUMNS.has(n))
        if (name < 0 || number < 0) problems.push({ line, code: 'missing-columns', detail: shorten(result.data.join(',')) })
        else columns = { name, number }
        return
      }
      if (!columns) return
      if (result.errors.length > 0) {
        problems.push({ line, code: 'csv-syntax', detail: shorten(result.errors[0]?.message ?? '') })
        return
      }
      const name = unguard((result.data[columns.name] ?? '').trim())
      const number = unguard((result.data[columns.number] ?? '').trim())
      const entry = checkEntry(name, number, line, problems, options)
      if (entry) entries.push(entry)
    },
  })
  if (!header) problems.push({ line: 0, code: 'no-header' })
  return { entries, problems }
}

/** JSON `[{"name": "…", "number": "…"}]`; other properties are ignored. */
export function parsePhonebookJson(text: string, options: NormalizeOptions = {}): ParsedPhonebook {
  let data: unknown
  try {
    data = JSON.parse(stripBom(text))
  } catch (error) {
    return { entries: [], problems: [{ line: 0, code: 'bad-json', detail: shorten(String(error)) }] }
  }
  if (!Array.isArray(data)) return { entries: [], problems: [{ line: 0, code: 'bad-json', detail: 'not an array' }] }
  const entries: PhonebookEntry[] = []
  const problems: PhonebookProblem[] = []
  data.forEach((item: unknown, index) => {
    const line = index + 1
    const record = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined
    const name = record?.name
    const number = record?.number
    if (typeof name !== 'string' || (typeof number !== 'string' && typeof number !== 'number')) {
      problems.push({ line, code: 'bad-item', detail: shorten(JSON.stringify(item) ?? String(item)) })
      return
    }
    const entry = checkEntry(name.trim(), String(number).trim(), line, problems, options)
    if (entry) entries.push(entry)
  })
  return { entries, problems }
}

/**
 * A shared or account phonebook as fetched: JSON when the content type says so or the text
 * starts with `[`, CSV otherwise.
 */
export function parsePhonebook(text: string, contentType = '', options: NormalizeOptions = {}): ParsedPhonebook {
  const json = /\bjson\b/i.test(contentType) || stripBom(text).trimStart().startsWith('[')
  return json ? parsePhonebookJson(text, options) : parsePhonebookCsv(text, options)
}

/**
 * The terminal phonebook as a file Excel opens with Japanese intact: UTF-8 with BOM, CRLF, a
 * `name,number` header. Cells a spreadsheet would run as a formula get a leading apostrophe,
 * which `parsePhonebookCsv` removes again.
 */
export function exportPhonebookCsv(entries: readonly PhonebookEntry[]): string {
  const body = Papa.unparse(
    { fields: ['name', 'number'], data: entries.map((e) => [e.name, e.number]) },
    { newline: '\r\n', escapeFormulae: FORMULA },
  )
  return `${BOM}${body}\r\n`
}

/** Import of the terminal phonebook: the same format the shared phonebook's CSV has. */
export const importPhonebookCsv = parsePhonebookCsv

export interface PhonebookIndex {
  readonly size: number
  /** Entries whose number had a key already taken by an earlier entry (the earlier one wins). */
  readonly duplicates: number
  /** The name for a normalised key. */
  get(key: string): string | undefined
}

/** Built once per book (at load or refresh); the first entry for a number wins. */
export function buildIndex(entries: readonly PhonebookEntry[], options: NormalizeOptions = {}): PhonebookIndex {
  const map = new Map<string, string>()
  let duplicates = 0
  for (const entry of entries) {
    const key = normalizeNumber(entry.number, options)
    if (key === undefined) continue
    if (map.has(key)) duplicates++
    else map.set(key, entry.name)
  }
  return { size: map.size, duplicates, get: (key) => map.get(key) }
}

export type PhonebookKind = 'shared' | 'terminal' | 'account'
export type NameSource = PhonebookKind | 'sip'

/** Lookup order of `{TELNAME}`/`{CALLEDNAME}`, as the original lists the books. */
export const PHONEBOOK_PRECEDENCE: readonly PhonebookKind[] = ['shared', 'terminal', 'account']

export type Phonebooks = Partial<Record<PhonebookKind, PhonebookIndex>>

export interface FoundName {
  name: string
  source: NameSource
}

/**
 * The name for a number: shared → terminal → account phonebook, then the SIP display name.
 * `undefined` when none has one (an empty display name counts as none).
 */
export function lookupName(number: string | undefined, books: Phonebooks, sipName?: string, options: NormalizeOptions = {}): FoundName | undefined {
  const key = normalizeNumber(number, options)
  if (key !== undefined) {
    for (const kind of PHONEBOOK_PRECEDENCE) {
      const name = books[kind]?.get(key)
      if (name !== undefined) return { name, source: kind }
    }
  }
  const display = sipName?.trim()
  return display ? { name: display, source: 'sip' } : undefined
}
