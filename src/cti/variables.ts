/**
 * The variable map one access is expanded with (docs/cti-integration.md §6): built-in placeholders,
 * then every variable a configured response format extracts. Built-in names win; a name some format
 * extracts is known and empty until extracted; later sources of extracted values (search after
 * auth) win over earlier ones.
 */

import type { CallParties } from './call-parties'
import { recordValues, type CallRecordFacts } from './call-record'
import type { AgentCredentials, CtiConfig } from './config'
import { ALWAYS_KNOWN_EXTRACTED, type BuiltinName } from './placeholders'
import type { ClockPort } from './ports'
import { formatVariables } from './format-variables'

export interface LocalDateParts {
  readonly year: string
  readonly month: string
  readonly day: string
  readonly hour: string
  readonly minute: string
  readonly second: string
}

/** Local calendar fields of `at`, `utcOffsetMinutes` east of UTC, zero-padded (year 4, others 2). */
export function localDateParts(at: Date, utcOffsetMinutes: number): LocalDateParts {
  const local = new Date(at.getTime() + utcOffsetMinutes * 60_000)
  const two = (n: number): string => String(n).padStart(2, '0')
  return {
    year: String(local.getUTCFullYear()).padStart(4, '0'),
    month: two(local.getUTCMonth() + 1),
    day: two(local.getUTCDate()),
    hour: two(local.getUTCHours()),
    minute: two(local.getUTCMinutes()),
    second: two(local.getUTCSeconds()),
  }
}

export interface VariableSources {
  readonly config: Pick<CtiConfig, 'extension' | 'serverAddress'>
  /** Absent outside a call (auth at login): call placeholders are empty then. */
  readonly parties?: CallParties
  readonly agent?: AgentCredentials
  /** The ended call's record: only the history access has one (`{RESULT}` … `{RECORDED}`). */
  readonly record?: CallRecordFacts
  /** When the access runs. */
  readonly now: Date
  readonly utcOffsetMinutes: number
  /** The local offset at another instant (the record's times); default `utcOffsetMinutes`. */
  readonly offsetAt?: (at: number) => number
  /** Names some configured format extracts (known even while empty). */
  readonly knownExtracted: Iterable<string>
  /** Extracted values, earliest source first (auth, then search). */
  readonly extracted: readonly Readonly<Record<string, string>>[]
}

export function builtinValues(sources: Omit<VariableSources, 'knownExtracted' | 'extracted'>): Record<BuiltinName, string> {
  const { parties, agent, config } = sources
  const date = localDateParts(sources.now, sources.utcOffsetMinutes)
  return {
    TEL: parties?.tel ?? '',
    TELNAME: parties?.telName ?? '',
    CALLED: parties?.called ?? '',
    CALLEDNAME: parties?.calledName ?? '',
    REMOTE: parties?.remote ?? '',
    DIRECTION: parties?.direction ?? '',
    ID: parties?.requestId ?? '',
    CODE1: parties?.code1 ?? '',
    CODE2: parties?.code2 ?? '',
    // Salesforce object ID: always empty in custom integration.
    SFID: '',
    'DATE-YYYY': date.year,
    'DATE-MM': date.month,
    'DATE-DD': date.day,
    'DATE-HH': date.hour,
    'DATE-II': date.minute,
    'DATE-SS': date.second,
    AID: agent?.id ?? '',
    APW: agent?.password ?? '',
    EXT: config.extension,
    SVADDR: config.serverAddress,
    // One offset per instant: a call across a DST change keeps each time's own offset.
    ...recordValues(sources.record, sources.offsetAt ?? (() => sources.utcOffsetMinutes)),
  }
}

export function buildVariables(sources: VariableSources): Map<string, string> {
  const variables = new Map<string, string>()
  for (const name of [...ALWAYS_KNOWN_EXTRACTED, ...sources.knownExtracted]) variables.set(name, '')
  for (const values of sources.extracted) for (const [name, value] of Object.entries(values)) variables.set(name, value)
  for (const [name, value] of Object.entries(builtinValues(sources))) variables.set(name, value)
  return variables
}

/** Variables the auth access extracts: only an internal auth has a response to read. */
export function authExtractedNames(config: Pick<CtiConfig, 'accesses'>): string[] {
  const auth = config.accesses.auth
  const internal = auth.method === 'get-internal' || auth.method === 'post-internal'
  return internal && auth.format !== undefined ? formatVariables(auth.format) : []
}

/** Every name a configured format extracts (auth, then search): known, and empty until extracted. */
export function knownExtractedNames(config: Pick<CtiConfig, 'accesses'>): string[] {
  const search = config.accesses.search.format
  return [...authExtractedNames(config), ...(search === undefined ? [] : formatVariables(search))]
}

/**
 * The variables of one access as the engine expands it, now (by `clock`): the engine's calls
 * and the test console both build them here, so "Try it" sends what a real call would.
 * `parties` is absent outside a call (auth at login); `extracted` earliest source first.
 */
export function accessVariables(
  config: Pick<CtiConfig, 'extension' | 'serverAddress' | 'accesses'>,
  clock: Pick<ClockPort, 'now' | 'utcOffsetMinutes'>,
  input: {
    readonly parties?: CallParties
    readonly agent?: AgentCredentials
    readonly record?: CallRecordFacts
    readonly extracted: readonly Readonly<Record<string, string>>[]
  },
): Map<string, string> {
  const now = clock.now()
  const offsetOf = (at: Date) => clock.utcOffsetMinutes?.(at) ?? -at.getTimezoneOffset()
  return buildVariables({
    config,
    ...(input.parties === undefined ? {} : { parties: input.parties }),
    ...(input.agent === undefined ? {} : { agent: input.agent }),
    ...(input.record === undefined ? {} : { record: input.record }),
    now,
    utcOffsetMinutes: offsetOf(now),
    offsetAt: (at) => offsetOf(new Date(at)),
    knownExtracted: knownExtractedNames(config),
    extracted: input.extracted,
  })
}
