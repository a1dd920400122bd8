/**
 * The settings document as a Valibot schema: the one definition behind validation (start-up,
 * settings screens, import) and the published JSON Schema (`schema/tsunagu-settings.schema.json`,
 * generated from this file). Every key is optional because a provisioning document names only
 * what it sets; the validator checks the document laid over the defaults, so in practice every
 * key is present.
 *
 * Messages of custom checks are error codes (see `validate.ts`), translated by the screens.
 */
import * as v from 'valibot'
import { ACCESS_METHODS, ACCESS_NAMES, CREDENTIALS, CTI_TARGETS, defaultAccessSettings, defaultCtiSettings } from './cti-defaults'

const d = v.description

/** Seconds or minutes: a finite number from 0 to `max`. */
const amount = (max: number, fallback: number, text: string) =>
  v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(max), d(text)), fallback)
const text = (fallback: string, description: string) => v.optional(v.pipe(v.string(), d(description)), fallback)
const flag = (fallback: boolean, description: string) => v.optional(v.pipe(v.boolean(), d(description)), fallback)

function isRegExp(source: string, flags = ''): boolean {
  try {
    new RegExp(source, flags)
    return true
  } catch {
    return false
  }
}

function isCharset(label: string): boolean {
  try {
    new TextDecoder(label.trim())
    return true
  } catch {
    return false
  }
}

const WS_URL = /^wss?:\/\/[^\s/?#]+/i
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const VARIABLE = /^[A-Z0-9_-]+$/

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
})

const formatSchema = v.union(
  [
    v.pipe(v.string(), d('Text format: literals, {CRLF}/{CR}/{LF} and {VAR} tokens, e.g. "{NAME}{CRLF}{COMPANY}".')),
    v.object({
      json: v.pipe(
        v.record(v.pipe(v.string(), v.regex(VARIABLE)), v.pipe(v.string(), v.check((p) => p === '' || p.startsWith('/'), 'json-pointer'))),
        d('Variable name → JSON Pointer into the response, e.g. {"NAME": "/customer/name"}.'),
      ),
    }),
    v.pipe(
      v.object({
        regex: v.pipe(v.string(), d('Regular expression whose named groups (?<NAME>…) become variables.')),
        flags: v.optional(v.pipe(v.string(), v.regex(/^[dgimsuvy]*$/))),
      }),
      v.check((f) => isRegExp(f.regex, f.flags), 'regex'),
    ),
  ],
  'format',
)

const accessDefaults = defaultAccessSettings()
const publicVariablesSchema = v.optional(
  v.pipe(
    v.array(v.pipe(v.string(), v.regex(VARIABLE))),
    d('Auth only: variables of the format that are not secrets, e.g. ["OPERATOR"]. Every other value the auth response yields (a session ID) is masked in the CTI log.'),
  ),
)
const accessSchema = (name: string) =>
  v.optional(
    v.pipe(
      v.object({
        method: v.optional(v.pipe(v.picklist(ACCESS_METHODS), d('none, get (open in the CRM tab), get-internal (background request), post, post-internal, command (native helper).')), accessDefaults.method),
        url: text('', 'URL template with placeholders such as {TEL}; an OS command line for method command.'),
        format: v.optional(v.nullable(formatSchema)),
        delaySeconds: amount(3600, 0, 'Answer access only: seconds to wait after the answer.'),
        onlyIfAnswered: flag(false, 'Hang-up access only: run only for calls that were answered.'),
        charset: v.optional(v.nullable(v.pipe(v.string(), v.check((c) => c === '' || isCharset(c), 'charset'), d('Charset of values in the URL and of the response, e.g. Shift_JIS; default UTF-8.')))),
        credentials: v.optional(v.pipe(v.picklist(CREDENTIALS), d('fetch credentials mode of internal methods (cookies).')), accessDefaults.credentials),
        via: v.optional(v.nullable(v.pipe(v.literal('helper'), d('Internal methods: send through the native helper instead of fetch.')))),
        publicVariables: publicVariablesSchema,
      }),
      d(`The ${name} access.`),
    ),
  )

const ctiDefaults = defaultCtiSettings()
const headerName = (description: string) =>
  v.optional(v.nullable(v.pipe(v.string(), v.check((h) => h === '' || h === 'none' || HEADER_NAME.test(h), 'header-name'), d(description))))

const ctiSchema = v.object({
  target: v.optional(v.pipe(v.picklist(CTI_TARGETS), d('Integration target: none, custom (the custom integration) or salesforce (not available yet).')), ctiDefaults.target),
  skipInternal: flag(ctiDefaults.skipInternal, 'Run no access for internal calls (number matches internalPattern).'),
  internalPattern: v.optional(
    v.pipe(v.string(), v.check((p) => isRegExp(p), 'regex'), d('JavaScript regular expression that marks a number as internal.')),
    ctiDefaults.internalPattern,
  ),
  sessionKeepMinutes: amount(1440, ctiDefaults.sessionKeepMinutes, 'Minutes the auth access\'s values stay valid; 0 = until logout.'),
  pollingMinutes: amount(1440, ctiDefaults.pollingMinutes, 'Minutes between keep-alive auth accesses; 0 = off.'),
  timeoutSeconds: amount(3600, ctiDefaults.timeoutSeconds, 'Per-request timeout in seconds; 0 = none.'),
  outgoing: flag(ctiDefaults.outgoing, 'Also run search, ring (dialling), answer and hang-up for outgoing calls.'),
  numbers: v.optional(v.pipe(v.array(v.string()), d('Candidate numbers for targeting (the agent\'s extension always is one).')), []),
  targetNumbers: v.optional(
    v.pipe(v.union([v.literal('all'), v.array(v.string())], 'all-or-list'), d('"all", or the numbers whose incoming calls are integrated.')),
    ctiDefaults.targetNumbers,
  ),
  requestIdHeader: headerName('SIP header carrying {ID}; empty = 20 random digits per call.'),
  calledHeader: headerName('SIP header carrying {CALLED}; empty = the To user.'),
  extension: v.optional(v.pipe(v.string(), d('{EXT}; empty = sip.user.'))),
  serverAddress: v.optional(v.pipe(v.string(), d('{SVADDR}; empty = the origin of sip.server with ws→http, wss→https.'))),
  tabName: v.optional(
    v.pipe(v.string(), v.check((n) => n.trim() !== '' && !n.startsWith('_'), 'tab-name'), d('Name of the one browser tab reused for the CRM.')),
    ctiDefaults.tabName,
  ),
  accesses: v.optional(
    v.object(Object.fromEntries(ACCESS_NAMES.map((name) => [name, accessSchema(name)])) as Record<(typeof ACCESS_NAMES)[number], ReturnType<typeof accessSchema>>),
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
    node = objectEntries(node)?.[key]
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
