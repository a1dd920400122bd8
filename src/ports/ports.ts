import { inject, type InjectionKey } from 'vue'
import type { CtiPorts } from '@/cti/ports'
import type { HistoryStore } from '@/history/store'
import type { OutboxStorage } from '@/outbox/outbox'
import type { RelayChannel } from '@/sip/tab-relay/protocol'
import type { Clock } from '@/sip/clock'

/**
 * Every browser effect the app uses, each behind one small interface with one browser
 * implementation (`browser/*.ts`) and fakes for tests. Provided once in `main.ts`;
 * stores take them with `usePorts()`.
 */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  del(key: string): Promise<void>
}

export interface Notifier {
  readonly permission: NotificationPermission | 'unsupported'
  /** Must be called from a user gesture (a click), never on load. */
  requestPermission(): Promise<NotificationPermission | 'unsupported'>
  /** Shows a notification; `onClick` runs after the phone tab was focused. Returns a closer. */
  show(options: { tag: string; title: string; body: string; onClick: () => void }): { close(): void } | undefined
}

export interface Ringer {
  /** False until the page had a user gesture; browsers refuse to start audio before that. */
  readonly unlocked: boolean
  /** Call from any user gesture: resumes the audio context. */
  unlock(): Promise<boolean>
  /** Tells when `unlocked` changes (the browser may also suspend audio later). */
  onUnlockChange(listener: (unlocked: boolean) => void): () => void
  /** Speaker for the ringtone ('' = default); false when the browser cannot choose one. */
  setOutput(deviceId: string): Promise<boolean>
  start(): void
  stop(): void
}

export interface RemoteAudio {
  play(callId: string, stream: MediaStream): void
  stop(callId: string): void
  /** Speaker for the other party's voice, now and for later calls ('' = default); false when not supported. */
  setOutput(deviceId: string): Promise<boolean>
}

export interface AudioDevice {
  kind: 'audioinput' | 'audiooutput'
  deviceId: string
  /** Empty until the site may use the microphone (browsers hide names before that). */
  label: string
}

export interface AudioDevices {
  list(): Promise<AudioDevice[]>
  /** Devices plugged in or out. */
  onChange(listener: () => void): () => void
  /** Whether this browser can play to a chosen speaker (`setSinkId`). */
  readonly canChooseOutput: boolean
  /** Asks for the microphone once so the browser reveals device names; true when allowed. */
  revealLabels(): Promise<boolean>
}

/** `tel:`/`sip:` links and the `?dial=` parameter that carries them to the phone. */
export interface ClickToDial {
  /** Offers this phone as the handler of `tel:` and `sip:` links; false when the browser cannot. */
  registerHandlers(): boolean
  /** Removes `?dial=` from the address bar, so a reload does not call again. */
  forgetDialParameter(): void
}

export interface PageVisibility {
  /** True when the agent cannot see the phone: `document.hidden || !document.hasFocus()`. */
  isHidden(): boolean
  focusPhone(): void
  /**
   * Runs `work` once the next frame has been painted (a hidden page paints nothing: then in the
   * next task). For what must not delay a frame that matters, such as the incoming popup's.
   */
  afterPaint(work: () => void): void
}

/** Performance marks for the benchmark (`npm run bench` reads them from the page). */
export interface Marks {
  mark(name: string): void
  /** Marks the start of the next animation frame: the one that paints what was just rendered. */
  markNextFrame(name: string): void
}

export interface Clipboard {
  writeText(text: string): Promise<boolean>
}

/**
 * One phone tab per browser owns the line (the leader). The SIP contact is per browser, so two
 * tabs registering would steal each other's calls; every other tab (a follower) waits in the
 * queue for the line, shows the leader's line over `relay` and works it from there, and takes
 * the line by itself when the leader's tab closes or crashes (the browser releases its lock).
 */
export interface LineLock {
  /** Takes the line if no other tab holds it. `onLost` runs when another tab takes it over. */
  acquire(onLost: () => void): Promise<boolean>
  /**
   * Queues for the line: `onGranted` runs once this tab has it (the tab that held it closed
   * or crashed); `onLost` when another tab takes it over later. Returns a cancel (while queued).
   */
  wait(onGranted: () => void, onLost: () => void): () => void
  /** Takes the line from the tab that holds it; resolves once that tab let go (or did not answer). */
  takeOver(onLost: () => void): Promise<void>
  /** Tells a tab waiting in `takeOver` that this tab has let go of the line. */
  released(): void
  /**
   * From a tab without the line (e.g. opened by a `tel:` link): ask the phone's tab to dial.
   * `from` is the origin of the page that asked (the referrer), for the consent check there.
   */
  handOffDial(target: string, from?: string): void
  /** In the phone's tab: numbers other tabs of this browser ask it to dial. */
  onDialHandOff(listener: (target: string, from?: string) => void): () => void
  /** This tab saved the settings: the other tabs of the phone read them again. */
  settingsSaved(): void
  /** Another tab of the phone saved the settings. */
  onSettingsSaved(listener: () => void): () => void
  /** Between the leader and the followers (`src/sip/tab-relay`). */
  readonly relay: RelayChannel
  /** This tab's own id on `relay` (unique per tab). */
  readonly tabId: string
}

/** Asks the browser to confirm before the agent closes or reloads the phone during a call. */
export interface LeaveGuard {
  set(active: boolean): void
  /** The page is going away (closed, reloaded, navigated): last chance to say goodbye to the PBX. */
  onLeave(listener: () => void): () => void
}

/**
 * Why the page may have missed time: thawed after a freeze (`resume`), shown again (`visible`),
 * back from the back/forward cache (`pageshow`), the network is back (`online`), or the wall
 * clock jumped against the monotonic one (`clock-jump`: the machine slept).
 */
export type WakeReason = 'resume' | 'visible' | 'pageshow' | 'online' | 'clock-jump'

/**
 * The page's lifecycle as far as the line cares. Browsers freeze hidden tabs, throttle their
 * timers (to once a minute after 5 minutes hidden), discard them to save memory; laptops sleep
 * and change networks. At each wake-up the phone checks its line at once instead of trusting
 * that its timers ran.
 */
export interface PageLifecycle {
  onWake(listener: (reason: WakeReason) => void): () => void
  /** The browser says the network is gone (`offline`). */
  onOffline(listener: () => void): () => void
  /** The browser discarded this tab and this load brought it back (`document.wasDiscarded`). */
  readonly wasDiscarded: boolean
}

/** Saves text (or a recording's Blob) as a file the agent downloads (an export). */
export interface FileSaver {
  save(name: string, text: string | Blob, type?: string): void
}

/** The browser's preferred languages and the page's own `lang` attribute (for screen readers). */
export interface PageLanguage {
  readonly preferred: readonly string[]
  setDocumentLanguage(lang: string): void
}

/**
 * The call history's IndexedDB store (`src/history/store.ts`). Opened on first use: the store's
 * number normalisation (libphonenumber) is not part of the first paint.
 */
export interface HistoryDb {
  open(): Promise<HistoryStore>
}

/**
 * The delivery outbox's storage (`src/outbox/idb-storage.ts`: IndexedDB, shared by the tabs of
 * the origin), opened on first use, and the randomness of its back-off jitter.
 */
export interface OutboxDb {
  open(): Promise<OutboxStorage>
  /** `[0, 1)`. */
  random(): number
}

/** The app icon's badge (`navigator.setAppBadge`): missed calls. Does nothing where unsupported. */
export interface AppBadge {
  set(count: number): void
}

/** The dialogs kept across page loads (issue 12), in IndexedDB; records are JSON with a `callId`. */
export interface DialogStore {
  list(): Promise<unknown[]>
  put(record: { readonly callId: string }): Promise<void>
  delete(callId: string): Promise<void>
}

/** What keeping a call across a reload needs of the browser (`browser/dialogs.ts`). */
export interface ResumePorts {
  /** Lists no call marked ended; undefined when IndexedDB cannot be opened (private mode…). */
  readonly dialogs: DialogStore | undefined
  /**
   * Synchronously (in `pagehide`, where an IndexedDB delete may not land): these calls ended on
   * purpose, so no later page takes them back.
   */
  markEnded(callIds: readonly string[]): void
  /** The agent pressed a reload key (F5, Ctrl+R, ⌘R) on the page: the next leave is a reload. */
  onReloadKey(listener: () => void): () => void
}

/** How a link names the CRM tab, so it lands where the accesses open it (see `crm-tab.ts`). */
export interface AppPorts {
  storage: KeyValueStore
  notifier: Notifier
  ringer: Ringer
  remoteAudio: RemoteAudio
  visibility: PageVisibility
  /** `fetch`, injectable so tests can answer provisioning requests. */
  fetch: typeof fetch
  /** The CTI engine's effects (fetch, CRM tab, form, timers). */
  cti: CtiPorts
  clipboard: Clipboard
  lineLock: LineLock
  leaveGuard: LeaveGuard
  /**
   * Loaded after the first paint (its events come minutes later, and the start-up bundle is at
   * its budget); one instance per page.
   */
  lifecycle(): Promise<PageLifecycle>
  /** The stores' timers and time (popup display, auto-answer, phonebook refresh): fake in tests. */
  clock: Clock
  audioDevices: AudioDevices
  clickToDial: ClickToDial
  files: FileSaver
  language: PageLanguage
  marks: Marks
  history: HistoryDb
  outbox: OutboxDb
  badge: AppBadge
  /** Calls kept across a reload (issue 12), loaded with the line; absent: calls end with the page. */
  resume?: () => Promise<ResumePorts>
  /** The page's own URL and referrer, read once at start (provisioning, `?dial=` and its consent). */
  location: { href: string; referrer?: string }
}

export const PORTS: InjectionKey<AppPorts> = Symbol('tsunagu.ports')

export function usePorts(): AppPorts {
  const ports = inject(PORTS, undefined)
  if (!ports) throw new Error('usePorts() needs the app to provide PORTS (see main.ts)')
  return ports
}
