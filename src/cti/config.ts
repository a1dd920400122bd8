/**
 * The engine's view of the `cti` section: types, the defaults of docs/cti-integration.md §10, and
 * {@link normalizeCtiConfig}, which derives a complete {@link CtiConfig} from a section that
 * `./schema.ts` has validated (the only validator: nothing here checks input again). Popup
 * settings (`popup.*`) and agent credentials (`agent.*`) live elsewhere; only their types are
 * shared here.
 */

import { formatVariables, type ResponseFormat } from './format-variables'
import { isBuiltinName } from './placeholders'
import type { CtiSection } from './schema'

/**
 * The accesses of docs/cti-integration.md §4 in the order they can occur for one call, then
 * `history` (§8): the call record after the end, and `recording` (§8): the call's recording as
 * `multipart/form-data`, both delivered through the app's outbox.
 */
export const ACCESS_NAMES = ['auth', 'search', 'click', 'ring', 'answer', 'hangup', 'history', 'recording'] as const
export type AccessName = (typeof ACCESS_NAMES)[number]

/** docs/cti-integration.md §5. `none` disables the access. */
export const ACCESS_METHODS = ['none', 'get', 'get-internal', 'post', 'post-internal', 'command'] as const
export type AccessMethod = (typeof ACCESS_METHODS)[number]

/** `fetch` credentials mode for internal methods. */
export type AccessCredentials = 'omit' | 'same-origin' | 'include'

export interface AccessConfig {
  readonly method: AccessMethod
  /** URL template (an OS command line for `command`), placeholders per docs/cti-integration.md §6. */
  readonly url: string
  /** Response format (docs/cti-integration.md §7); read for auth and search with an internal method only. */
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
  /** Recording only: the form field of the file (default `file`). */
  readonly field?: string
  /** Recording only: extra form fields, name → value template (`{ID}` …), sent before the file in this order. */
  readonly fields?: readonly (readonly [string, string])[]
}

export type CtiTarget = 'none' | 'custom' | 'salesforce'

export interface CtiConfig {
  readonly target: CtiTarget
  readonly skipInternal: boolean
  /** JavaScript RegExp source tested against the other party's number (docs/cti-integration.md §1). */
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

/** A valid setting that has no effect (or not the one IT may expect). */
export interface ConfigIssue {
  /** Dotted path below `cti`, e.g. `accesses.search.format`. */
  readonly path: string
  readonly message: string
}

export interface NormalizedCti {
  readonly config: CtiConfig
  readonly warnings: readonly ConfigIssue[]
}

export const DEFAULT_TAB_NAME = 'tsunagu-crm'
export const DEFAULT_INTERNAL_PATTERN = '^\\d{2,6}$'

export function defaultAccessConfig(): AccessConfig {
  return { method: 'none', url: '', delaySeconds: 0, onlyIfAnswered: false, credentials: 'omit' }
}

/**
 * The origin of the SIP WebSocket URL with ws→http and wss→https (docs/cti-integration.md §10
 * `serverAddress`); empty when the URL is not a ws/wss/http/https URL.
 */
export function deriveServerAddress(sipServer: string): string {
  const match = /^(wss?|https?):\/\/([^/?#\s]+)/i.exec(sipServer.trim())
  if (!match) return ''
  const scheme = match[1]!.toLowerCase()
  const http = scheme === 'ws' ? 'http' : scheme === 'wss' ? 'https' : scheme
  return `${http}://${match[2]!}`
}

/** docs/cti-integration.md §10 defaults; `sip` fills `extension` and `serverAddress` (empty without it). */
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

function digitsOf(text: string): string {
  return text.replace(/\D/g, '')
}

/** `null`, `''` (and `'none'` for headers) mean "not set" (in the settings) */
function present(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : value
}

type AccessSection = NonNullable<NonNullable<CtiSection['accesses']>[AccessName]>

function accessOf(name: AccessName, input: AccessSection | undefined, warn: (path: string, message: string) => void): AccessConfig {
  if (input === undefined) return defaultAccessConfig()
  const path = `accesses.${name}`
  const { method, url, delaySeconds, onlyIfAnswered, credentials } = input
  const access: { -readonly [K in keyof AccessConfig]: AccessConfig[K] } = { method, url, delaySeconds, onlyIfAnswered, credentials }
  const charset = present(input.charset)
  if (charset !== undefined) access.charset = charset
  if (input.via === 'helper') access.via = 'helper'
  const format = input.format === '' || input.format === null ? undefined : input.format
  if (format !== undefined) {
    access.format = format as ResponseFormat
    if (name !== 'auth' && name !== 'search') warn(`${path}.format`, 'only auth and search responses are read; ignored')
    else if (method !== 'get-internal' && method !== 'post-internal') warn(`${path}.format`, `a ${method} access has no response to read; ignored`)
  }
  if (input.publicVariables !== undefined) {
    if (name === 'auth') access.publicVariables = [...input.publicVariables]
    else warn(`${path}.publicVariables`, 'only the auth access extracts session values; ignored')
  }
  if (name === 'recording') {
    // Absent = the defaults (`file`, no extra fields), as when the access is not in the settings.
    const field = present(input.field)
    if (field !== undefined) access.field = field
    if (input.fields !== undefined && Object.keys(input.fields).length > 0) access.fields = Object.entries(input.fields)
    if (method !== 'none' && method !== 'post-internal') warn(`${path}.method`, 'uploads need post-internal; not sent')
  } else if (input.field !== undefined || input.fields !== undefined) warn(path, 'field(s): recording only; ignored')
  if (access.via && method !== 'get-internal' && method !== 'post-internal') warn(`${path}.via`, 'only internal methods go through the helper; ignored')
  if (delaySeconds > 0 && name !== 'answer') warn(`${path}.delaySeconds`, 'only the answer access waits; ignored')
  if (onlyIfAnswered && name !== 'hangup') warn(`${path}.onlyIfAnswered`, 'only the hang-up access uses it; ignored')
  return access
}

/**
 * The engine's config from a validated `cti` section (see `checkCtiSection` in `./schema.ts`).
 *
 * - `sip` supplies the defaults of `extension` (`sip.user`) and `serverAddress` (origin of
 *   `sip.server`, ws→http, wss→https); an empty value means "derive" as an absent one does.
 * - Header names `''`, `'none'` and `null` mean "not set".
 * - Settings that are valid but have no effect come back as warnings (unknown keys are the
 *   settings validator's to report).
 */
export function normalizeCtiConfig(section: CtiSection, sip: SipBasics): NormalizedCti {
  const defaults = defaultCtiConfig(sip)
  const warnings: ConfigIssue[] = []
  const warn = (path: string, message: string): void => { warnings.push({ path, message }) }

  const extension = present(section.extension) ?? defaults.extension
  const targetNumbers = section.targetNumbers === 'all' ? 'all' : [...section.targetNumbers]
  if (Array.isArray(targetNumbers)) {
    const candidates = new Set([...section.numbers, extension].map(digitsOf))
    for (const [index, number] of targetNumbers.entries()) {
      if (!candidates.has(digitsOf(number))) warn(`targetNumbers.${index}`, `"${number}" is not among cti.numbers`)
    }
  }
  const accesses = Object.fromEntries(
    ACCESS_NAMES.map((name) => [name, accessOf(name, section.accesses?.[name], warn)]),
  ) as Record<AccessName, AccessConfig>
  const header = (value: string | null | undefined) => (value === 'none' ? undefined : present(value))

  const config: CtiConfig = {
    target: section.target,
    skipInternal: section.skipInternal,
    internalPattern: section.internalPattern,
    sessionKeepMinutes: section.sessionKeepMinutes,
    pollingMinutes: section.pollingMinutes,
    timeoutSeconds: section.timeoutSeconds,
    outgoing: section.outgoing,
    numbers: [...section.numbers],
    targetNumbers,
    ...optional('requestIdHeader', header(section.requestIdHeader)),
    ...optional('calledHeader', header(section.calledHeader)),
    extension,
    serverAddress: (present(section.serverAddress) ?? defaults.serverAddress).replace(/\/+$/, ''),
    tabName: section.tabName,
    accesses,
  }

  if (config.target === 'salesforce') warn('target', 'Salesforce integration is not available yet; no access runs')
  for (const name of ['auth', 'search'] as const) {
    const format = accesses[name].format
    if (format === undefined) continue
    for (const variable of formatVariables(format)) {
      if (isBuiltinName(variable))
        warn(`accesses.${name}.format`, `{${variable}} is a built-in placeholder; the extracted value is not used by templates`)
    }
  }
  return { config, warnings }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string }
}
