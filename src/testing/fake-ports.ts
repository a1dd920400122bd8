// The history store runs on fake-indexeddb in tests (jsdom has no IndexedDB).
import 'fake-indexeddb/auto'
import { createFakeWorld } from '@/cti/testing/fakes'
import { openHistoryStore } from '@/history/store'
import { MemoryOutboxStorage } from '@/outbox/outbox'
import { toPlainJson } from '@/ports/plain-json'
import { fakeChannelHub } from '@/sip/tab-relay/fake-channel'
import type { AppPorts, AudioDevice, WakeReason } from '@/ports/ports'
import { realClock } from '@/sip/clock'

let historyDbs = 0

/** In-memory ports that record what the app asked the browser to do. */
export function fakePorts(overrides: Partial<AppPorts> = {}) {
  const store = new Map<string, unknown>()
  const log: string[] = []
  const shown: { tag: string; title: string; body: string; onClick: () => void; closed: boolean }[] = []
  let hidden = false
  let leaveGuarded = false
  let ringing = false
  const leaveListeners = new Set<() => void>()
  const wakeListeners = new Set<(reason: WakeReason) => void>()
  const offlineListeners = new Set<() => void>()
  const lifecycle = { wasDiscarded: false }
  const responses = new Map<string, unknown>()
  const copied: string[] = []
  const world = createFakeWorld({ withHelper: false })
  let unlocked = true
  const unlockListeners = new Set<(unlocked: boolean) => void>()
  const setUnlocked = (value: boolean) => {
    unlocked = value
    for (const listener of unlockListeners) listener(value)
  }
  let devices: AudioDevice[] = []
  const deviceListeners = new Set<() => void>()
  const dialParameter = { registered: false, forgotten: false }
  /** One database per `fakePorts()`; pass `history: ports.history` to another to "reload" over it. */
  const historyName = `tsunagu-history-test-${++historyDbs}`
  /** The outbox's entries; pass `outbox: ports.outbox` to another `fakePorts()` to "reload" over them. */
  const outboxStorage = new MemoryOutboxStorage()
  /** The app badge as the app last set it. */
  const badge = { count: 0 }
  const saved: { name: string; text: string; type: string | undefined; blob?: Blob }[] = []
  /** The browser's preferred languages, and the page's `lang` attribute as the app set it. */
  const page = { languages: ['en-US'] as string[], lang: '', ownTabName: 'tsunagu-phone' }
  /** The line lock as other tabs of the same browser would see it. */
  const line = {
    heldElsewhere: false,
    released: 0,
    onLost: undefined as (() => void) | undefined,
    handedOff: [] as string[],
    dialListeners: new Set<(target: string, from?: string) => void>(),
    /** This tab's place in the queue for the line (`wait`), until granted or cancelled. */
    waiting: undefined as { onGranted: () => void; onLost: () => void } | undefined,
    /** The relay to other tabs: nobody else is on it here (see `fake-tabs.ts` for two tabs). */
    relay: fakeChannelHub(),
    /** How often this tab told the others it saved the settings. */
    settingsSaved: 0,
  }
  const ports: AppPorts = {
    cti: world.ports,
    clipboard: { writeText: async (text) => { copied.push(text); return true } },
    storage: {
      get: async <T>(key: string) => structuredClone(store.get(key)) as T | undefined,
      set: async (key, value) => { store.set(key, toPlainJson(value)) },
      del: async (key) => { store.delete(key) },
    },
    notifier: {
      permission: 'granted',
      requestPermission: async () => 'granted',
      show: (options) => {
        const entry = { ...options, closed: false }
        shown.push(entry)
        return { close: () => { entry.closed = true } }
      },
    },
    ringer: {
      get unlocked() { return unlocked },
      unlock: async () => { setUnlocked(true); return true },
      onUnlockChange: (listener) => { unlockListeners.add(listener); return () => unlockListeners.delete(listener) },
      setOutput: async (deviceId) => { log.push(`ringer-output ${deviceId}`); return true },
      start: () => { if (!ringing) log.push('ring'); ringing = true },
      stop: () => { if (ringing) log.push('silence'); ringing = false },
    },
    remoteAudio: {
      play: (callId) => log.push(`play ${callId}`),
      stop: (callId) => log.push(`stop ${callId}`),
      setOutput: async (deviceId) => { log.push(`call-output ${deviceId}`); return true },
    },
    audioDevices: {
      list: async () => devices.map((d) => ({ ...d })),
      onChange: (listener) => { deviceListeners.add(listener); return () => deviceListeners.delete(listener) },
      canChooseOutput: true,
      revealLabels: async () => { devices = devices.map((d) => ({ ...d, label: d.label || `${d.kind} ${d.deviceId}` })); return true },
    },
    clickToDial: {
      registerHandlers: () => { dialParameter.registered = true; return true },
      forgetDialParameter: () => { dialParameter.forgotten = true },
    },
    files: { save: (name, text, type) => { saved.push(typeof text === 'string' ? { name, text, type } : { name, text: '', type, blob: text }) } },
    language: {
      get preferred() { return page.languages },
      setDocumentLanguage: (lang) => { page.lang = lang },
    },
    lineLock: {
      acquire: async (onLost) => {
        if (line.heldElsewhere) return false
        line.onLost = onLost
        return true
      },
      takeOver: async (onLost) => {
        line.heldElsewhere = false
        line.onLost = onLost
      },
      wait: (onGranted, onLost) => {
        const entry = { onGranted, onLost }
        line.waiting = entry
        return () => { if (line.waiting === entry) line.waiting = undefined }
      },
      settingsSaved: () => { line.settingsSaved += 1 },
      onSettingsSaved: () => () => undefined,
      relay: line.relay.tab(),
      tabId: 'tab-test',
      released: () => { line.released += 1 },
      handOffDial: (target) => { line.handedOff.push(target) },
      onDialHandOff: (listener) => {
        line.dialListeners.add(listener)
        return () => line.dialListeners.delete(listener)
      },
    },
    leaveGuard: {
      set: (active) => { if (leaveGuarded !== active) log.push(active ? 'guard on' : 'guard off'); leaveGuarded = active },
      onLeave: (listener) => { leaveListeners.add(listener); return () => leaveListeners.delete(listener) },
    },
    // The global timers, looked up at each call: `vi.useFakeTimers()` or a `FakeClock` override drive them.
    clock: realClock,
    lifecycle: async () => ({
      get wasDiscarded() { return lifecycle.wasDiscarded },
      onWake: (listener) => { wakeListeners.add(listener); return () => wakeListeners.delete(listener) },
      onOffline: (listener) => { offlineListeners.add(listener); return () => offlineListeners.delete(listener) },
    }),
    visibility: { isHidden: () => hidden, focusPhone: () => log.push('focus'), afterPaint: (work) => queueMicrotask(work) },
    fetch: (async (input: string | URL | Request) => {
      const url = String(input)
      if (!responses.has(url)) return new Response('not found', { status: 404 })
      const body = responses.get(url)
      if (body instanceof Error) throw body
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 })
    }) as typeof fetch,
    marks: { mark: (name: string) => log.push(`mark ${name}`), markNextFrame: (name: string) => log.push(`frame-mark ${name}`) },
    location: { href: 'http://127.0.0.1/' },
    history: { open: () => openHistoryStore({ name: historyName }) },
    outbox: { open: async () => outboxStorage, random: () => 0.5 },
    badge: { set: (count) => { badge.count = count } },
    ...overrides,
  }
  return {
    ports,
    line,
    /** The page is being closed or reloaded. */
    leavePage: () => { for (const listener of leaveListeners) listener() },
    /** The page woke up (resumed, shown, online again, clock jump). */
    wake: (reason: WakeReason) => { for (const listener of wakeListeners) listener(reason) },
    /** The browser went offline. */
    goOffline: () => { for (const listener of offlineListeners) listener() },
    /** Set before the stores start: this load brought back a discarded tab. */
    lifecycle,
    /** Another tab takes the line over. */
    loseLine: () => line.onLost?.(),
    /** The tab that held the line closed or crashed: this tab, first in the queue, gets it. */
    grantLine: () => {
      const entry = line.waiting
      if (!entry) throw new Error('fake line lock: this tab is not waiting for the line')
      line.waiting = undefined
      line.heldElsewhere = false
      line.onLost = entry.onLost
      entry.onGranted()
    },
    store,
    log,
    world,
    copied,
    shown,
    setHidden: (value: boolean) => { hidden = value },
    /** The browser's audio lock: false until a user gesture (`ringer.unlock()`). */
    setUnlocked,
    /** Devices as the browser would list them; `plug` also fires `devicechange`. */
    plug: (next: AudioDevice[]) => {
      devices = next
      for (const listener of deviceListeners) listener()
    },
    dialParameter,
    badge,
    outboxStorage,
    /** Files the app saved (exports). */
    saved,
    page,
    respond: (url: string, body: unknown) => responses.set(url, body),
    /** Serves `deploy.json` next to the fake page (`http://127.0.0.1/`). */
    deploy: (doc: unknown) => responses.set('http://127.0.0.1/deploy.json', doc),
  }
}
