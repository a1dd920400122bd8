/**
 * The test console's logic (spec §8, "a test console that dry-runs every access for a sample
 * call"): the variables of a sample call, the access prepared exactly as the engine would, and —
 * for internal methods, on request — the request sent for real with the response format applied.
 * Every configured secret is masked in what it returns for display. Failures are values.
 */
import {
  BUILTIN_NAMES,
  parseResponse,
  prepareAccess,
  type AccessConfig,
  type AgentCredentials,
  type CtiConfig,
  type HttpPort,
  type PreparedAccess,
} from '@/cti'
// Not part of the engine's public index, but the console must decode and mask exactly as it does.
import { decodeBody } from '@/cti/charset'
import { createMasker } from '@/cti/secrets'

export interface SampleCall {
  TEL: string
  TELNAME: string
  CALLED: string
  CALLEDNAME: string
  CODE1: string
  CODE2: string
  ID: string
  DIRECTION: 'in' | 'out'
}

export function sampleCall(ownNumber: string): SampleCall {
  return { TEL: '0312345678', TELNAME: '', CALLED: ownNumber, CALLEDNAME: '', CODE1: '', CODE2: '', ID: '12345678901234567890', DIRECTION: 'in' }
}

const two = (n: number) => String(n).padStart(2, '0')

/** The variable map of spec §6 for the sample call; built-in names win over extracted ones. */
export function sampleVariables(
  sample: SampleCall,
  config: Pick<CtiConfig, 'extension' | 'serverAddress'>,
  agent: AgentCredentials,
  extracted: Readonly<Record<string, string>>,
  now: Date,
): Map<string, string> {
  const variables = new Map<string, string>(Object.entries(extracted))
  const builtin: Record<(typeof BUILTIN_NAMES)[number], string> = {
    ...sample,
    REMOTE: sample.DIRECTION === 'in' ? sample.TEL : sample.CALLED,
    SFID: '',
    'DATE-YYYY': String(now.getFullYear()).padStart(4, '0'),
    'DATE-MM': two(now.getMonth() + 1),
    'DATE-DD': two(now.getDate()),
    'DATE-HH': two(now.getHours()),
    'DATE-II': two(now.getMinutes()),
    'DATE-SS': two(now.getSeconds()),
    AID: agent.id,
    APW: agent.password,
    EXT: config.extension,
    SVADDR: config.serverAddress,
  }
  for (const [name, value] of Object.entries(builtin)) variables.set(name, value)
  return variables
}

/**
 * Masks the passwords (agent, SIP, literal ones in the template) in every form they can take,
 * as whole values like the engine. Unlike the CTI log, the console leaves other values of
 * secret-looking keys (`sid=`) in clear: it is IT's dry run, and shows the session values the
 * auth it ran extracted.
 */
export function secretMasker(access: AccessConfig, secrets: readonly string[]): (text: string) => string {
  return createMasker(secrets, { template: access.url, charset: access.charset, keys: false })
}

export function prepareSample(access: AccessConfig, variables: ReadonlyMap<string, string>): PreparedAccess | undefined {
  return prepareAccess(access, variables)
}

export type TryResult =
  | {
      ok: true
      status: number
      ms: number
      contentType: string
      body: string
      /** Undefined when the access has no format, or the status was not 2xx (spec §7 rule 2). */
      values?: Record<string, string>
      missing: string[]
      problems: string[]
    }
  | { ok: false; reason: 'timeout' | 'network' | 'helper-not-installed'; detail?: string; ms: number }

/** Sends a prepared internal request once, as the engine would (no retry, no fallback). */
export async function sendSample(
  http: HttpPort | undefined,
  prepared: Extract<PreparedAccess, { kind: 'http' }>,
  access: AccessConfig,
  timeoutSeconds: number,
  readFormat: boolean,
  clock: { now(): number } = Date,
): Promise<TryResult> {
  const started = clock.now()
  if (!http) return { ok: false, reason: 'helper-not-installed', ms: 0 }
  const controller = new AbortController()
  const timer = timeoutSeconds > 0 ? setTimeout(() => controller.abort(), timeoutSeconds * 1000) : undefined
  try {
    const response = await http({
      method: prepared.method,
      url: prepared.url,
      credentials: access.credentials,
      signal: controller.signal,
      ...(prepared.body === undefined ? {} : { body: prepared.body }),
      ...(prepared.headers === undefined ? {} : { headers: prepared.headers }),
    })
    const contentType = response.headers['content-type'] ?? ''
    const decoded = decodeBody(response.body, access.charset, contentType)
    const ms = clock.now() - started
    const base = { ok: true as const, status: response.status, ms, contentType, body: decoded.text, missing: [], problems: [...decoded.warnings] }
    if (!readFormat || access.format === undefined || response.status < 200 || response.status > 299) return base
    const parsed = parseResponse(access.format, decoded.text)
    return { ...base, values: { ...parsed.values }, missing: [...parsed.missing], problems: [...base.problems, ...parsed.problems] }
  } catch (error) {
    const ms = clock.now() - started
    if (controller.signal.aborted) return { ok: false, reason: 'timeout', ms }
    return { ok: false, reason: 'network', detail: error instanceof Error ? error.message : String(error), ms }
  } finally {
    clearTimeout(timer)
  }
}
