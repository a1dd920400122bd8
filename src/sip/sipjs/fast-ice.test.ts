import { Web, type Session } from 'sip.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TimerSet } from '../clock'
import { FakeClock } from '../fake-clock'
import { ICE_SETTLE_MS } from '../ice-policy'
import { fastIceFactory, handlerConfiguration, handlerOnSpare } from './fast-ice'

class StubPeerConnection {
  iceGatheringState = 'gathering'
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

describe('fastIceFactory', () => {
  const host = { candidate: { candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host generation 0' } } as RTCPeerConnectionIceEvent
  function handler() {
    vi.stubGlobal('RTCPeerConnection', StubPeerConnection)
    vi.stubGlobal('MediaStream', StubStream)
    const logger = { debug: () => undefined, log: () => undefined, warn: () => undefined, error: () => undefined }
    const session = { userAgent: { getLogger: () => logger } } as unknown as Session
    const clock = new FakeClock()
    const sdh = fastIceFactory(false, new TimerSet(clock))(session, { iceGatheringTimeout: 5000 }) as Web.SessionDescriptionHandler
    const wait = (restart = false) => (sdh as unknown as { waitForIceGatheringComplete(r: boolean, t: number): Promise<void> }).waitForIceGatheringComplete(restart, 5000)
    return { sdh, clock, wait }
  }
  const settledWithin = async (p: Promise<void>, clock: FakeClock, ms: number) => {
    let done = false
    void p.then(() => { done = true })
    clock.advance(ms)
    await Promise.resolve()
    await Promise.resolve()
    return done
  }

  it('ends sip.js\'s wait for ICE gathering a settle window after the first usable candidate', async () => {
    const { sdh, clock, wait } = handler()
    const waiting = wait()
    sdh.peerConnectionDelegate?.onicecandidate?.(host)
    expect(await settledWithin(waiting, clock, ICE_SETTLE_MS)).toBe(true)
  })

  it('a settle window that ended before sip.js began to wait (the offer started early) ends that wait at once', async () => {
    const { sdh, clock, wait } = handler()
    sdh.peerConnectionDelegate?.onicecandidate?.(host)
    clock.advance(ICE_SETTLE_MS)
    expect(await settledWithin(wait(), clock, 0)).toBe(true)
  })

  it('an ICE restart waits for candidates of its own', async () => {
    const { sdh, clock, wait } = handler()
    sdh.peerConnectionDelegate?.onicecandidate?.(host)
    clock.advance(ICE_SETTLE_MS)
    expect(await settledWithin(wait(true), clock, 0)).toBe(false)
  })
})
