import { del, get, set } from 'idb-keyval'
import { toPlainJson } from '../plain-json'
import type { AppPorts, KeyValueStore, Notifier, PageLanguage, PageVisibility } from '../ports'
import { browserAudioDevices } from './audio-devices'
import { browserClickToDial } from './click-to-dial'
import { browserRemoteAudio } from './remote-audio'
import { browserCtiPorts } from './cti'
import { browserFileSaver } from './download-file'
import { browserAppBadge, browserHistoryDb } from './history'
import { browserLineLock } from './line-lock'
import { browserOutboxDb } from './outbox'
import { movableClock } from './page-timers'
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

const visibility: PageVisibility = {
  isHidden: () => document.hidden || !document.hasFocus(),
  focusPhone: () => window.focus(),
  // rAF runs just before the frame is painted; the task after it, just after.
  afterPaint: (work) => {
    if (document.hidden) setTimeout(work, 0)
    else requestAnimationFrame(() => setTimeout(work, 0))
  },
}

const marks = {
  mark: (name: string) => void performance.mark(name),
  markNextFrame: (name: string) => void requestAnimationFrame(() => performance.mark(name)),
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

/** `beforeunload` with preventDefault makes the browser ask "Leave site?": only while a call is up. */
const leaveGuard = (() => {
  const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault()
  let on = false
  return {
    set(active: boolean) {
      if (active === on) return
      on = active
      if (active) window.addEventListener('beforeunload', onBeforeUnload)
      else window.removeEventListener('beforeunload', onBeforeUnload)
    },
    onLeave(listener: () => void) {
      window.addEventListener('pagehide', listener)
      return () => window.removeEventListener('pagehide', listener)
    },
  }
})()

const language: PageLanguage = {
  get preferred() {
    return navigator.languages
  },
  setDocumentLanguage: (lang) => { document.documentElement.lang = lang },
}

export function browserPorts(): AppPorts {
  // The page's timers until the lifecycle port (after the first paint) moves them to the worker clock.
  const timers = movableClock({ setTimeout: (work, ms) => setTimeout(work, ms), clearTimeout: (handle) => clearTimeout(handle as number), now: () => Date.now() })
  return {
    cti: browserCtiPorts(undefined, timers),
    clipboard,
    marks,
    storage,
    notifier,
    ringer: new WebAudioRinger(),
    remoteAudio: browserRemoteAudio(),
    audioDevices: browserAudioDevices(),
    clickToDial: browserClickToDial(),
    files: browserFileSaver,
    language,
    lineLock: browserLineLock(),
    leaveGuard,
    lifecycle: () => import('./lifecycle').then((m) => m.pageLifecycle(timers)),
    clock: timers,
    visibility,
    history: browserHistoryDb,
    outbox: browserOutboxDb,
    // Not for the first paint: loaded with the line.
    resume: async () => (await import('./dialogs')).browserResumePorts(),
    badge: browserAppBadge,
    fetch: (...args) => fetch(...args),
    location: { href: window.location.href, referrer: document.referrer },
  }
}
