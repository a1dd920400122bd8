import { Web, type Session } from 'sip.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { handlerConfiguration, handlerOnSpare } from './fast-ice'

class StubPeerConnection {
  constructor(readonly configuration?: RTCConfiguration) {}
  close() {}
}
class StubStream {}

afterEach(() => vi.unstubAllGlobals())

describe('the session description handler built on a spare offer', () => {
  it('has exactly the fields sip.js\'s own constructor sets, with the spare\'s connection and stream', () => {
    vi.stubGlobal('RTCPeerConnection', StubPeerConnection)
    vi.stubGlobal('MediaStream', StubStream)
    const logger = { debug: () => undefined }
    const session = { userAgent: { getLogger: () => logger } } as unknown as Session
    const options = { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 500 }
    const media = Web.defaultMediaStreamFactory()
    const theirs = new Web.SessionDescriptionHandler(logger as never, media, handlerConfiguration(options))
    const pc = new StubPeerConnection() as unknown as RTCPeerConnection
    const stream = new StubStream() as unknown as MediaStream
    const ours = handlerOnSpare(session, options, media, { pc, stream, transceiver: {} as RTCRtpTransceiver })
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort())
    expect(ours.peerConnection).toBe(pc)
    expect(ours.localMediaStream).toBe(stream)
    // The handler's configuration is the one sip.js's default factory would give it.
    expect((ours as unknown as { sessionDescriptionHandlerConfiguration: unknown }).sessionDescriptionHandlerConfiguration)
      .toEqual({ iceGatheringTimeout: 500, peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), iceServers: [] } })
    // sip.js's event handlers are on the spare's connection (ICE, tracks, state reach the handler).
    expect(typeof (pc as unknown as { onicecandidate: unknown }).onicecandidate).toBe('function')
    expect(typeof (pc as unknown as { ontrack: unknown }).ontrack).toBe('function')
  })
})
