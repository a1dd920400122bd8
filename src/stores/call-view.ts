import type { Call } from './calls'

/**
 * What the screens show of a call, derived from its one reading and the CRM's answer: the
 * popup, the notification and the call card use these, so they cannot disagree.
 */

/** The other party's number without `#` codes, or the anonymous label when withheld. */
export function shownNumber(call: Call, anonymousLabel: string): string {
  return call.reading.anonymous ? anonymousLabel : call.reading.remote
}

/** The other party's name from the phonebook or SIP (`{TELNAME}`/`{CALLEDNAME}`); '' when withheld. */
export function partyName(call: Call): string {
  return call.reading.direction === 'in' ? call.reading.telName : call.reading.calledName
}

/** The name the CRM found, else the phonebook/SIP name. */
export function shownName(call: Call): string {
  return call.crm.values.NAME || partyName(call)
}
