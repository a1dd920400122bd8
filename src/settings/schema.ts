/**
 * The settings document as a Valibot schema: the one definition behind validation (start-up,
 * settings screens, import) and the published JSON Schema (`schema/tsunagu-settings.schema.json`,
 * generated from this file). Every key is optional because a provisioning document names only
 * what it sets; the validator checks the document laid over the defaults, so in practice every
 * key is present.
 *
 * Messages of custom checks are error codes (see `validate.ts`), translated by the screens.
 * The `cti` section's schema is the engine's own (`src/cti/schema.ts`): one validator for it.
 */
import * as v from 'valibot'
import { accessUrlProblem, isHttpUrl } from '@/cti/access-url'
import { ctiSchema } from '@/cti/schema'

const d = v.description

/** Seconds or minutes: a finite number from 0 to `max`. */
const amount = (max: number, fallback: number, text: string) =>
  v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(max), d(text)), fallback)
const text = (fallback: string, description: string) => v.optional(v.pipe(v.string(), d(description)), fallback)
const flag = (fallback: boolean, description: string) => v.optional(v.pipe(v.boolean(), d(description)), fallback)

const WS_URL = /^wss?:\/\/[^\s/?#]+/i

const sipSchema = v.object({
  server: v.optional(
    v.pipe(v.string(), v.check((s) => s === '' || WS_URL.test(s), 'ws-url'), d('The PBX\'s SIP WebSocket: wss://host:port/path (ws:// only for localhost tests).')),
    '',
  ),
  domain: text('', 'SIP domain of the account.'),
  user: text('', 'Extension / SIP user name.'),
  password: text('', 'Digest password; empty = no authentication. Left out of exports unless asked for.'),
  authUser: text('', 'Digest user name when it differs from sip.user.'),
  displayName: text('', 'Name sent with outgoing calls.'),
  iceServers: v.optional(
    v.pipe(
      v.array(
        v.object({
          urls: v.union([v.string(), v.array(v.string())], 'ice-urls'),
          username: v.optional(v.string()),
          credential: v.optional(v.string()),
        }),
      ),
      d('RTCIceServer list (STUN/TURN) for calls across NAT, e.g. [{"urls": "turn:turn.example.com", "username": "u", "credential": "p"}].'),
    ),
    [],
  ),
  keepAliveSeconds: v.optional(
    v.pipe(v.number(), v.minValue(1), v.maxValue(300), d('Seconds between line probes (SIP OPTIONS).')),
    25,
  ),
  registerExpires: v.optional(
    v.pipe(v.number(), v.minValue(1), v.maxValue(3600), d('Registration lifetime asked for (s).')),
    300,
  ),
})

export const settingsSchema = v.object({
  // Lets an editor find this schema; the phone ignores it.
  $schema: v.optional(v.pipe(v.string(), d('Optional: where this JSON Schema is, for editors that check the file while it is written.'))),
  version: v.optional(v.pipe(v.literal(1, 'version'), d('Format version; this phone reads 1.')), 1),
  sip: v.optional(sipSchema),
  popup: v.optional(
    v.object({
      size: v.optional(v.pipe(v.picklist(['standard', 'large', 'hidden']), d('Incoming popup: standard, large, or hidden (no popup and no notification).')), 'standard'),
      buttons: flag(true, 'Show answer and hang-up buttons in the popup.'),
      displaySeconds: amount(3600, 0, 'Seconds the popup stays; 0 = until answered or ended.'),
      copyNumberOnClick: flag(false, 'Clicking the popup copies the number to the clipboard.'),
      anonymousLabel: text('非通知', 'Shown as the number of anonymous calls.'),
    }),
  ),
  audio: v.optional(
    v.object({
      input: text('', 'Microphone deviceId; empty = the browser\'s default.'),
      output: text('', 'Speaker deviceId for calls; empty = default.'),
      ringer: text('', 'Speaker deviceId for the ringtone; empty = same as output.'),
      ringtone: text('', 'Ringtone name; empty = the standard ring.'),
    }),
  ),
  call: v.optional(
    v.object({
      dnd: flag(false, 'Do not disturb: incoming calls are rejected (486) without ringing.'),
      autoAnswerSeconds: amount(600, 0, 'Answer incoming calls after this many seconds; 0 = off.'),
      resumeSeconds: amount(3600, 60, 'A call survives a reload or crash of the phone\'s page: a new page within this many seconds takes it back (INVITE with Replaces); 0 = off.'),
    }),
  ),
  history: v.optional(
    v.object({
      maxDays: amount(36500, 365, 'Days the call history keeps a call; 0 = no limit.'),
      maxRows: amount(1_000_000, 100_000, 'Most calls the history keeps, oldest go first; 0 = no limit.'),
    }),
  ),
  recording: v.optional(
    v.object({
      mode: v.optional(v.pipe(v.picklist(['off', 'auto', 'manual']), d('Call recording: off, auto, manual.')), 'off'),
      maxMegabytes: amount(100_000, 500, 'Most MB of recordings kept.'),
      keepLocal: flag(true, 'Keep recordings after upload.'),
    }),
  ),
  locked: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.check((p) => isLockablePath(p), 'lock-path'))),
      d('Dotted paths IT fixes, e.g. "sip.server" or "cti.accesses": re-applied at every start, read-only for the agent, never changed by an import.'),
    ),
    [],
  ),
  cti: v.optional(v.pipe(ctiSchema, d('CTI custom integration (see the CTI specification).'))),
  agent: v.optional(
    v.object({
      id: text('', 'Agent account for the CRM ({AID}).'),
      password: text('', 'Agent password ({APW}); with id, no login screen is shown. Left out of exports unless asked for.'),
    }),
  ),
  ui: v.optional(v.object({ language: v.optional(v.pipe(v.picklist(['auto', 'ja', 'en']), d('UI language: auto (the browser\'s), ja or en.')), 'auto') })),
  phonebooks: v.optional(
    v.object({
      shared: v.optional(
        v.pipe(v.string(), v.check((url) => url === '' || isHttpUrl(url), 'http-url'), d('共有電話帳: URL of a CSV (header name,number or 名前,電話番号) or JSON [{"name","number"}]; empty = none.')),
        '',
      ),
      account: v.optional(
        v.pipe(v.string(), v.check((url) => url === '' || accessUrlProblem('get-internal', url) === undefined, 'url-scheme'), d('アカウント電話帳: URL template expanded with {AID} and {SID} after the CRM login; empty = none.')),
        '',
      ),
      refreshMinutes: amount(1440, 60, 'Minutes between refreshes of the shared and account phonebooks; 0 = at start only.'),
    }),
  ),
})

type AnySchema = { type: string; entries?: Record<string, AnySchema>; wrapped?: AnySchema; pipe?: unknown[] }

/** The object schema under optional/nullable wrappers, if any. */
function objectEntries(schema: AnySchema | undefined): Record<string, AnySchema> | undefined {
  let node = schema
  while (node?.wrapped) node = node.wrapped
  return node?.type === 'object' ? node.entries : undefined
}

/** The schema of the key at `path`, or undefined for a path no object of the schema declares. */
export function schemaAt(path: string): AnySchema | undefined {
  let node: AnySchema | undefined = settingsSchema as unknown as AnySchema
  for (const key of path.split('.')) {
    // Own keys only: `constructor`, `__proto__` or `toString` name no setting.
    const entries = objectEntries(node)
    node = entries && Object.hasOwn(entries, key) ? entries[key] : undefined
    if (!node) return undefined
  }
  return node
}

/** The keys an object at `path` declares ('' = the top level), for unknown-key warnings. */
export function declaredKeys(path: string): string[] | undefined {
  const entries = objectEntries(path === '' ? (settingsSchema as unknown as AnySchema) : schemaAt(path))
  return entries && Object.keys(entries)
}

/** `locked` may name any declared key or section, except those that describe the document. */
export function isLockablePath(path: string): boolean {
  return path !== 'version' && path !== 'locked' && path !== '$schema' && schemaAt(path) !== undefined
}
