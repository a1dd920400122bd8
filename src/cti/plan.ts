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
import type { AccessName, CtiConfig } from './config'
import { digitsOnly } from './number-filters'


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
  /** Show the in-page popup and, when the page is not seen, a notification. */
  readonly showPopup: boolean
  /** Set when no access of this call runs, with the reason. */
  readonly noAccess?: CallSkipReason
  readonly targeted: boolean
  readonly internal: boolean
}

export type AccessDecision = { readonly run: true } | { readonly run: false; readonly reason: SkipReason }

/** Numbers compare by digits only (`03-1234-5678` = `0312345678`); digit-less names as text. */
export function sameNumber(a: string, b: string): boolean {
  const da = digitsOnly(a)
  const db = digitsOnly(b)
  if (da !== '' || db !== '') return da === db
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

export function planCall(config: CtiConfig, parties: CallParties): CallPlan {
  const internal = isInternal(config, parties.remote)
  const integrated = config.target === 'custom'
  if (parties.direction === 'out') {
    const targeted = true // docs/cti-integration.md §2: outgoing calls are not filtered
    if (!integrated) return { showPopup: false, noAccess: 'integration-off', targeted, internal }
    if (!config.outgoing) return { showPopup: false, noAccess: 'outgoing-off', targeted, internal }
    if (internal && config.skipInternal) return { showPopup: false, noAccess: 'internal', targeted, internal }
    return { showPopup: false, targeted, internal }
  }
  const targeted = isTargeted(config, parties.called)
  if (!parties.anonymous && digitsOnly(parties.tel) === SYSTEM_NUMBER)
    return { showPopup: false, noAccess: 'system-number', targeted, internal }
  if (!targeted) return { showPopup: false, noAccess: 'untargeted', targeted, internal }
  if (!integrated) return { showPopup: true, noAccess: 'integration-off', targeted, internal }
  if (internal && config.skipInternal) return { showPopup: true, noAccess: 'internal', targeted, internal }
  return { showPopup: true, targeted, internal }
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
