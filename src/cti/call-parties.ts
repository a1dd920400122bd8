/**
 * Who is who in a call (docs/cti-integration.md §6 `{TEL}` `{CALLED}` `{REMOTE}` `{TELNAME}`
 * `{CALLEDNAME}` `{CODE1}` `{CODE2}` `{ID}`), derived once when the call starts and fixed for all of
 * its accesses.
 */

import { parseCallerId, privacyWithholdsId } from './caller-id'
import type { CtiConfig } from './config'
import type { RandomPort } from './ports'

export type CallDirection = 'in' | 'out'

/** What the softphone knows about a call when it starts ringing or dialling. */
export interface CallFacts {
  /** Stable per call across re-INVITEs and tabs (e.g. the SIP Call-ID). */
  readonly callId: string
  readonly direction: CallDirection
  /** The From user as received, codes included (`0312345678#A1#B2`); ours for outgoing calls. */
  readonly fromUser: string
  /** The From display name ('' when none). */
  readonly displayName: string
  /** The To user: incoming = the number that was called; outgoing = the number dialled. */
  readonly calledUser: string
  /** The To display name, if any. */
  readonly calledDisplayName?: string
  /** Headers of the initial INVITE, names in lowercase (`privacy` says whether the number is withheld). */
  readonly headers: Readonly<Record<string, string>>
  /** The agent's own extension for this call; defaults to `cti.extension`. */
  readonly ownExtension?: string
}

export interface CallParties {
  readonly direction: CallDirection
  /** The calling party: incoming = the caller without codes ('' if anonymous); outgoing = us. */
  readonly tel: string
  readonly code1: string
  readonly code2: string
  readonly anonymous: boolean
  /** The called party: incoming = calledHeader value or To user; outgoing = the number dialled. */
  readonly called: string
  /** The other party's number in either direction. */
  readonly remote: string
  readonly telName: string
  readonly calledName: string
  /** `{ID}`: the requestIdHeader value when present, else 20 random digits. */
  readonly requestId: string
}

/** The user part of `sip:user@host`, `<sips:user@host>;tag=…` or `tel:+81…`; other text as is. */
export function userPart(value: string): string {
  const match = /(?:^|<|\s)(?:sips?|tel):([^@;>?\s]*)/i.exec(value)
  return (match ? match[1]! : value).trim()
}

function header(facts: CallFacts, name: string | undefined): string | undefined {
  if (!name) return undefined
  const value = facts.headers[name.toLowerCase()]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

export function deriveCallParties(
  facts: CallFacts,
  config: Pick<CtiConfig, 'extension' | 'calledHeader' | 'requestIdHeader'>,
  deps: { readonly random: RandomPort; readonly nameFor?: (number: string) => string | undefined },
): CallParties {
  const lookup = (number: string): string | undefined => {
    if (number === '' || !deps.nameFor) return undefined
    try {
      return deps.nameFor(number)
    } catch {
      // A broken phonebook must not stop the call from popping up: fall back to SIP names.
      return undefined
    }
  }
  const requestId = header(facts, config.requestIdHeader) ?? deps.random.digits(20)
  const calledName = (called: string): string => lookup(called) ?? facts.calledDisplayName ?? ''

  if (facts.direction === 'out') {
    const tel = facts.ownExtension ?? config.extension
    const called = facts.calledUser.trim()
    return {
      direction: 'out',
      tel,
      code1: '',
      code2: '',
      anonymous: false,
      called,
      remote: called,
      telName: lookup(tel) ?? facts.displayName,
      calledName: calledName(called),
      requestId,
    }
  }

  const caller = parseCallerId(facts.fromUser, privacyWithholdsId(facts.headers['privacy']))
  const calledHeader = header(facts, config.calledHeader)
  const called = calledHeader === undefined ? facts.calledUser.trim() : userPart(calledHeader)
  return {
    direction: 'in',
    tel: caller.tel,
    code1: caller.code1,
    code2: caller.code2,
    anonymous: caller.anonymous,
    called,
    remote: caller.tel,
    // An anonymous caller's display name is often "Anonymous" or the withheld name: not shown.
    telName: caller.anonymous ? '' : (lookup(caller.tel) ?? facts.displayName),
    calledName: calledName(called),
    requestId,
  }
}
