import type { RemoteAudio } from '../ports'

/** An element that can play to a chosen speaker (Chromium, Edge, Firefox 116+). */
type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }

/** One `<audio>` element per call, playing the other party's voice on the chosen speaker. */
export function browserRemoteAudio(): RemoteAudio {
  const elements = new Map<string, SinkElement>()
  let output = ''

  async function route(el: SinkElement): Promise<boolean> {
    if (!el.setSinkId) return false
    try {
      await el.setSinkId(output)
      return true
    } catch (error) {
      // An unplugged or forbidden device: the default speaker is better than silence.
      console.warn('could not choose the call speaker', error)
      await el.setSinkId('').catch(() => undefined)
      return false
    }
  }

  return {
    play(callId, stream) {
      let el = elements.get(callId)
      if (!el) {
        el = document.createElement('audio')
        el.autoplay = true
        el.dataset.callId = callId
        el.dataset.testid = 'remote-audio'
        document.body.append(el)
        elements.set(callId, el)
        if (output) void route(el)
      }
      el.srcObject = stream
      el.play().catch(() => undefined)
    },
    stop(callId) {
      const el = elements.get(callId)
      if (!el) return
      el.srcObject = null
      el.remove()
      elements.delete(callId)
    },
    async setOutput(deviceId) {
      output = deviceId
      if (!('setSinkId' in HTMLMediaElement.prototype)) return false
      const results = await Promise.all([...elements.values()].map(route))
      return results.every(Boolean)
    },
  }
}
