import { inject, type InjectionKey } from 'vue'
import type { CtiPorts } from '@/cti/ports'
import type { HistoryStore } from '@/history/store'
import type { OutboxStorage } from '@/outbox/outbox'

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
 * One phone tab per browser owns the line. The SIP contact is per browser, so two tabs
 * registering would steal each other's calls; the second tab waits until the agent chooses
 * to move the phone there.
 */
export interface LineLock {
  /** Takes the line if no other tab holds it. `onLost` runs when another tab takes it over. */
  acquire(onLost: () => void): Promise<boolean>
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
}

/** Asks the browser to confirm before the agent closes or reloads the phone during a call. */
export interface LeaveGuard {
  set(active: boolean): void
  /** The page is going away (closed, reloaded, navigated): last chance to say goodbye to the PBX. */
  onLeave(listener: () => void): () => void
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
  audioDevices: AudioDevices
  clickToDial: ClickToDial
  files: FileSaver
  language: PageLanguage
  marks: Marks
  history: HistoryDb
  outbox: OutboxDb
  badge: AppBadge
  /** The page's own URL and referrer, read once at start (provisioning, `?dial=` and its consent). */
  location: { href: string; referrer?: string }
}

export const PORTS: InjectionKey<AppPorts> = Symbol('tsunagu.ports')

export function usePorts(): AppPorts {
  const ports = inject(PORTS, undefined)
  if (!ports) throw new Error('usePorts() needs the app to provide PORTS (see main.ts)')
  return ports
}
