import { describe, expect, it, vi } from 'vitest'
import { offerBeforeMicrophone, type EarlyOfferHandler } from './early-offer'

/** A stand-in for sip.js's web handler and its peer connection: enough to see what goes where. */
function fakeHandler(state: { remoteDescription?: object; senders?: number } = {}) {
  const sender = { track: null as null | FakeTrack, replaceTrack: vi.fn(async (t: FakeTrack) => { sender.track = t }) }
  const transceivers: { direction: string; sender: typeof sender }[] = []
  const pc = {
    signalingState: 'stable',
    connectionState: 'new',
    remoteDescription: state.remoteDescription ?? null,
    getSenders: () => (state.senders ? [sender] : transceivers.map((t) => t.sender)),
    createOffer: vi.fn(async () => ({ type: 'offer', sdp: 'v=0 offer' })),
    setLocalDescription: vi.fn(async () => undefined),
    addTransceiver: vi.fn((kind: string, init: { direction: string }) => {
      const t = { kind, direction: init.direction, sender }
      transceivers.push(t)
      return t
    }),
  }
  const local: FakeTrack[] = []
  const sdh = {
    peerConnection: pc,
    localMediaStream: { addTrack: (t: FakeTrack) => local.push(t), dispatchEvent: () => true },
    getDescription: vi.fn(async () => ({ body: 'v=0 offer', contentType: 'application/sdp' })),
    enableSenderTracks: vi.fn(),
    // sip.js's own steps of getDescription (protected there), to tell whether they were replaced.
    createLocalOfferOrAnswer: vi.fn(async (_options?: unknown) => ({ type: 'offer', sdp: 'v=0 sip.js' })),
    setLocalSessionDescription: vi.fn(async (_description?: unknown) => undefined),
  }
  return { sdh: sdh as unknown as EarlyOfferHandler & typeof sdh, pc, sender, local }
}

interface FakeTrack { kind: string; enabled: boolean; stop: () => void }
const track = (): FakeTrack => ({ kind: 'audio', enabled: true, stop: vi.fn() })
const streamOf = (...tracks: FakeTrack[]) => ({ getAudioTracks: () => tracks, getVideoTracks: () => [] }) as unknown as MediaStream

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('offerBeforeMicrophone', () => {
  it('builds the first offer with a sending audio transceiver while the microphone is still being asked for', async () => {
    const { sdh, pc, sender, local } = fakeHandler()
    const mic = deferred<MediaStream>()
    const getDescription = sdh.getDescription
    offerBeforeMicrophone(sdh, () => mic.promise, () => undefined)
    const offer = await sdh.getDescription({ constraints: { audio: true } })
    expect(offer.body).toBe('v=0 offer')
    expect(getDescription).toHaveBeenCalledOnce()
    expect(pc.addTransceiver).toHaveBeenCalledWith('audio', expect.objectContaining({ direction: 'sendrecv' }))
    expect(sender.track).toBeNull()
    // sip.js's own step sees these constraints as already fetched and asks for no second stream.
    expect((sdh as unknown as { localMediaStreamConstraints: unknown }).localMediaStreamConstraints).toEqual({ audio: true })
    const mine = track()
    mic.resolve(streamOf(mine))
    await vi.waitFor(() => expect(sender.track).toBe(mine))
    expect(local).toEqual([mine])
  })

  it('starts createOffer and setLocalDescription in the getDescription call itself; sip.js\'s own steps then find them done, once', async () => {
    const { sdh, pc } = fakeHandler()
    const ownCreate = sdh.createLocalOfferOrAnswer
    const ownSet = sdh.setLocalSessionDescription
    offerBeforeMicrophone(sdh, () => new Promise(() => undefined), () => undefined)
    void sdh.getDescription({ constraints: { audio: true } })
    // Synchronously: before the page's render of the new call can run in a microtask.
    expect(pc.createOffer).toHaveBeenCalledOnce()
    const offer = await sdh.createLocalOfferOrAnswer()
    expect(offer).toEqual({ type: 'offer', sdp: 'v=0 offer' })
    await sdh.setLocalSessionDescription(offer)
    expect(pc.setLocalDescription).toHaveBeenCalledExactlyOnceWith({ type: 'offer', sdp: 'v=0 offer' })
    expect(ownCreate).not.toHaveBeenCalled()
    expect(ownSet).not.toHaveBeenCalled()
    // Any later offer or answer (a re-INVITE) takes sip.js's own steps again.
    await sdh.createLocalOfferOrAnswer()
    await sdh.setLocalSessionDescription(offer)
    expect(ownCreate).toHaveBeenCalledOnce()
    expect(ownSet).toHaveBeenCalledOnce()
    expect(pc.createOffer).toHaveBeenCalledOnce()
  })

  it('leaves the offer to sip.js\'s chain when it is on hold, restarts ICE or has modifiers', () => {
    for (const [options, modifiers] of [
      [{ constraints: { audio: true }, hold: true }, undefined],
      [{ constraints: { audio: true }, offerOptions: { iceRestart: true } }, undefined],
      [{ constraints: { audio: true } }, [async (d: RTCSessionDescriptionInit) => d]],
    ] as const) {
      const { sdh, pc } = fakeHandler()
      offerBeforeMicrophone(sdh, () => new Promise(() => undefined), () => undefined)
      void sdh.getDescription(options as never, modifiers as never)
      expect(pc.createOffer).not.toHaveBeenCalled()
    }
  })

  it('a failed early createOffer reaches sip.js through its own step, not as an unhandled rejection', async () => {
    const { sdh, pc } = fakeHandler()
    pc.createOffer.mockRejectedValueOnce(new Error('InvalidStateError'))
    offerBeforeMicrophone(sdh, () => new Promise(() => undefined), () => undefined)
    void sdh.getDescription({ constraints: { audio: true } })
    await expect(sdh.createLocalOfferOrAnswer()).rejects.toThrow('InvalidStateError')
    await expect(sdh.setLocalSessionDescription({})).rejects.toThrow('InvalidStateError')
  })

  it('a mute or hold asked before the track arrived applies to it', async () => {
    const { sdh, sender } = fakeHandler()
    const mic = deferred<MediaStream>()
    offerBeforeMicrophone(sdh, () => mic.promise, () => undefined)
    await sdh.getDescription({ constraints: { audio: true } })
    sdh.enableSenderTracks(false)
    mic.resolve(streamOf(track()))
    await vi.waitFor(() => expect(sender.track?.enabled).toBe(false))
  })

  it('reports a microphone that fails (the call must end), after the offer went out', async () => {
    const { sdh } = fakeHandler()
    const failed = vi.fn()
    offerBeforeMicrophone(sdh, () => Promise.reject(new Error('NotAllowedError')), failed)
    await expect(sdh.getDescription({ constraints: { audio: true } })).resolves.toBeDefined()
    await vi.waitFor(() => expect(failed).toHaveBeenCalledWith(expect.objectContaining({ message: 'NotAllowedError' })))
  })

  it('a stream without an audio track is a failure too', async () => {
    const { sdh } = fakeHandler()
    const failed = vi.fn()
    offerBeforeMicrophone(sdh, async () => streamOf(), failed)
    await sdh.getDescription({ constraints: { audio: true } })
    await vi.waitFor(() => expect(failed).toHaveBeenCalledOnce())
  })

  it('answers to a remote offer and later offers take sip.js\'s own path', async () => {
    for (const state of [{ remoteDescription: { type: 'offer' } }, { senders: 1 }]) {
      const { sdh, pc } = fakeHandler(state)
      const mic = vi.fn()
      offerBeforeMicrophone(sdh, mic, () => undefined)
      await sdh.getDescription({ constraints: { audio: true } })
      expect(pc.addTransceiver).not.toHaveBeenCalled()
      expect(mic).not.toHaveBeenCalled()
    }
  })

  it('a call closed before the microphone answered stops the late track', async () => {
    const { sdh, pc, sender } = fakeHandler()
    const mic = deferred<MediaStream>()
    offerBeforeMicrophone(sdh, () => mic.promise, () => undefined)
    await sdh.getDescription({ constraints: { audio: true } })
    pc.signalingState = 'closed'
    const late = track()
    mic.resolve(streamOf(late))
    await vi.waitFor(() => expect(late.stop).toHaveBeenCalled())
    expect(sender.track).toBeNull()
  })
})

describe('offerBeforeMicrophone with a spare offer', () => {
  function spareOf(sdp = 'v=0 spare offer') {
    const sender = { track: null as null | FakeTrack, replaceTrack: vi.fn(async (t: FakeTrack) => { sender.track = t }) }
    const pc = { signalingState: 'have-local-offer', connectionState: 'new', localDescription: { type: 'offer', sdp } }
    return { pc, sender, transceiver: { sender }, stream: {}, replacePeerConnection: vi.fn() }
  }

  it('the first offer is the spare\'s, at once, without sip.js\'s own offer steps; the microphone goes on its sender', async () => {
    const { sdh } = fakeHandler()
    const spare = spareOf()
    const mic = deferred<MediaStream>()
    offerBeforeMicrophone(sdh, () => mic.promise, () => undefined, spare as never)
    const offer = await sdh.getDescription({ constraints: { audio: true } })
    expect(offer).toEqual({ body: 'v=0 spare offer', contentType: 'application/sdp' })
    expect(sdh.getDescription).not.toBe(undefined)
    expect(spare.replacePeerConnection).not.toHaveBeenCalled()
    const mine = track()
    mic.resolve(streamOf(mine))
    await vi.waitFor(() => expect(spare.sender.track).toBe(mine))
  })

  it('a first offer the spare cannot be (held) gets a fresh peer connection and sip.js\'s own path', async () => {
    const { sdh, pc } = fakeHandler()
    const spare = spareOf()
    const original = sdh.getDescription
    offerBeforeMicrophone(sdh, () => new Promise(() => undefined), () => undefined, spare as never)
    const offer = await sdh.getDescription({ constraints: { audio: true }, hold: true })
    expect(spare.replacePeerConnection).toHaveBeenCalledOnce()
    expect(original).toHaveBeenCalledOnce()
    expect(offer.body).toBe('v=0 offer')
    expect(pc.addTransceiver).toHaveBeenCalledOnce()
  })

  it('only the first offer: a later one (re-INVITE) takes sip.js\'s path', async () => {
    const { sdh } = fakeHandler({ remoteDescription: { type: 'answer' } })
    const spare = spareOf()
    const original = sdh.getDescription
    offerBeforeMicrophone(sdh, () => new Promise(() => undefined), () => undefined, spare as never)
    await sdh.getDescription({ constraints: { audio: true } })
    await sdh.getDescription({ constraints: { audio: true }, hold: true })
    expect(original).toHaveBeenCalledOnce()
  })
})
