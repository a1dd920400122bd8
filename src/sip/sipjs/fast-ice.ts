import { Web, type SessionDescriptionHandlerFactory } from 'sip.js'
import type { TimerSet } from '../clock'
import { ICE_SETTLE_MS, isSufficientCandidate } from '../ice-policy'

/**
 * sip.js's default session description handler, told to stop waiting for ICE gathering
 * once a sufficient candidate is in (see `isSufficientCandidate`). Keeps the dial-click →
 * INVITE time low without sending an SDP that cannot carry media. The settle timer runs on
 * the softphone's `timers`, so `stop()` cancels it with the others.
 */
export function fastIceFactory(hasIceServers: boolean, timers: TimerSet): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory()
  return (session, options) => {
    const sdh = base(session, options) as Web.SessionDescriptionHandler
    let waiting = false
    sdh.peerConnectionDelegate = {
      onicecandidate: (event: RTCPeerConnectionIceEvent) => {
        const candidate = event.candidate?.candidate
        if (!candidate || waiting || !isSufficientCandidate(candidate, hasIceServers)) return
        waiting = true
        timers.after(ICE_SETTLE_MS, () => {
          waiting = false
          sdh.iceGatheringComplete()
        })
      },
    }
    return sdh
  }
}
