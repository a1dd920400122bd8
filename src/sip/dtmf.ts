/** Characters a DTMF keypad may send (RFC 4733 events 0-15). */
const DTMF = /^[0-9A-D#*]+$/

/** Upper-cases and checks digits; undefined when any character is no DTMF tone. */
export function normalizeDtmf(digits: string): string | undefined {
  const upper = digits.toUpperCase()
  return DTMF.test(upper) ? upper : undefined
}

/** Tone length and gap (ms): long enough for IVRs that sample slowly, short enough to type fast. */
export const DTMF_DURATION_MS = 120
export const DTMF_GAP_MS = 70

/**
 * The body of a SIP INFO carrying one digit, in the de-facto `application/dtmf-relay` format
 * most PBXs (Asterisk, FreeSWITCH, BIZTEL) read.
 */
export function dtmfRelayBody(digit: string): string {
  return `Signal=${digit}\r\nDuration=${DTMF_DURATION_MS}\r\n`
}
