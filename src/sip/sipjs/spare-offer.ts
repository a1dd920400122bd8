/**
 * A call we place starts from an offer made in advance.
 *
 * The dial path's cost after `early-offer.ts` was the WebRTC work itself: a new
 * RTCPeerConnection, createOffer, setLocalDescription and ICE gathering, 30–60 ms here (2-core
 * machine, Chromium 156) and the least steady part of dial click → INVITE. None of it depends on
 * the number dialled, so while the agent is at the dial pad (`want`: focus, a key typed) we keep
 * one peer connection ready: an audio transceiver (sendrecv, no track yet), its offer set as local
 * description, ICE gathered as far as a call's own offer would wait (`gathered`). The next dial takes it and the INVITE carries that offer at once; the
 * microphone's track goes on the transceiver's sender when it arrives, as in `early-offer.ts`. A
 * new spare is made a moment after one is taken (calls placed one after another), and the spare is
 * renewed when the network may have changed (`renew()`: the line's wake-ups), so its candidates
 * are those of the current network.
 *
 * Only on demand, and for `SPARE_WANTED_MS` after the last sign of it: an idle peer connection
 * with gathered candidates sends nothing, but measured here it keeps Chromium's WebRTC network
 * thread at 0.48 % of a core (the idle budget is 0.2 %), so an agent who only takes calls never
 * pays for it.
 */
import type { TimerSet } from '../clock'
import { ICE_SETTLE_MS, isSufficientCandidate } from '../ice-policy'

/** A peer connection with its local offer set and ICE gathered, waiting for a call. */
export interface SpareOffer {
  readonly pc: RTCPeerConnection
  /** The stream the offer's `a=msid` names: the session description handler's local stream. */
  readonly stream: MediaStream
  readonly transceiver: RTCRtpTransceiver
}

export interface SpareOfferOptions {
  /** `new RTCPeerConnection(configuration)` in the browser; a fake in the unit tests. */
  createPeerConnection(): RTCPeerConnection
  createStream(): MediaStream
  timers: TimerSet
  now(): number
  /** The longest wait for ICE gathering to complete (the line's iceGatheringTimeoutMs). */
  gatheringTimeoutMs: number
  /** Whether STUN/TURN servers are configured: which candidate is enough (`isSufficientCandidate`). */
  hasIceServers: boolean
}

/** A spare older than this is replaced (its host candidates may be of an earlier network). */
export const SPARE_MAX_AGE_MS = 10 * 60_000
/**
 * A new spare is made this long after one was taken: after the INVITE left and the call's
 * microphone started, ready for a next dial well within a second (a consultation call, a
 * redial); at once when the agent is still at the pad (`want`).
 */
export const SPARE_AFTER_TAKE_MS = 250
/**
 * The longest a dial waits for the spare being made (`whenPrepared`): about what a peer
 * connection of the call's own takes here, so waiting never costs more than not waiting would.
 */
export const SPARE_WAIT_MS = 150
/** A spare is kept this long after the agent was last at the dial pad (`want`), then closed. */
export const SPARE_WANTED_MS = 30_000

export class SpareOffers {
  private ready: SpareOffer | undefined
  private readyAt = 0
  private preparing: RTCPeerConnection | undefined
  private cancelRenewal: (() => void) | undefined
  private cancelNext: (() => void) | undefined
  private cancelExpiry: (() => void) | undefined
  /** Until when a spare is wanted (`want`); none is made or kept after it. */
  private wantedUntil = 0
  private stopped = false
  /** `whenPrepared` callers, told when the spare being made is ready or gone. */
  private readonly waiters = new Set<() => void>()
  /** Ends the ICE wait of the spare being made (`gathered`). */
  private endGathering: (() => void) | undefined

  constructor(private readonly options: SpareOfferOptions) {}

  /**
   * The agent is at the dial pad: a spare is made if there is none, and kept (a taken one
   * replaced) until `forMs` after the last call of this.
   */
  want(forMs = SPARE_WANTED_MS): void {
    if (this.stopped) return
    this.wantedUntil = Math.max(this.wantedUntil, this.options.now() + forMs)
    if (!this.cancelExpiry) this.expireAt(this.wantedUntil)
    // Also right after a take (the pad clears its number as the call starts, a `want` too): a
    // spare made only SPARE_AFTER_TAKE_MS later was not ready for quick redials (bench: dial
    // series p95 68.5 ms against 2.4 ms).
    this.prepare()
  }

  /** Whether a spare is wanted now (`want`). */
  get wanted(): boolean {
    return !this.stopped && this.options.now() < this.wantedUntil
  }

  /** Makes a spare if one is wanted and there is none (the line is up). */
  prepare(): void {
    if (!this.wanted || this.ready || this.preparing) return
    this.cancelNext?.()
    this.cancelNext = undefined
    let pc: RTCPeerConnection
    try {
      pc = this.options.createPeerConnection()
    } catch (error) {
      console.warn('no spare offer', error)
      return
    }
    this.preparing = pc
    const stream = this.options.createStream()
    const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv', streams: [stream] })
    void (async () => {
      try {
        await pc.setLocalDescription(await pc.createOffer())
        await this.gathered(pc)
      } catch (error) {
        if (this.preparing === pc) console.warn('no spare offer', error)
        this.drop(pc)
        return
      }
      if (this.preparing !== pc) return
      this.preparing = undefined
      this.ready = { pc, stream, transceiver }
      this.readyAt = this.options.now()
      this.cancelRenewal = this.options.timers.after(SPARE_MAX_AGE_MS, () => this.renew())
      this.settled()
    })()
  }

  /**
   * Resolves when the spare being made is ready or gone, at once when none is being made, at the
   * latest after `maxMs`. A dial that comes while one is being made (the agent clicked call just
   * after the pad got the focus; a click-to-dial just allowed) waits for it: it started earlier, so
   * it is ready before a peer connection of the call's own would be, and two being made at once
   * slow each other (measured here: 80–120 ms for the call's own next to a spare, 40–70 ms alone).
   */
  whenPrepared(maxMs: number): Promise<void> {
    if (!this.preparing) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done)
        cancel()
        resolve()
      }
      const cancel = this.options.timers.after(maxMs, done)
      this.waiters.add(done)
    })
  }

  /** The ready spare for a call we place, or undefined (none yet: the call makes its own offer). */
  take(): SpareOffer | undefined {
    const spare = this.ready
    if (!spare || spare.pc.signalingState !== 'have-local-offer' || !spare.pc.localDescription) return undefined
    this.ready = undefined
    this.cancelRenewal?.()
    this.cancelRenewal = undefined
    this.cancelNext?.()
    this.cancelNext = this.options.timers.after(SPARE_AFTER_TAKE_MS, () => {
      this.cancelNext = undefined
      this.prepare()
    })
    return spare
  }

  /**
   * Throws the spare away and makes a new one (it is old, or the network may have changed); with
   * `keepYoungerMs`, a spare made less than that long ago is kept (a wake-up that changed nothing).
   */
  renew(keepYoungerMs = 0): void {
    if (!this.wanted) return
    if (this.ready && this.options.now() - this.readyAt < keepYoungerMs) return
    this.discard()
    this.prepare()
  }

  /** No spare any more (the line stops). */
  stop(): void {
    this.stopped = true
    this.discard()
    this.cancelNext?.()
    this.cancelNext = undefined
    this.cancelExpiry?.()
    this.cancelExpiry = undefined
  }

  /** At `at`, the spare goes unless `want` was called again meanwhile (then: at the new end). */
  private expireAt(at: number): void {
    this.cancelExpiry = this.options.timers.after(Math.max(0, at - this.options.now()), () => {
      this.cancelExpiry = undefined
      if (this.options.now() < this.wantedUntil) {
        this.expireAt(this.wantedUntil)
        return
      }
      this.discard()
      this.cancelNext?.()
      this.cancelNext = undefined
    })
  }

  private discard(): void {
    this.cancelRenewal?.()
    this.cancelRenewal = undefined
    if (this.ready) this.ready.pc.close()
    this.ready = undefined
    if (this.preparing) this.drop(this.preparing)
  }

  private drop(pc: RTCPeerConnection): void {
    if (this.preparing === pc) {
      this.preparing = undefined
      this.endGathering?.()
      this.settled()
    }
    pc.close()
  }

  /** The spare being made is ready or gone: its `whenPrepared` callers go on. */
  private settled(): void {
    for (const waiter of [...this.waiters]) waiter()
  }

  /**
   * The offer is as good as a call's own (`fast-ice.ts`): ICE_SETTLE_MS after the first candidate
   * that can carry the media, or gathering complete, or the line's gathering timeout. Not "complete"
   * alone: Chromium's TCP host candidates come ~100 ms after the UDP ones (measured here), and a
   * dial in that window found no spare and made a second peer connection next to this one.
   * Candidates gathered after that are in `localDescription` when the spare is taken.
   */
  private gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve()
    return new Promise((resolve) => {
      let settle: (() => void) | undefined
      const done = () => {
        if (this.endGathering === done) this.endGathering = undefined
        pc.removeEventListener('icegatheringstatechange', check)
        pc.removeEventListener('icecandidate', candidate)
        cancel()
        settle?.()
        resolve()
      }
      const check = () => {
        if (pc.iceGatheringState === 'complete') done()
      }
      const candidate = (event: Event) => {
        const line = (event as RTCPeerConnectionIceEvent).candidate?.candidate
        if (settle || !line || !isSufficientCandidate(line, this.options.hasIceServers)) return
        settle = this.options.timers.after(ICE_SETTLE_MS, done)
      }
      const cancel = this.options.timers.after(this.options.gatheringTimeoutMs, done)
      pc.addEventListener('icegatheringstatechange', check)
      pc.addEventListener('icecandidate', candidate)
      // Dropped meanwhile (stop, renew): the wait ends now, its timers with it.
      this.endGathering = done
    })
  }
}
