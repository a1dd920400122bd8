import { Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js'
import type { TimerSet } from '../clock'
import { ICE_SETTLE_MS, isSufficientCandidate } from '../ice-policy'
import { offerBeforeMicrophone } from './early-offer'
import type { SpareOffer } from './spare-offer'

/** Hands a session the spare offer when it is a call we place (`spare-offer.ts`). */
export type SpareSource = (session: Session) => SpareOffer | undefined

/**
 * sip.js's default session description handler, told to stop waiting for ICE gathering
 * once a sufficient candidate is in (see `isSufficientCandidate`), and to send the first offer
 * of a call we place without waiting for the microphone (`early-offer.ts`), from the spare offer
 * made in advance when there is one (`spares`). Keeps the dial-click → INVITE time low without
 * sending an SDP that cannot carry media. The settle timer runs on the softphone's `timers`, so
 * `stop()` cancels it with the others. `onMicrophoneFailure` hears of a call whose microphone
 * never came (the call must end).
 */
export function fastIceFactory(
  hasIceServers: boolean,
  timers: TimerSet,
  onMicrophoneFailure: (session: Session, error: unknown) => void = () => undefined,
  spares: SpareSource = () => undefined,
): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory()
  const media = Web.defaultMediaStreamFactory()
  return (session, options) => {
    const spare = spares(session)
    const sdh = spare ? handlerOnSpare(session, options, media, spare) : base(session, options) as Web.SessionDescriptionHandler
    offerBeforeMicrophone(sdh, (constraints) => media(constraints, sdh), (error) => onMicrophoneFailure(session, error), spare && {
      ...spare,
      replacePeerConnection: () => replacePeerConnection(sdh),
    })
    let waiting = false
    // The settle window ended before sip.js began to wait (the offer was started ahead of its
    // chain, `early-offer.ts`): its wait must not then last until gathering really completes.
    let settled = false
    const gathering = sdh as unknown as GatheringWait
    const waitForGathering = gathering.waitForIceGatheringComplete.bind(sdh)
    gathering.waitForIceGatheringComplete = (restart = false, timeout = 0) => {
      if (settled && !restart) return Promise.resolve()
      settled = false
      return waitForGathering(restart, timeout)
    }
    sdh.peerConnectionDelegate = {
      onicecandidate: (event: RTCPeerConnectionIceEvent) => {
        const candidate = event.candidate?.candidate
        if (!candidate || waiting || !isSufficientCandidate(candidate, hasIceServers)) return
        waiting = true
        timers.after(ICE_SETTLE_MS, () => {
          waiting = false
          settled = true
          sdh.iceGatheringComplete()
        })
      },
    }
    return sdh
  }
}

/** sip.js's protected wait for ICE gathering (0.21.2), which `fastIceFactory` lets end at the settle. */
interface GatheringWait {
  waitForIceGatheringComplete(restart?: boolean, timeout?: number): Promise<void>
}

/** The fields sip.js's SessionDescriptionHandler constructor sets (0.21.2); `handlerOnSpare` sets the same. */
interface HandlerFields {
  logger: unknown
  mediaStreamFactory: Web.MediaStreamFactory
  sessionDescriptionHandlerConfiguration: Web.SessionDescriptionHandlerConfiguration
  _localMediaStream: MediaStream
  _remoteMediaStream: MediaStream
  _peerConnection: RTCPeerConnection | undefined
  initPeerConnectionEventHandlers(): void
}

/** The configuration sip.js's default factory gives a handler (its own defaults, then ours). */
export function handlerConfiguration(options: Web.SessionDescriptionHandlerFactoryOptions | undefined): Web.SessionDescriptionHandlerConfiguration {
  return {
    iceGatheringTimeout: options?.iceGatheringTimeout ?? 5000,
    peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), ...options?.peerConnectionConfiguration },
  }
}

/**
 * sip.js's handler, built as its constructor builds one but on the spare's peer connection and
 * stream instead of a new one (the constructor would open a second connection only to close it).
 * A unit test compares its fields with a handler sip.js built, so an update of sip.js that changes
 * the constructor fails there.
 */
export function handlerOnSpare(
  session: Session,
  options: Web.SessionDescriptionHandlerFactoryOptions | undefined,
  mediaStreamFactory: Web.MediaStreamFactory,
  spare: SpareOffer,
): Web.SessionDescriptionHandler {
  const sdh = Object.create(Web.SessionDescriptionHandler.prototype) as Web.SessionDescriptionHandler
  const fields = sdh as unknown as HandlerFields
  fields.logger = session.userAgent.getLogger('sip.SessionDescriptionHandler')
  fields.mediaStreamFactory = mediaStreamFactory
  fields.sessionDescriptionHandlerConfiguration = handlerConfiguration(options)
  fields._localMediaStream = spare.stream
  fields._remoteMediaStream = new MediaStream()
  fields._peerConnection = spare.pc
  fields.initPeerConnectionEventHandlers()
  return sdh
}

/** The spare did not fit the call's first offer: a new peer connection, as sip.js's constructor makes it. */
function replacePeerConnection(sdh: Web.SessionDescriptionHandler): void {
  const fields = sdh as unknown as HandlerFields
  fields._peerConnection?.close()
  fields._peerConnection = new RTCPeerConnection(fields.sessionDescriptionHandlerConfiguration.peerConnectionConfiguration)
  fields.initPeerConnectionEventHandlers()
}
