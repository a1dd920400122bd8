import { describe, expect, it, vi } from 'vitest'
import { TimerSet } from '../clock'
import { FakeClock } from '../fake-clock'
import { ICE_SETTLE_MS } from '../ice-policy'
import { SPARE_AFTER_TAKE_MS, SPARE_MAX_AGE_MS, SPARE_WANTED_MS, SpareOffers } from './spare-offer'

/** A peer connection stand-in: offer and local description at once, gathering completes on `gather()`. */
class FakePeerConnection extends EventTarget {
  signalingState = 'stable'
  iceGatheringState = 'new'
  localDescription: { type: string; sdp: string } | null = null
  closed = false
  readonly transceivers: { kind: string; direction: string }[] = []
  addTransceiver(kind: string, init: { direction: string }) {
    const t = { kind, direction: init.direction, sender: {} }
    this.transceivers.push(t)
    return t
  }
  async createOffer() {
    return { type: 'offer', sdp: `v=0 offer ${this.transceivers.length}` }
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d
    this.signalingState = 'have-local-offer'
    this.iceGatheringState = 'gathering'
  }
  /** One candidate line (`a=candidate:` without the `a=`), as Chromium reports it. */
  candidate(candidate: string) {
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate } }))
  }
  gather() {
    this.iceGatheringState = 'complete'
    this.dispatchEvent(new Event('icegatheringstatechange'))
  }
  close() {
    this.closed = true
    this.signalingState = 'closed'
  }
}

function setup(hasIceServers = false) {
  const clock = new FakeClock()
  const timers = new TimerSet(clock)
  const made: FakePeerConnection[] = []
  const spares = new SpareOffers({
    createPeerConnection: () => {
      const pc = new FakePeerConnection()
      made.push(pc)
      return pc as unknown as RTCPeerConnection
    },
    createStream: () => ({}) as MediaStream,
    timers,
    now: () => clock.now(),
    gatheringTimeoutMs: 500,
    hasIceServers,
  })
  return { clock, timers, made, spares }
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** `setup()` with one spare wanted and ready (its gathering complete). */
async function withReadySpare() {
  const world = setup()
  world.spares.want()
  await flush()
  world.made[0]!.gather()
  await flush()
  return world
}

describe('the spare offer of the next call we place', () => {
  it('is ready once its offer is set and ICE gathering completed: one sendrecv audio transceiver', async () => {
    const { made, spares } = setup()
    spares.want()
    spares.want()
    expect(made).toHaveLength(1)
    await flush()
    expect(spares.take()).toBeUndefined()
    made[0]!.gather()
    await flush()
    const spare = spares.take()
    expect(spare?.pc).toBe(made[0])
    expect(made[0]!.transceivers).toEqual([{ kind: 'audio', direction: 'sendrecv', sender: {} }])
    expect(made[0]!.localDescription?.sdp).toBe('v=0 offer 1')
    // Taken once: the next dial makes its own offer until the next spare is ready.
    expect(spares.take()).toBeUndefined()
  })

  it('is made only when wanted (the agent at the dial pad), and closed SPARE_WANTED_MS after the last sign of it', async () => {
    const { clock, timers, made, spares } = setup()
    spares.prepare()
    spares.renew()
    expect(made).toHaveLength(0)
    spares.want()
    await flush()
    made[0]!.gather()
    await flush()
    clock.advance(SPARE_WANTED_MS - 1000)
    // Another key typed: kept for as long again from now.
    spares.want()
    expect(made).toHaveLength(1)
    clock.advance(SPARE_WANTED_MS - 1)
    expect(made[0]!.closed).toBe(false)
    clock.advance(1)
    expect(made[0]!.closed).toBe(true)
    expect(spares.take()).toBeUndefined()
    // Nothing is made again, nothing left waiting: an agent who only takes calls pays nothing.
    spares.renew()
    expect(made).toHaveLength(1)
    expect(timers.pendingDelays).toEqual([])
  })

  it('a spare taken after the wish lapsed is not replaced', async () => {
    const { clock, made, spares } = setup()
    spares.want(1000)
    await flush()
    made[0]!.gather()
    await flush()
    clock.advance(999)
    expect(spares.take()?.pc).toBe(made[0])
    clock.advance(SPARE_AFTER_TAKE_MS)
    expect(made).toHaveLength(1)
  })

  it('is ready ICE_SETTLE_MS after the first UDP host candidate, as a call\'s own offer would be sent (no ICE servers)', async () => {
    const { clock, made, spares } = setup()
    spares.want()
    await flush()
    made[0]!.candidate('candidate:1 1 tcp 1518280447 192.168.1.2 9 typ host tcptype active')
    clock.advance(100)
    await flush()
    expect(spares.take()).toBeUndefined()
    made[0]!.candidate('candidate:2 1 udp 2122260223 192.168.1.2 50000 typ host')
    clock.advance(ICE_SETTLE_MS - 1)
    await flush()
    expect(spares.take()).toBeUndefined()
    clock.advance(1)
    await flush()
    expect(spares.take()?.pc).toBe(made[0])
  })

  it('with ICE servers, a host candidate is not enough: a server-reflexive one is', async () => {
    const { clock, made, spares } = setup(true)
    spares.want()
    await flush()
    made[0]!.candidate('candidate:2 1 udp 2122260223 192.168.1.2 50000 typ host')
    clock.advance(ICE_SETTLE_MS)
    await flush()
    expect(spares.take()).toBeUndefined()
    made[0]!.candidate('candidate:3 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 192.168.1.2 rport 50000')
    clock.advance(ICE_SETTLE_MS)
    await flush()
    expect(spares.take()?.pc).toBe(made[0])
  })

  it('whenPrepared: at once with none being made; when the one being made is ready or gone; at the latest after maxMs', async () => {
    const { clock, made, spares, timers } = setup()
    const told: string[] = []
    await spares.whenPrepared(100)
    spares.want()
    void spares.whenPrepared(100).then(() => told.push('ready'))
    await flush()
    made[0]!.gather()
    await flush()
    expect(told).toEqual(['ready'])
    expect(spares.take()?.pc).toBe(made[0])

    clock.advance(SPARE_AFTER_TAKE_MS)
    void spares.whenPrepared(100).then(() => told.push('late'))
    clock.advance(99)
    await flush()
    expect(told).toEqual(['ready'])
    clock.advance(1)
    await flush()
    expect(told).toEqual(['ready', 'late'])

    void spares.whenPrepared(100).then(() => told.push('stopped'))
    spares.stop()
    await flush()
    expect(told).toEqual(['ready', 'late', 'stopped'])
    expect(timers.size).toBe(0)
  })

  it('gathering that never completes is cut at the line\'s timeout', async () => {
    const { clock, made, spares } = setup()
    spares.want()
    await flush()
    clock.advance(500)
    await flush()
    expect(spares.take()?.pc).toBe(made[0])
  })

  it('a new spare follows a moment after one is taken, not during the call\'s set-up', async () => {
    const { clock, made, spares } = setup()
    spares.want()
    await flush()
    made[0]!.gather()
    await flush()
    spares.take()
    clock.advance(SPARE_AFTER_TAKE_MS - 1)
    expect(made).toHaveLength(1)
    clock.advance(1)
    expect(made).toHaveLength(2)
  })

  it('the agent still at the pad after a dial (it cleared its number) gets the next spare at once', async () => {
    const { clock, made, spares } = await withReadySpare()
    spares.take()
    spares.want()
    expect(made).toHaveLength(2)
    clock.advance(SPARE_AFTER_TAKE_MS)
    expect(made).toHaveLength(2)
  })

  it('an old spare is replaced; renew() replaces it at once unless it is younger than asked', async () => {
    const { clock, made, spares } = setup()
    spares.want(2 * SPARE_MAX_AGE_MS)
    await flush()
    made[0]!.gather()
    await flush()
    clock.advance(SPARE_MAX_AGE_MS)
    expect(made[0]!.closed).toBe(true)
    expect(made).toHaveLength(2)
    await flush()
    made[1]!.gather()
    await flush()
    spares.renew(60_000)
    expect(made).toHaveLength(2)
    spares.renew()
    expect(made[1]!.closed).toBe(true)
    expect(made).toHaveLength(3)
  })

  it('stop() closes the spare and the one being made, and leaves no timer', async () => {
    const { timers, made, spares } = setup()
    spares.want()
    await flush()
    made[0]!.gather()
    await flush()
    spares.renew()
    spares.stop()
    expect(made.every((pc) => pc.closed)).toBe(true)
    expect(timers.pendingDelays).toEqual([])
    spares.want()
    expect(made).toHaveLength(2)
  })

  it('a failing peer connection leaves no spare, only a warning', async () => {
    const { spares } = setup()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const broken = new SpareOffers({
      createPeerConnection: () => { throw new Error('no WebRTC') },
      createStream: () => ({}) as MediaStream,
      timers: new TimerSet(new FakeClock()),
      now: () => 0,
      gatheringTimeoutMs: 500,
      hasIceServers: false,
    })
    broken.want()
    expect(broken.take()).toBeUndefined()
    expect(warn).toHaveBeenCalled()
    warn.mockRestore()
    void spares
  })
})
