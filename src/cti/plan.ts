/**
 * The plan of a call (docs/cti-integration.md §1, §2, §4, §9): whether it pops up and which accesses
 * run at each event. Pure rules, no effects; the engine asks before every access.
 *
 * ```
 *  incoming  ─ TEL 9999 ────────────────────────────▶ no popup, no access ("system-number")
 *            ─ CALLED not in targetNumbers ─────────▶ no popup, no access ("untargeted")
 *            ─ target ≠ custom ─────────────────────▶ popup, no access ("integration-off")
 *            ─ skipInternal and REMOTE internal ────▶ popup, no access ("internal")
 *            ─ otherwise ───────────────────────────▶ popup, accesses
 *  outgoing  ─ never a popup; no access unless target = custom and cti.outgoing,
 *              and not internal with skipInternal
 *  per access: method none → "not-configured"; anonymous → search and ring skipped;
 *              hang-up with onlyIfAnswered on an unanswered call → "not-answered"
 * ```
 */

import type { CallParties } from './call-parties'
import type { CallReading } from './call-reading'
import type { AccessName, CtiConfig } from './config'
import { normalizeNumber } from '../phonebook/normalize'

/** Why an access does not run. */
export type SkipReason =
  | 'not-configured'
  | 'integration-off'
  | 'outgoing-off'
  | 'system-number'
  | 'untargeted'
  | 'internal'
  | 'anonymous'
  | 'not-answered'
  | 'ended-during-wait'
  | 'disposed'

/** Call-level reasons: no access of the call runs. */
export type CallSkipReason = Extract<SkipReason, 'integration-off' | 'outgoing-off' | 'system-number' | 'untargeted' | 'internal'>

export interface CallPlan {
  /** Set when no access of this call runs, with the reason. */
  readonly noAccess?: CallSkipReason
  readonly targeted: boolean
  readonly internal: boolean
}

export type AccessDecision = { readonly run: true } | { readonly run: false; readonly reason: SkipReason }

/**
 * Numbers compare as phone numbers, by the same keys the phonebooks use
 * (`src/phonebook/normalize.ts`): national = E.164 (`03-1234-5678` = `0312345678` =
 * `+81312345678`), extensions by their digits; digit-less names as text.
 */
export function sameNumber(a: string, b: string): boolean {
  const ka = normalizeNumber(a) ?? ''
  const kb = normalizeNumber(b) ?? ''
  if (ka !== '' || kb !== '') return ka === kb
  return a.trim().toLowerCase() === b.trim().toLowerCase() && a.trim() !== ''
}

/** docs/cti-integration.md §2: `"all"`, or `{CALLED}` is one of the listed numbers. */
export function isTargeted(config: Pick<CtiConfig, 'targetNumbers'>, called: string): boolean {
  if (config.targetNumbers === 'all') return true
  return config.targetNumbers.some((number) => sameNumber(number, called))
}

/** docs/cti-integration.md §1: the other party's number (without `#` codes) matches `internalPattern`. */
export function isInternal(config: Pick<CtiConfig, 'internalPattern'>, remote: string): boolean {
  if (remote === '') return false
  try {
    return new RegExp(config.internalPattern).test(remote)
  } catch {
    // normalizeCtiConfig refuses invalid patterns; a hand-built config gets "external".
    return false
  }
}

export const SYSTEM_NUMBER = '9999'

/**
 * Which accesses of a call may run. Who is who, whether the call is targeted and whether it is
 * from 9999 come from the call's reading (`readCall`): this plan never reads the caller again.
 */
export function planCall(config: CtiConfig, call: CallReading): CallPlan {
  const internal = isInternal(config, call.remote)
  const integrated = config.target === 'custom'
  const targeted = call.targeted
  if (call.direction === 'out') {
    if (!integrated) return { noAccess: 'integration-off', targeted, internal }
    if (!config.outgoing) return { noAccess: 'outgoing-off', targeted, internal }
    if (internal && config.skipInternal) return { noAccess: 'internal', targeted, internal }
    return { targeted, internal }
  }
  if (call.noPopup === 'system-number') return { noAccess: 'system-number', targeted, internal }
  if (!targeted) return { noAccess: 'untargeted', targeted, internal }
  if (!integrated) return { noAccess: 'integration-off', targeted, internal }
  if (internal && config.skipInternal) return { noAccess: 'internal', targeted, internal }
  return { targeted, internal }
}

/** Whether one access runs for this call now; `answered` matters for the hang-up only. */
export function decideAccess(
  config: CtiConfig,
  plan: CallPlan,
  parties: CallParties,
  access: AccessName,
  answered: boolean,
): AccessDecision {
  if (config.accesses[access].method === 'none') return { run: false, reason: 'not-configured' }
  if (plan.noAccess) return { run: false, reason: plan.noAccess }
  if (parties.anonymous && (access === 'search' || access === 'ring')) return { run: false, reason: 'anonymous' }
  if (access === 'hangup' && config.accesses.hangup.onlyIfAnswered && !answered) return { run: false, reason: 'not-answered' }
  return { run: true }
}
