/**
 * A leg answered to an initial offer that is `sendonly` or `inactive` (the other party takes a
 * held call back after a reload, issue 12) sends nothing once the hold ends: sip.js adds our
 * microphone with `addTrack` before it applies the offer, and JSEP (RFC 8829 §5.10) associates
 * such a transceiver only with a `sendrecv` or `recvonly` m= section, so the browser makes a new
 * transceiver, without our track, for the offered one. This moves the track onto the
 * negotiated transceiver (the next re-INVITE, e.g. the other side resuming, then sends it) and
 * drops the one that was never negotiated.
 */

type Transceiver = Pick<RTCRtpTransceiver, 'mid' | 'currentDirection' | 'stop'> & {
  readonly sender: Pick<RTCRtpSender, 'track' | 'replaceTrack'>
  readonly receiver: { readonly track: Pick<MediaStreamTrack, 'kind'> }
}

/** True when a track was moved. Never throws: a leg it cannot fix goes on as it is. */
export async function adoptUnsentTrack(pc: { getTransceivers?(): Transceiver[] } | undefined): Promise<boolean> {
  const transceivers = pc?.getTransceivers?.() ?? []
  const unsent = transceivers.find((t) => t.mid === null && t.sender.track?.kind === 'audio')
  const bare = transceivers.find((t) => t.mid !== null && t.currentDirection !== 'stopped' && !t.sender.track && t.receiver.track.kind === 'audio')
  const track = unsent?.sender.track
  if (!unsent || !bare || !track) return false
  try {
    await bare.sender.replaceTrack(track as MediaStreamTrack)
    await unsent.sender.replaceTrack(null)
    unsent.stop()
    return true
  } catch {
    return false
  }
}
