/**
 * Runs one access whose run the engine has already decided, and writes its one CTI log entry.
 * What happens here: send the request `prepareAccess` built (`./prepare-access`) through the
 * port of its method (docs/cti-integration.md §5) — tab or form at once, command and HTTP under
 * `withTimeout` (`./timeout`); for auth and search with a format, decode a 2xx body
 * (`./charset`) and read it (`./response-format`); mask every secret form in the entry
 * (`./secrets`). Never throws; every failure is an {@link AccessOutcome} with a reason.
 * Sends each request once: the single retry after a 401/403 (auth again, then this access
 * again with `attempt: 2`) is the engine's (`execute` in `./engine`).
 */

import type { CtiLogEntry, CtiLogger, AccessFailure } from './cti-log'
import { decodeBody } from './charset'
import type { AccessName, CtiConfig } from './config'
import type { CommandResult, CtiPorts, HttpResponse, TabResult, UploadTooLargeError } from './ports'
import { prepareAccess, prepareUpload, type PreparedRequest, type UploadContent } from './prepare-access'
import { parseResponse } from './response-format'
import { createMasker, maskArgv, MASK } from './secrets'
import type { TemplateVariables } from './template'
import { withTimeout } from './timeout'

/**
 * The most of a CRM response the phone reads (1 MiB). A name and a company are a few bytes; a
 * CRM that answers with an error page of megabytes, or a body that never ends, is cut here.
 */
export const MAX_BODY_BYTES = 1024 * 1024

/** C0 controls other than tab, LF and CR, and DEL: a body with them is binary, not a CRM's text. */
const BINARY_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/

export interface RunnerDeps {
  readonly config: CtiConfig
  readonly ports: CtiPorts
  readonly log: CtiLogger
  /** Aborted when the engine is disposed: in-flight requests are abandoned. */
  readonly cancel?: AbortSignal
  /** Sees each HTTP response as received, before any reading (the test console shows it). */
  readonly onResponse?: (response: HttpResponse) => void
}

export interface AccessRequest {
  readonly access: AccessName
  readonly callId?: string
  readonly variables: TemplateVariables
  /**
   * Secrets to mask (the agent password, the auth values in use); literal passwords of the
   * template, and for auth the values it extracts (unless public), are added here.
   */
  readonly secrets: readonly string[]
  /** 2 for the retry after a 401/403. */
  readonly attempt?: number
  /** The recording access: the file it uploads (`multipart/form-data`, see `prepareUpload`). */
  readonly upload?: UploadContent
}

export type AccessOutcome =
  | {
      readonly ok: true
      readonly status?: number
      /** Extracted values (auth and search with a format), else empty. */
      readonly values: Readonly<Record<string, string>>
      /** Format variables that could not be matched. */
      readonly missing: readonly string[]
    }
  | {
      readonly ok: false
      readonly reason: AccessFailure
      readonly status?: number
      /** The unmasked URL of a blocked tab, for the "open it yourself" link. */
      readonly blockedUrl?: string
      /** The same URL with its secrets masked, for the banner's text. */
      readonly blockedLabel?: string
      readonly detail?: string
      /** `upload-too-large`: the body's size and the port's limit, in bytes. */
      readonly size?: { readonly bytes: number; readonly limit: number }
    }

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value
  return undefined
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : 'unknown error'
}

function requestFields(prepared: PreparedRequest, mask: (text: string) => string): Partial<CtiLogEntry> {
  switch (prepared.kind) {
    case 'tab':
      return { url: mask(prepared.url) }
    case 'form':
      return { url: mask(prepared.url), body: mask(prepared.query) }
    case 'http':
      if (prepared.body === undefined) return { url: mask(prepared.url) }
      return { url: mask(prepared.url), body: mask(typeof prepared.body === 'string' ? prepared.body : (prepared.bodyLabel ?? `${prepared.body.length} bytes`)) }
    case 'command':
      return { argv: maskArgv(prepared.argv, mask) }
  }
}

function tabOutcome(result: TabResult): AccessOutcome {
  return result.ok ? { ok: true, values: {}, missing: [] } : { ok: false, reason: 'blocked', blockedUrl: result.url }
}

function commandOutcome(result: CommandResult): AccessOutcome {
  if (result.ok) {
    return result.exitCode === 0
      ? { ok: true, values: {}, missing: [] }
      : { ok: false, reason: 'command-failed', detail: `exit code ${result.exitCode}` }
  }
  const reason: AccessFailure =
    result.reason === 'helper-not-installed' ? 'helper-not-installed' : result.reason === 'not-allowed' ? 'command-not-allowed' : 'command-failed'
  return result.message === undefined ? { ok: false, reason } : { ok: false, reason, detail: result.message }
}

/**
 * Runs one configured access; the caller has already decided that it should run. Resolves,
 * never rejects: even a port or encoder that throws unexpectedly ends as a logged failure.
 */
export async function runAccess(deps: RunnerDeps, request: AccessRequest): Promise<AccessOutcome> {
  try {
    return await runAccessUnguarded(deps, request)
  } catch (error) {
    const access = deps.config.accesses[request.access]
    let time = ''
    try {
      time = deps.ports.clock.now().toISOString()
    } catch {
      // keep the empty time: the entry matters more
    }
    deps.log({
      time,
      ...(request.callId === undefined ? {} : { callId: request.callId }),
      access: request.access,
      method: access.method,
      outcome: 'failed',
      error: 'internal-error',
      detail: createMasker(request.secrets)(describe(error)),
    })
    return { ok: false, reason: 'internal-error', detail: describe(error) }
  }
}

async function runAccessUnguarded(deps: RunnerDeps, request: AccessRequest): Promise<AccessOutcome> {
  const { config, ports } = deps
  const access = config.accesses[request.access]
  const started = ports.clock.now()
  const prepared = request.upload
    ? prepareUpload(access, request.variables, request.upload, ports.random.digits(24), ports.encodeCharset)
    : prepareAccess(access, request.variables, ports.encodeCharset)
  if (!prepared) return { ok: true, values: {}, missing: [] }

  const warnings = [...prepared.warnings]
  const timeoutMs = config.timeoutSeconds * 1000

  let outcome: AccessOutcome
  let parsed = false
  switch (prepared.kind) {
    case 'tab':
    case 'form':
      try {
        outcome = tabOutcome(
          prepared.kind === 'tab' ? ports.openTab(prepared.url, config.tabName) : ports.postForm(prepared.url, prepared.fields, config.tabName),
        )
      } catch (error) {
        outcome = { ok: false, reason: 'blocked', blockedUrl: prepared.url, detail: describe(error) }
      }
      break
    case 'command': {
      const runCommand = ports.runCommand
      if (!runCommand) {
        outcome = { ok: false, reason: 'helper-not-installed' }
        break
      }
      const timed = await withTimeout(ports.clock, timeoutMs, deps.cancel, () => runCommand(prepared.argv, prepared.fromPlaceholder))
      if (timed.kind === 'done') outcome = commandOutcome(timed.value)
      else if (timed.kind === 'error') outcome = { ok: false, reason: 'command-failed', detail: describe(timed.error) }
      else outcome = { ok: false, reason: timed.kind === 'timeout' ? 'timeout' : 'aborted' }
      break
    }
    case 'http': {
      // An upload's bytes go to the helper too (as base64: its messages carry JSON).
      const http = access.via === 'helper' ? ports.helperHttp : ports.http
      if (!http) {
        outcome = { ok: false, reason: 'helper-not-installed' }
        break
      }
      const timed = await withTimeout<HttpResponse>(ports.clock, timeoutMs, deps.cancel, (signal) =>
        http({
          method: prepared.method,
          url: prepared.url,
          credentials: access.credentials,
          signal,
          maxBodyBytes: MAX_BODY_BYTES,
          timeoutMs,
          ...(prepared.body === undefined ? {} : { body: prepared.body }),
          ...(prepared.headers === undefined ? {} : { headers: prepared.headers }),
        }),
      )
      if (timed.kind === 'timeout' || timed.kind === 'aborted') {
        outcome = { ok: false, reason: timed.kind === 'timeout' ? 'timeout' : 'aborted' }
        break
      }
      // Told by its name, as the body limit's (the port that throws it is a lazy chunk of its own).
      if (timed.kind === 'error' && timed.error instanceof Error && timed.error.name === 'UploadTooLargeError') {
        const { bytes, limit } = timed.error as UploadTooLargeError
        outcome = { ok: false, reason: 'upload-too-large', detail: timed.error.message, size: { bytes, limit } }
        break
      }
      if (timed.kind === 'error') {
        const tooLarge = timed.error instanceof Error && timed.error.name === 'BodyTooLargeError'
        outcome = { ok: false, reason: tooLarge ? 'too-large' : 'network', detail: describe(timed.error) }
        break
      }
      const response = timed.value
      deps.onResponse?.(response)
      if (response.status < 200 || response.status > 299) {
        outcome = { ok: false, reason: 'http-error', status: response.status }
        break
      }
      const format = access.format
      if (format === undefined || (request.access !== 'auth' && request.access !== 'search')) {
        outcome = { ok: true, status: response.status, values: {}, missing: [] }
        break
      }
      const decoded = decodeBody(response.body, access.charset, headerValue(response.headers, 'content-type'))
      // Garbage (binary, or bytes the charset does not have) is no answer: no values from it, so
      // the popup keeps the phonebook's name instead of showing noise.
      if (decoded.malformed || BINARY_CONTROL.test(decoded.text)) {
        outcome = { ok: false, reason: 'not-text', status: response.status, detail: `the body is not ${decoded.charset} text` }
        break
      }
      const result = parseResponse(format, decoded.text)
      warnings.push(...decoded.warnings, ...result.problems.map((problem) => `format: ${problem}`))
      parsed = true
      outcome = { ok: true, status: response.status, values: result.values, missing: result.missing }
      break
    }
  }

  // Every value the auth format extracted is a session secret unless IT declared it public.
  const publicNames = new Set(request.access === 'auth' ? (access.publicVariables ?? []) : [])
  const extractedSecrets =
    outcome.ok && request.access === 'auth' ? Object.entries(outcome.values).filter(([name]) => !publicNames.has(name)).map(([, value]) => value) : []
  const mask = createMasker([...request.secrets, ...extractedSecrets], { template: access.url, charset: access.charset, encoder: ports.encodeCharset })
  const loggedValue = (name: string, value: string): string =>
    request.access === 'auth' && !publicNames.has(name) && value !== '' ? MASK : mask(value)
  if (!outcome.ok && outcome.blockedUrl !== undefined) outcome = { ...outcome, blockedLabel: mask(outcome.blockedUrl) }

  const ended = ports.clock.now()
  const entry: CtiLogEntry = {
    time: started.toISOString(),
    ...(request.callId === undefined ? {} : { callId: request.callId }),
    access: request.access,
    method: access.method,
    outcome: outcome.ok ? 'ok' : 'failed',
    ...(request.attempt !== undefined && request.attempt > 1 ? { attempt: request.attempt } : {}),
    ...requestFields(prepared, mask),
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ms: Math.max(0, ended.getTime() - started.getTime()),
    ...(outcome.ok && parsed ? { values: Object.fromEntries(Object.entries(outcome.values).map(([k, v]) => [k, loggedValue(k, v)])) } : {}),
    ...(outcome.ok ? {} : { error: outcome.reason }),
    ...(!outcome.ok && outcome.detail !== undefined ? { detail: mask(outcome.detail) } : {}),
    ...(warnings.length > 0 ? { warnings: warnings.map(mask) } : {}),
  }
  deps.log(entry)
  return outcome
}
