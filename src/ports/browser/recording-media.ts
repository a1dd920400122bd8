import { browserMedia, type MediaConstructors, type RecordingMedia } from '@/recording/controller'

/**
 * The browser's Web Audio and MediaRecorder for the call recorder; undefined where the browser
 * has neither (nothing is recorded then). Loaded with the recorder's lazy chunk only.
 */
export function recordingMedia(): RecordingMedia | undefined {
  if (typeof AudioContext !== 'function' || typeof MediaRecorder !== 'function') return undefined
  return browserMedia({ AudioContext, MediaRecorder } as unknown as MediaConstructors)
}
