/**
 * The one reading of a call (docs/cti-integration.md §2, §3, §6): who is calling whom, whether
 * the number is withheld, the `#` codes, the names, `{ID}`, and whether the call pops up. Made
 * once, when the softphone reports the call, and then used unchanged by the popup, the
 * notification, the call list, the CTI engine and the history. Nothing else reads a caller.
 *
 * ```
 *  softphone CallInfo ──readCall(facts, rules)──► CallReading ──► popup, call card, engine, history
 * ```
 *
 * The rules are the parts of the `cti` settings that say who is who. When the `cti` section is
 * invalid the engine does not run, but calls are still read with the rules that could be read
 * ({@link lenientReadingRules}), so 9999 and untargeted calls never pop up whatever its state.
 */

import { deriveCallParties, type CallFacts, type CallParties } from './call-parties'
import type { CtiConfig } from './config'
import { SYSTEM_NUMBER, isTargeted } from './plan'
import { digitsOnly } from './number-filters'
import type { RandomPort } from './ports'

/** What a call's reading depends on: a few keys of the `cti` section. */
export type ReadingRules = Pick<CtiConfig, 'extension' | 'calledHeader' | 'requestIdHeader' | 'targetNumbers'>

/** Why a call shows no popup (and no notification). */
export type NoPopupReason = 'outgoing' | 'replaces' | 'system-number' | 'untargeted'

export interface CallReading extends CallParties {
  readonly callId: string
  /** The display name the SIP signalling carried ('' when none), kept as it came. */
  readonly sipName: string
  /** `{CALLED}` is one of `cti.targetNumbers` (outgoing calls always are: §2). */
  readonly targeted: boolean
  /** The call pops up (in-page popup, and a notification when the page is not seen). */
  readonly popup: boolean
  readonly noPopup?: NoPopupReason
}

export interface ReadingDeps {
  readonly random: RandomPort
  /** A phonebook: the name stored for a number, if any. Must be synchronous and fast. */
  readonly nameFor?: (number: string) => string | undefined
}

/** Facts of a call that replaces one of ours (an attended transfer to us): never a popup. */
export interface ReadingFacts extends CallFacts {
  readonly replaces?: boolean
}

export function readCall(facts: ReadingFacts, rules: ReadingRules, deps: ReadingDeps): CallReading {
  const parties = deriveCallParties(facts, rules, deps)
  const targeted = parties.direction === 'out' || isTargeted(rules, parties.called)
  const noPopup: NoPopupReason | undefined =
    parties.direction === 'out' ? 'outgoing'
      : facts.replaces ? 'replaces'
        : !parties.anonymous && digitsOnly(parties.tel) === SYSTEM_NUMBER ? 'system-number'
          : !targeted ? 'untargeted'
            : undefined
  return {
    ...parties,
    callId: facts.callId,
    sipName: facts.direction === 'in' ? facts.displayName : (facts.calledDisplayName ?? ''),
    targeted,
    popup: noPopup === undefined,
    ...(noPopup === undefined ? {} : { noPopup }),
  }
}

/** The rules of a valid (normalized) `cti` section. */
export function readingRulesOf(config: ReadingRules): ReadingRules {
  const { extension, calledHeader, requestIdHeader, targetNumbers } = config
  return {
    extension,
    targetNumbers,
    ...(calledHeader === undefined ? {} : { calledHeader }),
    ...(requestIdHeader === undefined ? {} : { requestIdHeader }),
  }
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

/**
 * The rules read key by key from a `cti` section that failed validation, each falling back on
 * its own: a broken access URL must not make untargeted calls pop up. A target list that cannot
 * be read at all targets nothing (no popup): IT's list decides, and the settings problem shows.
 */
export function lenientReadingRules(cti: unknown, sipUser: string): ReadingRules {
  const input = typeof cti === 'object' && cti !== null ? (cti as Record<string, unknown>) : {}
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)
  const header = (value: unknown): string | undefined => {
    const name = text(value)
    return name !== undefined && HEADER_NAME.test(name) ? name : undefined
  }
  const list = input.targetNumbers
  const targetNumbers: ReadingRules['targetNumbers'] =
    list === undefined || list === 'all' ? 'all'
      : Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string')
        : []
  const calledHeader = header(input.calledHeader)
  const requestIdHeader = header(input.requestIdHeader)
  return {
    extension: text(input.extension) ?? sipUser,
    targetNumbers,
    ...(calledHeader === undefined ? {} : { calledHeader }),
    ...(requestIdHeader === undefined ? {} : { requestIdHeader }),
  }
}
