/** Media direction of an SDP, as the other party offered it. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

/**
 * The direction of the first audio section (session-level attribute when the section has
 * none; `sendrecv` when neither says). Used on an incoming re-INVITE: `sendonly` or
 * `inactive` from the other party means it put us on hold (RFC 6337 §5).
 */
export function audioDirection(sdp: string): SdpDirection {
  const lines = sdp.split(/\r\n|\r|\n/)
  const audioStart = lines.findIndex((l) => l.startsWith('m=audio'))
  const sessionLines = lines.slice(0, audioStart === -1 ? lines.length : audioStart)
  const audioLines = audioStart === -1 ? [] : lines.slice(audioStart + 1, nextSection(lines, audioStart))
  return findDirection(audioLines) ?? findDirection(sessionLines) ?? 'sendrecv'
}

/** True when an offer with this direction means "the other party holds the call". */
export function isHoldOffer(sdp: string): boolean {
  const direction = audioDirection(sdp)
  return direction === 'sendonly' || direction === 'inactive'
}

function nextSection(lines: string[], from: number): number {
  const next = lines.findIndex((l, i) => i > from && l.startsWith('m='))
  return next === -1 ? lines.length : next
}

function findDirection(lines: string[]): SdpDirection | undefined {
  for (const line of lines) {
    const match = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line)
    if (match) return match[1] as SdpDirection
  }
  return undefined
}
