/**
 * The first offer of a call we place goes out without waiting for the microphone.
 *
 * sip.js's web handler builds an offer in order: getUserMedia → add the track → create the
 * offer → gather ICE → send. Measured on the dial path here (Chromium 156, fake devices),
 * getUserMedia was the largest and least steady step (a few ms to over 60 ms, seconds when the
 * browser asks the agent). The offer does not need the track: an audio transceiver that will
 * send (sendrecv) yields the same m-line. So for the initial offer we add that transceiver, ask
 * for the microphone at the same time, and put its track on the transceiver's sender when it
 * arrives (`replaceTrack`: no renegotiation). Mute and hold set before the track arrives still
 * apply to it. If the microphone cannot be had, `onFailure` ends the call.
 *
 * Only the initial offer: an answer to a remote offer (incoming calls, re-INVITEs) and any later
 * offer take sip.js's own path, because a transceiver added before a remote offer would not be
 * matched to its m-line.
 *
 * With a `spare` (`spare-offer.ts`: a peer connection whose offer is made and ICE gathered in
 * advance, already the handler's), the initial offer is that offer, returned at once. An initial
 * offer the spare cannot be (held, an ICE restart, video) gets a fresh peer connection instead,
 * as sip.js would have made it (`replacePeerConnection`).
 */
import type { SessionDescriptionHandler, SessionDescriptionHandlerOptions } from 'sip.js/lib/platform/web'
import type { SpareOffer } from './spare-offer'

/** sip.js's media stream factory signature (getUserMedia in the browser). */
export type MicrophoneSource = (constraints: MediaStreamConstraints) => Promise<MediaStream>

/** What this wrapper touches of sip.js's web handler (a fake in the unit tests). */
export type EarlyOfferHandler = Pick<SessionDescriptionHandler, 'getDescription' | 'enableSenderTracks' | 'peerConnection' | 'localMediaStream'>

/** The two protected steps of sip.js's getDescription (0.21.2) that `offerNow` does ahead of it. */
interface OfferSteps {
  createLocalOfferOrAnswer(options?: SessionDescriptionHandlerOptions): Promise<RTCSessionDescriptionInit>
  setLocalSessionDescription(description: RTCSessionDescriptionInit): Promise<void>
}

export function offerBeforeMicrophone(
  sdh: EarlyOfferHandler,
  microphone: MicrophoneSource,
  onFailure: (error: unknown) => void,
  spare?: SpareOffer & { replacePeerConnection(): void },
): void {
  const getDescription = sdh.getDescription.bind(sdh)
  const enableSenderTracks = sdh.enableSenderTracks.bind(sdh)
  /** What mute/hold last asked of the sender tracks, for a track that arrives later. */
  let sending = true
  let spareLeft = spare
  sdh.enableSenderTracks = (enable: boolean) => {
    sending = enable
    enableSenderTracks(enable)
  }
  sdh.getDescription = (options?: SessionDescriptionHandlerOptions, modifiers?) => {
    const constraints: MediaStreamConstraints = { ...options?.constraints }
    if (constraints.audio === undefined) constraints.audio = true
    const fromSpare = spareLeft
    spareLeft = undefined
    if (fromSpare) {
      const fits = !constraints.video && !options?.hold && !options?.offerOptions?.iceRestart && !modifiers?.length
      const sdp = fromSpare.pc.localDescription?.sdp
      if (fits && sdp) {
        microphoneLater(fromSpare.pc, fromSpare.transceiver, constraints)
        return Promise.resolve({ body: sdp, contentType: 'application/sdp' })
      }
      fromSpare.replacePeerConnection()
    }
    const pc = sdh.peerConnection
    const initialOffer = pc && pc.signalingState === 'stable' && !pc.remoteDescription && pc.getSenders().length === 0
    if (!initialOffer || constraints.video) return getDescription(options, modifiers)
    const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv', streams: [sdh.localMediaStream] })
    microphoneLater(pc, transceiver, constraints)
    if (!modifiers?.length && !options?.hold && !options?.offerOptions?.iceRestart && !options?.dataChannel) offerNow(pc, options?.offerOptions)
    return getDescription(options, modifiers)
  }

  /**
   * Starts createOffer and setLocalDescription (and so ICE gathering) in this task, before the
   * page renders the new call: sip.js's own chain reaches these steps only after several
   * microtask hops, behind that render (measured: 8 ms of it before createOffer). Its steps then
   * find the work done. Only without modifiers, hold, ICE restart or a data channel, where
   * sip.js's chain would offer exactly this (updateDirection leaves a sendrecv transceiver as it is).
   */
  function offerNow(pc: RTCPeerConnection, offerOptions: RTCOfferOptions | undefined): void {
    const steps = sdh as unknown as OfferSteps
    const create = steps.createLocalOfferOrAnswer
    const setLocal = steps.setLocalSessionDescription
    const offered = pc.createOffer(offerOptions)
    const applied = offered.then((offer) => pc.setLocalDescription(offer))
    // A failure reaches sip.js through its own chain (below); not an unhandled rejection meanwhile.
    applied.catch(() => undefined)
    steps.createLocalOfferOrAnswer = () => {
      steps.createLocalOfferOrAnswer = create
      return offered
    }
    steps.setLocalSessionDescription = () => {
      steps.setLocalSessionDescription = setLocal
      return applied
    }
  }

  /** Asks for the microphone now; its track goes on `transceiver`'s sender when it arrives. */
  function microphoneLater(pc: RTCPeerConnection, transceiver: RTCRtpTransceiver, constraints: MediaStreamConstraints): void {
    // sip.js's handler asks for a stream only when the constraints changed: these are the ones
    // we are fetching, so its own getLocalMediaStream step resolves at once.
    ;(sdh as unknown as { localMediaStreamConstraints?: MediaStreamConstraints }).localMediaStreamConstraints = constraints
    microphone(constraints).then(async (stream) => {
      const [track, ...others] = stream.getAudioTracks()
      for (const other of [...others, ...stream.getVideoTracks()]) other.stop()
      if (!track) throw new Error('the microphone gave no audio track')
      if (pc.connectionState === 'closed' || pc.signalingState === 'closed') {
        track.stop()
        return
      }
      track.enabled = sending
      await transceiver.sender.replaceTrack(track)
      sdh.localMediaStream.addTrack(track)
      // As sip.js's own setLocalMediaStream announces a track it adds to the local stream.
      if (typeof MediaStreamTrackEvent === 'function') sdh.localMediaStream.dispatchEvent(new MediaStreamTrackEvent('addtrack', { track }))
    }).catch(onFailure)
  }
}
