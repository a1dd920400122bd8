import { del, get, set } from 'idb-keyval'
import { toPlainJson } from '../plain-json'
import type { AppPorts, KeyValueStore, Notifier, PageVisibility, RemoteAudio } from '../ports'
import { browserCtiPorts } from './cti'
import { WebAudioRinger } from './web-audio-ringer'

const storage: KeyValueStore = {
  get: (key) => get(key),
  // IndexedDB's structured clone cannot store Vue proxies, and reactive objects hold them at
  // any depth. What we store is JSON by contract (settings, identities), so save it as JSON.
  set: (key, value) => set(key, toPlainJson(value)),
  del: (key) => del(key),
}

const notifier: Notifier = {
  get permission() {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission
  },
  async requestPermission() {
    if (typeof Notification === 'undefined') return 'unsupported'
    return Notification.requestPermission()
  },
  show({ tag, title, body, onClick }) {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return undefined
    const n = new Notification(title, { tag, body, requireInteraction: true })
    n.onclick = () => {
      window.focus()
      n.close()
      onClick()
    }
    return { close: () => n.close() }
  },
}

const remoteAudio: RemoteAudio = (() => {
  const elements = new Map<string, HTMLAudioElement>()
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
  }
})()

const visibility: PageVisibility = {
  isHidden: () => document.hidden || !document.hasFocus(),
  focusPhone: () => window.focus(),
}

const clipboard = {
  async writeText(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text)
      return true
    } catch {
      return false
    }
  },
}

export function browserPorts(): AppPorts {
  return {
    cti: browserCtiPorts(),
    clipboard,
    storage,
    notifier,
    ringer: new WebAudioRinger(),
    remoteAudio,
    visibility,
    fetch: (...args) => fetch(...args),
    location: { href: window.location.href },
  }
}
