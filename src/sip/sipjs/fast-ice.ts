import { Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js'
import type { TimerSet } from '../clock'
import { ICE_SETTLE_MS, isSufficientCandidate } from '../ice-policy'
import { offerBeforeMicrophone } from './early-offer'

/**
 * sip.js's default session description handler, told to stop waiting for ICE gathering
 * once a sufficient candidate is in (see `isSufficientCandidate`), and to send the first offer
 * of a call we place without waiting for the microphone (`early-offer.ts`). Keeps the
 * dial-click → INVITE time low without sending an SDP that cannot carry media. The settle
 * timer runs on the softphone's `timers`, so `stop()` cancels it with the others.
 * `onMicrophoneFailure` hears of a call whose microphone never came (the call must end).
 */
export function fastIceFactory(
  hasIceServers: boolean,
  timers: TimerSet,
  onMicrophoneFailure: (session: Session, error: unknown) => void = () => undefined,
): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory()
  const media = Web.defaultMediaStreamFactory()
  return (session, options) => {
    const sdh = base(session, options) as Web.SessionDescriptionHandler
    offerBeforeMicrophone(sdh, (constraints) => media(constraints, sdh), (error) => onMicrophoneFailure(session, error))
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
