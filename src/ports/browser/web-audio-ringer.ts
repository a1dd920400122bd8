import type { Ringer } from '../ports'

/**
 * A synthesized Japanese-style ring (16 Hz-modulated 400 Hz, 1 s on / 2 s off), so the
 * phone rings without shipping an audio file. Browsers keep an AudioContext suspended until
 * a user gesture; `unlock()` is wired to the first click anywhere in the app.
 */
export class WebAudioRinger implements Ringer {
  private ctx: AudioContext | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private nodes: AudioNode[] = []

  get unlocked(): boolean {
    return this.ctx?.state === 'running'
  }

  async unlock(): Promise<boolean> {
    try {
      this.ctx ??= new AudioContext()
      if (this.ctx.state !== 'running') await this.ctx.resume()
    } catch {
      return false
    }
    return this.unlocked
  }

  start(): void {
    if (this.timer) return
    this.ctx ??= new AudioContext()
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
