/**
 * "Try it" for one access with a sample call, on the engine's own path: the sample's facts go
 * through `readCall` (codes, anonymity, headers) as a real call's do, the variables
 * through `accessVariables`, the request through `prepareAccess` and `runAccess` with the real
 * ports — so the test console cannot send anything a real call would not. What it adds is only
 * for display: the response as received, and a masker for every configured secret.
 */

import type { CallFacts, CallParties } from './call-parties'
import { readCall } from './call-reading'
import { decodeBody } from './charset'
import type { AccessName, AgentCredentials, CtiConfig } from './config'
import type { CtiLogEntry } from './cti-log'
import type { CtiPorts, HttpResponse } from './ports'
import { prepareAccess, type PreparedAccess } from './prepare-access'
import { runAccess, type AccessOutcome } from './runner'
import { accessMasker } from './secrets'
import { accessVariables } from './variables'
import type { CallRecordFacts } from './call-record'

/** A call as the softphone would report it, without an ID; plus the `{ID}` it carries. */
export interface SampleCall {
  readonly direction: CallFacts['direction']
  /** Incoming: the From user as received, codes included (`0312345678#A1#B2`); outgoing: the number dialled. */
  readonly remoteUser: string
  readonly displayName: string
  /** Incoming: the number that was called (To user); outgoing: ignored (it is `cti.extension`). */
  readonly calledUser: string
  readonly anonymous: boolean
  /** Sent in `cti.requestIdHeader` when one is configured, else what the random port "drew". */
  readonly requestId: string
}

export function sampleCall(ownNumber: string): SampleCall {
  return { direction: 'in', remoteUser: '0312345678', displayName: '', calledUser: ownNumber, anonymous: false, requestId: '12345678901234567890' }
}

/** The softphone's report of the sample call (what the CTI store gives `engine.callStarted`). */
export function sampleFacts(sample: SampleCall, config: Pick<CtiConfig, 'extension' | 'requestIdHeader'>): CallFacts {
  const headers: Record<string, string> = config.requestIdHeader ? { [config.requestIdHeader.toLowerCase()]: sample.requestId } : {}
  // A withheld number reaches the phone as `Privacy: id` (the reading decides from that).
  if (sample.anonymous && sample.direction === 'in') headers.privacy = 'id'
  return sample.direction === 'in'
    ? { callId: 'try', direction: 'in', fromUser: sample.remoteUser, displayName: sample.displayName, calledUser: sample.calledUser, headers }
    : { callId: 'try', direction: 'out', fromUser: config.extension, displayName: '', calledUser: sample.remoteUser, headers }
}

export interface TryInput {
  readonly config: CtiConfig
  readonly access: AccessName
  readonly sample: SampleCall
  readonly agent: AgentCredentials
  /** Values earlier accesses extracted (e.g. `{SID}` from auth), as the engine would have them. */
  readonly extracted: Readonly<Record<string, string>>
  /** More secrets to mask on screen (the SIP password): never sent anywhere. */
  readonly secrets?: readonly string[]
}

export interface TryPreview {
  /** Absent for auth: the engine runs it at login, outside any call. */
  readonly parties?: CallParties
  readonly variables: ReadonlyMap<string, string>
  /** Undefined for method `none`. */
  readonly prepared?: PreparedAccess
  readonly mask: (text: string) => string
}

/** The sample's ID is what the engine's random port would have drawn for it. */
function samplePorts(ports: CtiPorts, sample: SampleCall): CtiPorts {
  return { ...ports, random: { digits: (count) => sample.requestId.slice(0, count) } }
}

function variablesOf(input: TryInput, ports: CtiPorts): { parties?: CallParties; variables: Map<string, string> } {
  const { config, agent } = input
  if (input.access === 'auth') return { variables: accessVariables(config, ports.clock, { agent, extracted: [] }) }
  const parties = readCall(sampleFacts(input.sample, config), config, samplePorts(ports, input.sample))
  const record = input.access === 'history' ? sampleRecord(ports.clock.now().getTime()) : undefined
  return { parties, variables: accessVariables(config, ports.clock, { parties, agent, ...(record ? { record } : {}), extracted: [input.extracted] }) }
}

/** The history access's sample: an answered call of 65 s that ended now. */
export function sampleRecord(now: number): CallRecordFacts {
  const endedAt = Math.floor(now / 1000) * 1000
  return { result: 'answered', startedAt: endedAt - 80_000, answeredAt: endedAt - 65_000, endedAt, durationSeconds: 65, recorded: false }
}

/** The request the access would send for the sample call now, and a masker for showing it. */
export function previewTry(input: TryInput, ports: CtiPorts): TryPreview {
  const access = input.config.accesses[input.access]
  const { parties, variables } = variablesOf(input, ports)
  const prepared = prepareAccess(access, variables, ports.encodeCharset)
  const mask = accessMasker(access, [input.agent.password, ...(input.secrets ?? [])], ports.encodeCharset)
  return { ...(parties === undefined ? {} : { parties }), variables, ...(prepared === undefined ? {} : { prepared }), mask }
}

export interface TryResult {
  readonly outcome: AccessOutcome
  /** The CTI log entry of the try, secrets masked, as the CTI log would show a real access. */
  readonly entry?: CtiLogEntry
  /** The HTTP response as received (internal methods), its body decoded as the engine decodes it. */
  readonly response?: { readonly status: number; readonly contentType: string; readonly body: string }
}

/** Runs the access once for the sample call through the engine's runner and the given ports. */
export async function runTry(input: TryInput, ports: CtiPorts): Promise<TryResult> {
  const access = input.config.accesses[input.access]
  const { variables } = variablesOf(input, ports)
  let entry: CtiLogEntry | undefined
  let received: HttpResponse | undefined
  const outcome = await runAccess(
    { config: input.config, ports: samplePorts(ports, input.sample), log: (logged) => { entry = logged }, onResponse: (response) => { received = response } },
    { access: input.access, variables, secrets: [input.agent.password, ...(input.secrets ?? [])] },
  )
  if (!received) return { outcome, ...(entry === undefined ? {} : { entry }) }
  const contentType = Object.entries(received.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? ''
  const body = decodeBody(received.body, access.charset, contentType).text
  return { outcome, ...(entry === undefined ? {} : { entry }), response: { status: received.status, contentType, body } }
}
