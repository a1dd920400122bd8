import type { AudioDevice, AudioDevices } from '../ports'

/** Microphones and speakers as the browser lists them (`navigator.mediaDevices`). */
export function browserAudioDevices(): AudioDevices {
  const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices
  return {
    async list() {
      if (!media?.enumerateDevices) return []
      const all = await media.enumerateDevices()
      return all.flatMap((d): AudioDevice[] => (d.kind === 'audioinput' || d.kind === 'audiooutput' ? [{ kind: d.kind, deviceId: d.deviceId, label: d.label }] : []))
    },
    onChange(listener) {
      media?.addEventListener('devicechange', listener)
      return () => media?.removeEventListener('devicechange', listener)
    },
    canChooseOutput: typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype,
    async revealLabels() {
      if (!media?.getUserMedia) return false
      try {
        const stream = await media.getUserMedia({ audio: true, video: false })
        for (const track of stream.getTracks()) track.stop()
        return true
      } catch {
        return false
      }
    },
  }
}
