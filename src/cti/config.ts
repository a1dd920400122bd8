/**
 * The `cti` section of the provisioning JSON: types, the defaults of spec §10, and
 * {@link normalizeCtiConfig}, which turns untrusted JSON into a complete {@link CtiConfig}
 * or a list of path-addressed errors. Popup settings (`popup.*`) and agent credentials
 * (`agent.*`) live elsewhere; only their types are shared here.
 */

import { formatVariables, validateResponseFormat, type ResponseFormat } from './response-format'
import { isKnownCharset } from './charset'
import { isBuiltinName } from './placeholders'

/** The six accesses of spec §4, in the order they can occur for one call. */
export const ACCESS_NAMES = ['auth', 'search', 'click', 'ring', 'answer', 'hangup'] as const
export type AccessName = (typeof ACCESS_NAMES)[number]

/** Spec §5. `none` disables the access. */
export const ACCESS_METHODS = ['none', 'get', 'get-internal', 'post', 'post-internal', 'command'] as const
export type AccessMethod = (typeof ACCESS_METHODS)[number]

/** `fetch` credentials mode for internal methods. */
export type AccessCredentials = 'omit' | 'same-origin' | 'include'

export interface AccessConfig {
  readonly method: AccessMethod
  /** URL template (an OS command line for `command`), placeholders per spec §6. */
  readonly url: string
  /** Response format (spec §7); read for auth and search with an internal method only. */
  readonly format?: ResponseFormat
  /** Answer access only: wait before running it. */
  readonly delaySeconds: number
  /** Hang-up access only: run only for calls that were answered. */
  readonly onlyIfAnswered: boolean
  /** Charset for percent-encoding values (get, get-internal, post-internal) and decoding bodies. */
  readonly charset?: string
  readonly credentials: AccessCredentials
  /** Internal methods only: send through the native helper instead of `fetch`. */
  readonly via?: 'helper'
  /**
   * Auth only: variables of the format that are not secrets (logged in clear). Every other
   * extracted value is masked in the CTI log like a password.
   */
  readonly publicVariables?: readonly string[]
}

export type CtiTarget = 'none' | 'custom' | 'salesforce'

export interface CtiConfig {
  readonly target: CtiTarget
  readonly skipInternal: boolean
  /** JavaScript RegExp source tested against the other party's number (spec §1). */
  readonly internalPattern: string
  /** Lifetime of the auth values; 0 = they never expire (kept until logout or a 401/403). */
  readonly sessionKeepMinutes: number
  /** Keep-alive auth interval; 0 = off. */
  readonly pollingMinutes: number
  /** Per-request timeout; 0 = none. */
  readonly timeoutSeconds: number
  readonly outgoing: boolean
  /** Candidate numbers for targeting (the agent's extension is always a candidate too). */
  readonly numbers: readonly string[]
  readonly targetNumbers: 'all' | readonly string[]
  /** SIP header carrying `{ID}`; undefined = always 20 random digits. */
  readonly requestIdHeader?: string
  /** SIP header carrying `{CALLED}` for incoming calls; undefined = the To user. */
  readonly calledHeader?: string
  readonly extension: string
  readonly serverAddress: string
  readonly tabName: string
  readonly accesses: Readonly<Record<AccessName, AccessConfig>>
}

/** `agent.{id,password}`: `{AID}` and `{APW}`. */
export interface AgentCredentials {
  readonly id: string
  readonly password: string
}

/** What the defaults derive from: the SIP account of the phone. */
export interface SipBasics {
  readonly user: string
  /** WebSocket URL of the SIP server, e.g. `wss://pbx.example.com:8089/ws`. */
  readonly server: string
}

export interface ConfigIssue {
  /** Dotted path below `cti`, e.g. `accesses.search.method`. */
  readonly path: string
  readonly message: string
}

export type NormalizeResult =
  | { readonly ok: true; readonly config: CtiConfig; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] }

export const DEFAULT_TAB_NAME = 'tsunagu-crm'
export const DEFAULT_INTERNAL_PATTERN = '^\\d{2,6}$'

export function defaultAccessConfig(): AccessConfig {
  return { method: 'none', url: '', delaySeconds: 0, onlyIfAnswered: false, credentials: 'omit' }
}

/**
 * The origin of the SIP WebSocket URL with ws→http and wss→https (spec §10 `serverAddress`);
 * empty when the URL is not a ws/wss/http/https URL.
 */
export function deriveServerAddress(sipServer: string): string {
  const match = /^(wss?|https?):\/\/([^/?#\s]+)/i.exec(sipServer.trim())
  if (!match) return ''
  const scheme = match[1]!.toLowerCase()
  const http = scheme === 'ws' ? 'http' : scheme === 'wss' ? 'https' : scheme
  return `${http}://${match[2]!}`
}

/** Spec §10 defaults; `sip` fills `extension` and `serverAddress` (empty without it). */
export function defaultCtiConfig(sip?: SipBasics): CtiConfig {
  const accesses = Object.fromEntries(ACCESS_NAMES.map((name) => [name, defaultAccessConfig()])) as Record<
    AccessName,
    AccessConfig
  >
  return {
    target: 'none',
    skipInternal: true,
    internalPattern: DEFAULT_INTERNAL_PATTERN,
    sessionKeepMinutes: 30,
    pollingMinutes: 0,
    timeoutSeconds: 10,
    outgoing: false,
    numbers: [],
    targetNumbers: 'all',
    extension: sip?.user ?? '',
    serverAddress: sip ? deriveServerAddress(sip.server) : '',
    tabName: DEFAULT_TAB_NAME,
    accesses,
  }
}

const TOP_KEYS = new Set([
  'target',
  'skipInternal',
  'internalPattern',
  'sessionKeepMinutes',
  'pollingMinutes',
  'timeoutSeconds',
  'outgoing',
  'numbers',
  'targetNumbers',
  'requestIdHeader',
  'calledHeader',
  'extension',
  'serverAddress',
  'tabName',
  'accesses',
])
const ACCESS_KEYS = new Set(['method', 'url', 'format', 'delaySeconds', 'onlyIfAnswered', 'charset', 'credentials', 'via', 'publicVariables'])
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Collects issues while reading one object; every reader returns the default on a bad value. */
class Reader {
  readonly errors: ConfigIssue[] = []
  readonly warnings: ConfigIssue[] = []

  error(path: string, message: string): void {
    this.errors.push({ path, message })
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message })
  }

  boolean(obj: Record<string, unknown>, key: string, path: string, fallback: boolean): boolean {
    const value = obj[key]
    if (value === undefined) return fallback
    if (typeof value === 'boolean') return value
    this.error(path, 'must be true or false')
    return fallback
  }

  number(obj: Record<string, unknown>, key: string, path: string, fallback: number, max: number): number {
    const value = obj[key]
    if (value === undefined) return fallback
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max) return value
    this.error(path, `must be a number from 0 to ${max}`)
    return fallback
  }

  string(obj: Record<string, unknown>, key: string, path: string, fallback: string): string {
    const value = obj[key]
    if (value === undefined) return fallback
    if (typeof value === 'string') return value
    this.error(path, 'must be a string')
    return fallback
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = obj[key]
    if (value === undefined) return fallback
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
    this.error(path, `must be one of ${allowed.join(', ')}`)
    return fallback
  }

  /** An optional header name; absent, null, "" and "none" all mean "not set" (spec §10: none). */
  headerName(obj: Record<string, unknown>, key: string, path: string): string | undefined {
    const value = obj[key]
    if (value === undefined || value === null || value === '' || value === 'none') return undefined
    if (typeof value === 'string' && HEADER_NAME.test(value)) return value
    this.error(path, 'must be a SIP header name')
    return undefined
  }

  stringList(value: unknown, path: string): string[] {
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value]
    this.error(path, 'must be a list of strings')
    return []
  }

  unknownKeys(obj: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) this.warn(prefix + key, 'unknown setting, ignored')
    }
  }
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '')
}

function readAccess(reader: Reader, name: AccessName, input: unknown): AccessConfig {
  const path = `accesses.${name}`
  const fallback = defaultAccessConfig()
  if (input === undefined) return fallback
  if (!isRecord(input)) {
    reader.error(path, 'must be an object')
    return fallback
  }
  reader.unknownKeys(input, ACCESS_KEYS, `${path}.`)
  const method = reader.oneOf(input, 'method', `${path}.method`, ACCESS_METHODS, 'none')
  const url = reader.string(input, 'url', `${path}.url`, '')
  const delaySeconds = reader.number(input, 'delaySeconds', `${path}.delaySeconds`, 0, 3600)
  const onlyIfAnswered = reader.boolean(input, 'onlyIfAnswered', `${path}.onlyIfAnswered`, false)
  const credentials = reader.oneOf(input, 'credentials', `${path}.credentials`, ['omit', 'same-origin', 'include'], 'omit')
  const access: { -readonly [K in keyof AccessConfig]: AccessConfig[K] } = {
    method,
    url,
    delaySeconds,
    onlyIfAnswered,
    credentials,
  }
  if (input.charset !== undefined && input.charset !== null && input.charset !== '') {
    const charset = reader.string(input, 'charset', `${path}.charset`, '')
    if (charset && !isKnownCharset(charset)) reader.error(`${path}.charset`, `unknown charset "${charset}"`)
    else if (charset) access.charset = charset
  }
  if (input.via !== undefined && input.via !== null) {
    if (input.via === 'helper') access.via = 'helper'
    else reader.error(`${path}.via`, 'must be "helper" when set')
  }
  if (input.format !== undefined && input.format !== null && input.format !== '') {
    const problem = validateResponseFormat(input.format)
    if (problem) reader.error(`${path}.format`, problem)
    else {
      access.format = input.format as ResponseFormat
      if (name !== 'auth' && name !== 'search') reader.warn(`${path}.format`, 'only auth and search responses are read; ignored')
      else if (method !== 'get-internal' && method !== 'post-internal')
        reader.warn(`${path}.format`, `a ${method} access has no response to read; ignored`)
    }
  }
  if (input.publicVariables !== undefined && input.publicVariables !== null) {
    const names = reader.stringList(input.publicVariables, `${path}.publicVariables`)
    if (name === 'auth') access.publicVariables = names
    else reader.warn(`${path}.publicVariables`, 'only the auth access extracts session values; ignored')
  }
  if (method !== 'none' && url.trim() === '') reader.error(`${path}.url`, `a ${method} access needs a URL`)
  if (access.via && method !== 'get-internal' && method !== 'post-internal')
    reader.warn(`${path}.via`, 'only internal methods go through the helper; ignored')
  if (delaySeconds > 0 && name !== 'answer') reader.warn(`${path}.delaySeconds`, 'only the answer access waits; ignored')
  if (onlyIfAnswered && name !== 'hangup') reader.warn(`${path}.onlyIfAnswered`, 'only the hang-up access uses it; ignored')
  return access
}

/**
 * Validates the `cti` section of the provisioning JSON and fills the spec §10 defaults.
 *
 * - `input` may be `undefined` (no section: all defaults); anything but an object is an error.
 * - Every problem is reported with its path; the result is `ok: false` when any error exists.
 *   Unknown keys and settings that have no effect are warnings, never errors.
 * - `sip` supplies the defaults of `extension` (`sip.user`) and `serverAddress` (origin of
 *   `sip.server`, ws→http, wss→https).
 */
export function normalizeCtiConfig(input: unknown, sip: SipBasics): NormalizeResult {
  const defaults = defaultCtiConfig(sip)
  if (input === undefined || input === null) return { ok: true, config: defaults, warnings: [] }
  if (!isRecord(input)) return { ok: false, errors: [{ path: '', message: 'the cti section must be an object' }] }

  const reader = new Reader()
  reader.unknownKeys(input, TOP_KEYS, '')

  const internalPattern = reader.string(input, 'internalPattern', 'internalPattern', defaults.internalPattern)
  try {
    new RegExp(internalPattern)
  } catch (cause) {
    reader.error('internalPattern', `not a valid regular expression: ${String(cause)}`)
  }

  const numbers = input.numbers === undefined ? [] : reader.stringList(input.numbers, 'numbers')
  let targetNumbers: 'all' | string[] = 'all'
  if (input.targetNumbers !== undefined && input.targetNumbers !== 'all') {
    if (typeof input.targetNumbers === 'string') reader.error('targetNumbers', 'must be "all" or a list of numbers')
    else targetNumbers = reader.stringList(input.targetNumbers, 'targetNumbers')
  }

  const extension = reader.string(input, 'extension', 'extension', defaults.extension)
  if (Array.isArray(targetNumbers)) {
    const candidates = new Set([...numbers, extension].map(digitsOf))
    for (const [index, number] of targetNumbers.entries()) {
      if (!candidates.has(digitsOf(number))) reader.warn(`targetNumbers.${index}`, `"${number}" is not among cti.numbers`)
    }
  }

  const tabName = reader.string(input, 'tabName', 'tabName', defaults.tabName)
  // `_self`, `_top`, `_parent` would replace the phone itself; `_blank` opens a new tab per
  // access. Spec §5 wants one named CRM tab, so every `_` keyword is refused.
  if (tabName.trim() === '' || tabName.startsWith('_')) reader.error('tabName', 'must be a tab name not starting with "_"')

  const serverAddress = reader.string(input, 'serverAddress', 'serverAddress', defaults.serverAddress)

  let accessesInput: Record<string, unknown> = {}
  if (input.accesses !== undefined) {
    if (isRecord(input.accesses)) accessesInput = input.accesses
    else reader.error('accesses', 'must be an object')
  }
  reader.unknownKeys(accessesInput, new Set(ACCESS_NAMES), 'accesses.')
  const accesses = Object.fromEntries(
    ACCESS_NAMES.map((name) => [name, readAccess(reader, name, accessesInput[name])]),
  ) as Record<AccessName, AccessConfig>

  const config: CtiConfig = {
    target: reader.oneOf(input, 'target', 'target', ['none', 'custom', 'salesforce'], defaults.target),
    skipInternal: reader.boolean(input, 'skipInternal', 'skipInternal', defaults.skipInternal),
    internalPattern,
    sessionKeepMinutes: reader.number(input, 'sessionKeepMinutes', 'sessionKeepMinutes', defaults.sessionKeepMinutes, 24 * 60),
    pollingMinutes: reader.number(input, 'pollingMinutes', 'pollingMinutes', defaults.pollingMinutes, 24 * 60),
    timeoutSeconds: reader.number(input, 'timeoutSeconds', 'timeoutSeconds', defaults.timeoutSeconds, 3600),
    outgoing: reader.boolean(input, 'outgoing', 'outgoing', defaults.outgoing),
    numbers,
    targetNumbers,
    ...optional('requestIdHeader', reader.headerName(input, 'requestIdHeader', 'requestIdHeader')),
    ...optional('calledHeader', reader.headerName(input, 'calledHeader', 'calledHeader')),
    extension,
    serverAddress: serverAddress.replace(/\/+$/, ''),
    tabName,
    accesses,
  }

  if (config.target === 'salesforce') reader.warn('target', 'Salesforce integration is not available yet; no access runs')
  for (const name of ['auth', 'search'] as const) {
    const format = accesses[name].format
    if (format === undefined) continue
    for (const variable of formatVariables(format)) {
      if (isBuiltinName(variable))
        reader.warn(`accesses.${name}.format`, `{${variable}} is a built-in placeholder; the extracted value is not used by templates`)
    }
  }

  if (reader.errors.length > 0) return { ok: false, errors: reader.errors }
  return { ok: true, config, warnings: reader.warnings }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string }
}
