/**
 * Validation of a settings document against `schema.ts`, as field errors with a dotted path, an
 * error code the screens translate, and an English message for logs and the start-up banner.
 * Expected failures are values: nothing here throws.
 */
import * as v from 'valibot'
import { checkCtiSection, type CtiSection } from '@/cti/schema'
import { getPath, isObject } from './paths'
import { declaredKeys, settingsSchema } from './schema'

export interface FieldError {
  /** Dotted path of the offending key, e.g. `sip.server` ('' = the document itself). */
  path: string
  /** English text, for logs and places that are not translated. */
  message: string
  /** Translation key below `settings.errors` (see `settings.messages.ts`). */
  code?: ErrorCode
  params?: Record<string, string>
}

export interface Validation {
  errors: FieldError[]
  /** Unknown keys: ignored, never fatal (a newer phone's document still loads here). */
  warnings: FieldError[]
}

/** English message per code; `{name}` are params. The screens use `settings.errors.<code>`. */
export const ERROR_MESSAGES = {
  invalid: 'is not valid',
  text: 'must be text',
  number: 'must be a number',
  boolean: 'must be true or false',
  list: 'must be a list',
  object: 'must be an object',
  'one-of': 'must be one of {values}',
  min: 'must be at least {min}',
  max: 'must be at most {max}',
  version: 'unsupported version {found} (this phone reads version 1)',
  'ws-url': 'must be a ws:// or wss:// URL',
  regex: 'is not a valid regular expression',
  'regex-group': 'the regular expression has no named group (?<NAME>…) with a name of A–Z, 0–9, _',
  'regex-flags': 'regular expression flags are letters of dgimsuvy',
  'variable-name': 'a variable name has only A–Z, 0–9, _ and -',
  'json-pointer': 'a JSON Pointer is empty or starts with "/"',
  format: 'must be a text format, {"json": {…}} or {"regex": "…"}',
  charset: 'is not a charset this browser knows',
  'header-name': 'must be a SIP header name',
  'tab-name': 'must be a tab name not starting with "_"',
  'all-or-list': 'must be "all" or a list of numbers',
  'ice-urls': 'must be a URL or a list of URLs',
  'lock-path': '"{value}" is not a setting that can be locked',
  'url-scheme': 'must start with http:// or https:// (or {SVADDR})',
  'command-program': 'the program (first argument) must be written out, not a placeholder',
  'http-url': 'must be an http:// or https:// URL',
  'url-required': 'a {method} access needs a URL',
  'required-for-sip': 'is needed to register with sip.server',
  json: 'is not valid JSON: {detail}',
  'unknown-key': 'unknown setting, ignored',
} as const
export type ErrorCode = keyof typeof ERROR_MESSAGES

/** Codes that refuse a document at start-up too, inside `cti` (`javascript:` URLs and the like). */
const UNSAFE_TARGET: ReadonlySet<ErrorCode> = new Set(['url-scheme', 'command-program', 'http-url'])

export function fieldError(path: string, code: ErrorCode, params: Record<string, string> = {}): FieldError {
  const message = ERROR_MESSAGES[code].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole)
  return { path, code, params, message }
}

const BY_TYPE: Partial<Record<string, ErrorCode>> = {
  string: 'text',
  number: 'number',
  boolean: 'boolean',
  array: 'list',
  object: 'object',
  record: 'object',
  picklist: 'one-of',
  min_value: 'min',
  max_value: 'max',
}

function isCode(message: string): message is ErrorCode {
  return Object.hasOwn(ERROR_MESSAGES, message)
}

function fromIssue(issue: v.BaseIssue<unknown>): FieldError {
  const path = v.getDotPath(issue) ?? ''
  if (isCode(issue.message)) {
    const params: Record<string, string> = {}
    if (issue.message === 'version') params.found = JSON.stringify(issue.input)
    if (issue.message === 'lock-path') params.value = String(issue.input)
    if (issue.message === 'url-required') params.method = String((issue.input as { method?: unknown } | undefined)?.method ?? '')
    return fieldError(path, issue.message, params)
  }
  const code = BY_TYPE[issue.type] ?? 'invalid'
  const params: Record<string, string> = {}
  if (code === 'one-of') params.values = issue.expected?.replace(/^\(|\)$/g, '').replace(/"/g, '').split(' | ').join(', ') ?? ''
  if (code === 'min') params.min = String(issue.requirement)
  if (code === 'max') params.max = String(issue.requirement)
  return fieldError(path, code, params)
}

/** A SIP server without domain or user cannot register: the phone would silently stay off. */
function sipErrors(doc: unknown): FieldError[] {
  const server = getPath(doc, 'sip.server')
  if (typeof server !== 'string' || server === '') return []
  return (['domain', 'user'] as const)
    .filter((key) => getPath(doc, `sip.${key}`) === '')
    .map((key) => fieldError(`sip.${key}`, 'required-for-sip'))
}

function unknownKeys(doc: unknown, path: string, skip: (path: string) => boolean): FieldError[] {
  const node = path === '' ? doc : getPath(doc, path)
  const keys = declaredKeys(path)
  if (!isObject(node) || !keys) return []
  return Object.keys(node).flatMap((key) => {
    const child = path ? `${path}.${key}` : key
    if (skip(child)) return []
    if (!keys.includes(key)) return [fieldError(child, 'unknown-key')]
    return unknownKeys(doc, child, skip)
  })
}

/**
 * Checks a whole settings document. With `cti: 'lenient'` (start-up), problems inside the `cti`
 * section are left to the CTI engine, which reports them and keeps the integration off while
 * the phone still rings; the settings screens and imports use `strict`, which also wants a SIP
 * account that can register.
 */
export function validateDocument(doc: unknown, options: { cti: 'strict' | 'lenient' }): Validation {
  if (!isObject(doc)) return { errors: [fieldError('', 'object')], warnings: [] }
  const inCti = (path: string) => path.startsWith('cti.')
  const skip = options.cti === 'lenient' ? inCti : () => false
  const seen = new Set<string>()
  const errors: FieldError[] = []
  const result = v.safeParse(settingsSchema, doc)
  // Completeness of the SIP account is checked where the agent edits it; at start-up an
  // incomplete account shows as "not configured" instead.
  const complete = options.cti === 'strict' ? sipErrors(doc) : []
  for (const error of [...(result.issues ?? []).map(fromIssue), ...complete]) {
    // Where an access may point is a security check, not CTI semantics: never left for later.
    if ((skip(error.path) && !UNSAFE_TARGET.has(error.code ?? 'invalid')) || seen.has(error.path)) continue
    seen.add(error.path)
    errors.push(error)
  }
  return { errors, warnings: unknownKeys(doc, '', skip) }
}

/**
 * The `cti` section alone, by the same schema and with the same messages as the document
 * (paths start with `cti.`): what the CTI store builds the engine from.
 */
export function validateCtiSection(cti: unknown): { ok: true; section: CtiSection } | { ok: false; errors: FieldError[] } {
  const checked = checkCtiSection(cti)
  if (checked.ok) return checked
  const errors = checked.issues.map(fromIssue).map((error) => ({ ...error, path: error.path ? `cti.${error.path}` : 'cti' }))
  return { ok: false, errors: errors.filter((error, index) => errors.findIndex((e) => e.path === error.path) === index) }
}
