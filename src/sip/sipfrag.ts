/**
 * Status code of a `message/sipfrag` body (`SIP/2.0 200 OK`), as carried by the NOTIFYs that
 * report a transfer's progress (RFC 3515 §2.4.5). Undefined when the body is no status line.
 */
export function sipfragStatus(body: string): number | undefined {
  const match = /^\s*SIP\/2\.0\s+(\d{3})\b/.exec(body)
  return match ? Number(match[1]) : undefined
}
