import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerFactory, SessionDescriptionHandlerOptions } from 'sip.js'
import { audioDirection, type SdpDirection } from '../../sdp-direction'
import type { MediaHandler } from '../call'
import { sdp } from './sip-messages'

/**
 * A session description handler without WebRTC (Node has none): canned SDP whose direction
 * follows sip.js's web handler (hold offers sendonly, or inactive when the other side holds
 * too; answers intersect with the offer), a stand-in remote stream, and the track switches
 * and DTMF sender the adapter uses, recorded for the test.
 */
export class FakeMediaHandler implements SessionDescriptionHandler, MediaHandler {
  /** Direction of the last SDP we produced (offer or answer). */
  localDirection: SdpDirection | undefined
  /** Direction of the last SDP the other side sent. */
  remoteDirection: SdpDirection = 'sendrecv'
  senderTracksEnabled = true
  receiverTracksEnabled = true
  closed = false
  /** Offers we made with `offerOptions.iceRestart` (sip.js's web handler then restarts ICE). */
  iceRestarts = 0
  /** Tones handed to the RTP DTMF sender (RFC 4733), in order. */
  readonly rtpTones: string[] = []
  readonly remoteMediaStream: MediaStream
  readonly localMediaStream: MediaStream
  readonly peerConnection: RTCPeerConnection
  /** As a peer connection's signalingState: who made the offer that waits for its answer. */
  private signaling: 'stable' | 'have-local-offer' | 'have-remote-offer' = 'stable'
  private version = 1

  constructor(readonly id: number, canInsertDTMF: boolean) {
    this.remoteMediaStream = { id: `remote-stream-${id}` } as unknown as MediaStream
    this.localMediaStream = { id: `local-stream-${id}` } as unknown as MediaStream
    const dtmf = {
      canInsertDTMF,
      toneBuffer: '',
      insertDTMF: (tones: string) => {
        this.rtpTones.push(tones.slice(dtmf.toneBuffer.length))
      },
    }
    const sender = { track: { kind: 'audio' }, dtmf }
    this.peerConnection = { getSenders: () => [sender] } as unknown as RTCPeerConnection
  }

  async getDescription(options?: SessionDescriptionHandlerOptions): Promise<BodyAndContentType> {
    // sip.js's web handler reads `hold` from its own options type; the adapter sets it on re-INVITEs.
    const hold = (options as { hold?: boolean } | undefined)?.hold === true
    if ((options as { offerOptions?: RTCOfferOptions } | undefined)?.offerOptions?.iceRestart === true) this.iceRestarts += 1
    const remoteHolds = this.remoteDirection === 'sendonly' || this.remoteDirection === 'inactive'
    let direction: SdpDirection
    if (this.signaling === 'have-remote-offer') {
      this.signaling = 'stable'
      direction = ({
        inactive: 'inactive',
        recvonly: 'sendonly',
        sendonly: hold ? 'inactive' : 'recvonly',
        sendrecv: hold ? 'sendonly' : 'sendrecv',
      } as const)[this.remoteDirection]
    } else {
      this.signaling = 'have-local-offer'
      direction = hold ? (remoteHolds ? 'inactive' : 'sendonly') : remoteHolds ? 'recvonly' : 'sendrecv'
    }
    this.localDirection = direction
    this.version += 1
    return { body: sdp(direction, this.version), contentType: 'application/sdp' }
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp'
  }

  async setDescription(description: string): Promise<void> {
    this.remoteDirection = audioDirection(description)
    // An SDP that arrives while we wait for an answer is that answer; otherwise it is an offer.
    this.signaling = this.signaling === 'have-local-offer' ? 'stable' : 'have-remote-offer'
  }

  async rollbackDescription(): Promise<void> {
    this.signaling = 'stable'
  }

  sendDtmf(): boolean {
    return false
  }

  enableSenderTracks(enable: boolean): void {
    this.senderTracksEnabled = enable
  }

  enableReceiverTracks(enable: boolean): void {
    this.receiverTracksEnabled = enable
  }

  close(): void {
    this.closed = true
  }
}

/** Makes one `FakeMediaHandler` per session and keeps them for the test to inspect. */
export class FakeMediaFactory {
  readonly handlers: FakeMediaHandler[] = []
  /** Whether the other side negotiated telephone-events (RTP DTMF); INFO is used when not. */
  canInsertDTMF = false
  readonly factory: SessionDescriptionHandlerFactory = () => {
    const handler = new FakeMediaHandler(this.handlers.length + 1, this.canInsertDTMF)
    this.handlers.push(handler)
    return handler
  }
}
