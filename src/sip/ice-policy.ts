/**
 * When is an SDP offer or answer good enough to send without waiting for ICE gathering to
 * finish? Chromium hands out UDP host candidates within a few milliseconds but keeps
 * gathering (TCP host candidates, ~120 ms later) before it reports "complete"; with
 * STUN/TURN servers "complete" can take seconds. Without trickle ICE (most PBXs), the
 * INVITE carries whatever was gathered, so we send it once a candidate that can actually
 * carry the media is in, after a short settle window for its siblings (IPv4/IPv6).
 *
 * - no ICE servers configured: the first UDP host candidate is enough;
 * - ICE servers configured: wait for a UDP server-reflexive or relay candidate (NAT);
 * - either way the overall `iceGatheringTimeoutMs` still caps the wait.
 */
export function isSufficientCandidate(candidate: string, hasIceServers: boolean): boolean {
  const fields = candidate.replace(/^a=/, '').split(' ')
  const protocol = fields[2]?.toLowerCase()
  const type = fields[fields.indexOf('typ') + 1]
  if (protocol !== 'udp' || !type) return false
  return hasIceServers ? type === 'srflx' || type === 'relay' : type === 'host'
}

/** Milliseconds to wait after the first sufficient candidate for its siblings. */
export const ICE_SETTLE_MS = 10
