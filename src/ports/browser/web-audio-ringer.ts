import type { Ringer } from '../ports'

/** Chromium 110+ can route an AudioContext to a chosen speaker. */
type SinkAudioContext = AudioContext & { setSinkId?: (id: string) => Promise<void> }

/**
 * A synthesized Japanese-style ring (16 Hz-modulated 400 Hz, 1 s on / 2 s off), so the
 * phone rings without shipping an audio file. Browsers keep an AudioContext suspended until
 * a user gesture; `unlock()` is wired to the first click anywhere in the app.
 *
 * The context is created at start-up (suspended until that click) so the app can tell the
 * agent *before* the first call that the ringtone cannot play yet.
 */
export class WebAudioRinger implements Ringer {
  private readonly ctx: SinkAudioContext | undefined
  private readonly listeners = new Set<(unlocked: boolean) => void>()
  private timer: ReturnType<typeof setInterval> | undefined
  private nodes: AudioNode[] = []

  constructor() {
    this.ctx = typeof AudioContext === 'undefined' ? undefined : new AudioContext()
    this.ctx?.addEventListener('statechange', () => {
      for (const listener of this.listeners) listener(this.unlocked)
    })
  }

  get unlocked(): boolean {
    return this.ctx?.state === 'running'
  }

  async unlock(): Promise<boolean> {
    try {
      if (this.ctx && this.ctx.state !== 'running') await this.ctx.resume()
    } catch {
      return false
    }
    return this.unlocked
  }

  onUnlockChange(listener: (unlocked: boolean) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async setOutput(deviceId: string): Promise<boolean> {
    if (!this.ctx?.setSinkId) return false
    try {
      await this.ctx.setSinkId(deviceId)
      return true
    } catch (error) {
      console.warn('could not choose the ringer speaker', error)
      return false
    }
  }

  start(): void {
    if (this.timer) return
    const burst = () => this.burst()
    burst()
    this.timer = setInterval(burst, 3000)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    for (const node of this.nodes) node.disconnect()
    this.nodes = []
  }

  private burst(): void {
    const ctx = this.ctx
    if (!ctx || ctx.state !== 'running') return
    const t = ctx.currentTime
    const tone = new OscillatorNode(ctx, { frequency: 400 })
    const lfo = new OscillatorNode(ctx, { frequency: 16, type: 'square' })
    const depth = new GainNode(ctx, { gain: 0.5 })
    const out = new GainNode(ctx, { gain: 0.5 })
    lfo.connect(depth).connect(out.gain)
    tone.connect(out).connect(ctx.destination)
    tone.start(t)
    lfo.start(t)
    tone.stop(t + 1)
    lfo.stop(t + 1)
    this.nodes = [tone, lfo, depth, out]
  }
}
