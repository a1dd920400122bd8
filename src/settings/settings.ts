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
}

export interface Settings {
  version: 1
  sip: SipSettings
  popup: PopupSettings
  audio: AudioSettings
  call: CallSettings
  /** Dotted paths IT locked (e.g. `cti.accesses`, `sip.server`): re-applied on every load, read-only. */
  locked: string[]
  /** Kept as provisioned; `src/cti` normalizes and validates it. */
  cti: Record<string, unknown>
  agent: { id: string; password: string }
  ui: { language: 'auto' | 'ja' | 'en' }
}

export const CURRENT_VERSION = 1

export function defaultSettings(): Settings {
  return {
    version: 1,
    sip: { server: '', domain: '', user: '', password: '', authUser: '', displayName: '', iceServers: [] },
    popup: { size: 'standard', buttons: true, displaySeconds: 0, copyNumberOnClick: false, anonymousLabel: '非通知' },
    audio: { input: '', output: '', ringer: '', ringtone: '' },
    call: { dnd: false, autoAnswerSeconds: 0 },
    locked: [],
    cti: {},
    agent: { id: '', password: '' },
    ui: { language: 'auto' },
  }
}

export interface FieldError {
  /** Dotted path of the offending key, e.g. `sip.server`. */
  path: string
  message: string
}

export type ParseResult = { ok: true; settings: Settings } | { ok: false; errors: FieldError[] }

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Deep merge: objects merge key by key, arrays and scalars replace. Used to lay a
 * provisioning document over the defaults or over saved settings.
 */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key], value) : value
  }
  return out as T
}

/**
 * Validates a settings document (complete or partial) laid over `base`. Bad input is
 * reported field by field and nothing is applied.
 */
export function parseSettings(input: unknown, base: Settings = defaultSettings()): ParseResult {
  const errors: FieldError[] = []
  if (!isObject(input)) return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] }
  if (input.version !== undefined && input.version !== CURRENT_VERSION) {
    errors.push({ path: 'version', message: `unsupported version ${JSON.stringify(input.version)} (this phone reads version ${CURRENT_VERSION})` })
  }
  const merged = deepMerge(base, input)
  const sip = merged.sip as unknown
  if (!isObject(sip)) errors.push({ path: 'sip', message: 'must be an object' })
  else {
    for (const key of ['server', 'domain', 'user', 'password', 'authUser', 'displayName'] as const) {
      if (typeof sip[key] !== 'string') errors.push({ path: `sip.${key}`, message: 'must be a string' })
    }
    if (typeof sip.server === 'string' && sip.server && !/^wss?:\/\/[^\s/]+/i.test(sip.server)) {
      errors.push({ path: 'sip.server', message: 'must be a ws:// or wss:// URL' })
    }
    if (!Array.isArray(sip.iceServers)) errors.push({ path: 'sip.iceServers', message: 'must be a list' })
  }
  if (!isObject(merged.cti)) errors.push({ path: 'cti', message: 'must be an object' })
  if (errors.length) return { ok: false, errors }
  return { ok: true, settings: { ...merged, version: 1 } }
}

/** True when the SIP account has what registration needs. */
export function isSipConfigured(sip: SipSettings): boolean {
  return !!(sip.server && sip.domain && sip.user)
}
