import { deepMerge } from './merge'
import { isObject } from './paths'
import { fieldError, validateDocument, type FieldError } from './validate'

/**
 * The settings document: what IT provisions (`?config=`), what the browser saves, what an
 * export contains. Key names are a published contract: extend, never rename.
 */
export interface SipSettings {
  /** ws:// or wss:// URL of the PBX's SIP WebSocket. */
  server: string
  domain: string
  user: string
  password: string
  authUser: string
  displayName: string
  iceServers: RTCIceServer[]
  /** Seconds between liveness probes of the line (OPTIONS to the registrar). */
  keepAliveSeconds: number
  /** Registration lifetime asked of the registrar (seconds). */
  registerExpires: number
}

export interface PopupSettings {
  size: 'standard' | 'large' | 'hidden'
  buttons: boolean
  displaySeconds: number
  copyNumberOnClick: boolean
  anonymousLabel: string
}

export interface AudioSettings {
  /** Microphone deviceId ('' = the browser's default). */
  input: string
  /** Speaker deviceId for calls ('' = default). */
  output: string
  /** Speaker deviceId for the ringtone ('' = same as `output`). */
  ringer: string
  /** Ringtone name (built-in) ('' = the default ring). */
  ringtone: string
}

export interface CallSettings {
  /** Do not disturb: incoming calls are rejected (486) without ringing or any CTI access. */
  dnd: boolean
  /** Answer incoming calls by themselves after this many seconds; 0 = off. */
  autoAnswerSeconds: number
  /**
   * A call survives a reload (F5), a crash or a discard of the phone's page: a new page that
   * registers within this many seconds takes it back (INVITE with Replaces); 0 = off.
   */
  resumeSeconds: number
}

/**
 * The phonebooks behind `{TELNAME}`/`{CALLEDNAME}` (共有電話帳・アカウント電話帳; the terminal
 * phonebook is edited in the app). Looked up shared → terminal → account, then the SIP name.
 */
export interface PhonebookSettings {
  /** 共有電話帳: URL of a CSV (header `name,number` or `名前,電話番号`) or JSON `[{name, number}]`; '' = none. */
  shared: string
  /** アカウント電話帳: URL template expanded with `{AID}` (and `{SID}`) after the CRM login; '' = none. */
  account: string
  /** Minutes between refreshes of the shared and account phonebooks; 0 = at start only. */
  refreshMinutes: number
}

/** Retention of the call history in this browser (pruned at start). */
export interface HistorySettings {
  /** Days a call is kept; 0 = no limit. */
  maxDays: number
  /** Most calls kept, oldest deleted first; 0 = no limit. */
  maxRows: number
}

/** Call recording in this browser (issue 10 §4). */
export interface RecordingSettings {
  /** off: none; auto: from the answer; manual: the call card's record button. */
  mode: 'off' | 'auto' | 'manual'
  /** Cap of the stored recordings in MB; uploaded ones are evicted first (`src/recording/eviction.ts`). */
  maxMegabytes: number
  /** Keep a recording after the CRM has it (off: deleted once uploaded). */
  keepLocal: boolean
}

/** The document format this phone reads and writes (`version`); every settings value carries it. */
export const CURRENT_VERSION = 1 as const

export interface Settings {
  version: typeof CURRENT_VERSION
  sip: SipSettings
  popup: PopupSettings
  audio: AudioSettings
  call: CallSettings
  history: HistorySettings
  recording: RecordingSettings
  /** Dotted paths IT locked (e.g. `cti.accesses`, `sip.server`): re-applied on every load, read-only. */
  locked: string[]
  /** Kept as provisioned; `src/cti` normalizes and validates it. */
  cti: Record<string, unknown>
  agent: { id: string; password: string }
  ui: { language: 'auto' | 'ja' | 'en' }
  phonebooks: PhonebookSettings
}

export function defaultSettings(): Settings {
  return {
    version: CURRENT_VERSION,
    sip: { server: '', domain: '', user: '', password: '', authUser: '', displayName: '', iceServers: [], keepAliveSeconds: 25, registerExpires: 300 },
    popup: { size: 'standard', buttons: true, displaySeconds: 0, copyNumberOnClick: false, anonymousLabel: '非通知' },
    audio: { input: '', output: '', ringer: '', ringtone: '' },
    call: { dnd: false, autoAnswerSeconds: 0, resumeSeconds: 60 },
    history: { maxDays: 365, maxRows: 100_000 },
    recording: { mode: 'off', maxMegabytes: 500, keepLocal: true },
    locked: [],
    cti: {},
    agent: { id: '', password: '' },
    ui: { language: 'auto' },
    phonebooks: { shared: '', account: '', refreshMinutes: 60 },
  }
}

export type { FieldError } from './validate'
export { deepMerge } from './merge'

export type ParseResult = { ok: true; settings: Settings; warnings: FieldError[] } | { ok: false; errors: FieldError[] }

/**
 * Validates a settings document (complete or partial) laid over `base`. Bad input is reported
 * field by field and nothing is applied. `cti` problems are left to the CTI engine unless
 * `strict` (see `validateDocument`).
 */
export function parseSettings(input: unknown, base: Settings = defaultSettings(), strict = false): ParseResult {
  if (!isObject(input)) return { ok: false, errors: [fieldError('', 'object')] }
  const merged = deepMerge(base, input)
  const { errors, warnings } = validateDocument(merged, { cti: strict ? 'strict' : 'lenient' })
  if (errors.length) return { ok: false, errors }
  return { ok: true, settings: { ...merged, version: CURRENT_VERSION }, warnings }
}

/** True when the SIP account has what registration needs. */
export function isSipConfigured(sip: SipSettings): boolean {
  return !!(sip.server && sip.domain && sip.user)
}
