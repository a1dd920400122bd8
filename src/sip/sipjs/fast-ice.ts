import { Web, type SessionDescriptionHandlerFactory } from 'sip.js'
import { ICE_SETTLE_MS, isSufficientCandidate } from '../ice-policy'

/**
 * sip.js's default session description handler, told to stop waiting for ICE gathering
 * once a sufficient candidate is in (see `isSufficientCandidate`). Keeps the dial-click →
 * INVITE time low without sending an SDP that cannot carry media.
 */
export function fastIceFactory(hasIceServers: boolean): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory()
  return (session, options) => {
    const sdh = base(session, options) as Web.SessionDescriptionHandler
    let timer: ReturnType<typeof setTimeout> | undefined
    sdh.peerConnectionDelegate = {
      onicecandidate: (event: RTCPeerConnectionIceEvent) => {
        const candidate = event.candidate?.candidate
        if (!candidate || timer || !isSufficientCandidate(candidate, hasIceServers)) return
        timer = setTimeout(() => {
          timer = undefined
          sdh.iceGatheringComplete()
        }, ICE_SETTLE_MS)
      },
    }
    return sdh
  }
}
