/**
 * The `cti` section of the settings document as a Valibot schema: the one validator of the
 * section. The settings document (`src/settings/schema.ts`) embeds it, so start-up, the settings
 * screens, imports, the published JSON Schema and the engine all read `cti` by this definition;
 * {@link normalizeCtiConfig} then only derives the engine's config from the validated section.
 *
 * Pure (Valibot has no DOM or Vue), so it lives with the engine it describes. Messages of custom
 * checks are error codes; `src/settings/validate.ts` words them (`settings.errors.<code>`).
 * Every key is optional: a provisioning document names only what it sets.
 */
import * as v from 'valibot'
import { accessUrlProblem, isServerAddress } from './access-url'
import { isKnownCharset } from './charset-names'
import { ACCESS_METHODS, ACCESS_NAMES, defaultAccessConfig, defaultCtiConfig, type AccessName } from './config'
import { formatVariables } from './format-variables'

const d = v.description

/** Seconds or minutes: a finite number from 0 to `max`. */
const amount = (max: number, fallback: number, text: string) =>
  v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(max), d(text)), fallback)
const text = (fallback: string, description: string) => v.optional(v.pipe(v.string(), d(description)), fallback)
const flag = (fallback: boolean, description: string) => v.optional(v.pipe(v.boolean(), d(description)), fallback)

export function isRegExp(source: string, flags = ''): boolean {
  try {
    new RegExp(source, flags)
    return true
  } catch {
    return false
  }
}

export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const VARIABLE = /^[A-Z0-9_-]+$/

export const CTI_TARGETS = ['none', 'custom', 'salesforce'] as const
export const CREDENTIALS = ['omit', 'same-origin', 'include'] as const

const formatSchema = v.union(
  [
    v.pipe(v.string(), d('Text format: literals, {CRLF}/{CR}/{LF} and {VAR} tokens, e.g. "{NAME}{CRLF}{COMPANY}".')),
    v.object({
      json: v.pipe(
        v.record(v.pipe(v.string(), v.regex(VARIABLE, 'variable-name')), v.pipe(v.string(), v.check((p) => p === '' || p.startsWith('/'), 'json-pointer'))),
        d('Variable name → JSON Pointer into the response, e.g. {"NAME": "/customer/name"}.'),
      ),
    }),
    v.pipe(
      v.object({
        regex: v.pipe(v.string(), d('Regular expression whose named groups (?<NAME>…) become variables.')),
        flags: v.optional(v.pipe(v.string(), v.regex(/^[dgimsuvy]*$/, 'regex-flags'))),
      }),
      v.check((f) => isRegExp(f.regex, f.flags), 'regex'),
      // A regex without a named group extracts nothing: certainly a mistake.
      v.check((f) => formatVariables({ regex: f.regex }).length > 0, 'regex-group'),
    ),
  ],
  'format',
)

const accessDefaults = defaultAccessConfig()
const accessSchema = (name: AccessName) =>
  v.optional(
    v.pipe(
      v.object({
        method: v.optional(v.pipe(v.picklist(ACCESS_METHODS), d('none, get (open in the CRM tab), get-internal (background request), post, post-internal, command (native helper).')), accessDefaults.method),
        url: text('', 'URL template with placeholders such as {TEL}; an OS command line for method command.'),
        format: v.optional(v.nullable(formatSchema)),
        delaySeconds: amount(3600, 0, 'Answer access only: seconds to wait after the answer.'),
        onlyIfAnswered: flag(false, 'Hang-up access only: run only for calls that were answered.'),
        charset: v.optional(v.nullable(v.pipe(v.string(), v.check((c) => c === '' || isKnownCharset(c), 'charset'), d('Charset of values in the URL and of the response, e.g. Shift_JIS; default UTF-8.')))),
        credentials: v.optional(v.pipe(v.picklist(CREDENTIALS), d('fetch credentials mode of internal methods (cookies).')), accessDefaults.credentials),
        via: v.optional(v.nullable(v.pipe(v.literal('helper'), d('Internal methods: send through the native helper instead of fetch.')))),
        field: v.optional(v.pipe(v.string(), d('Recording: file field (file).'))),
        fields: v.optional(v.pipe(v.record(v.string(), v.string()), d('Recording: extra fields.'))),
        publicVariables: v.optional(
          v.pipe(
            v.array(v.pipe(v.string(), v.regex(VARIABLE, 'variable-name'))),
            d('Auth only: variables of the format that are not secrets, e.g. ["OPERATOR"]. Every other value the auth response yields (a session ID) is masked in the CTI log.'),
          ),
        ),
      }),
      // A configured access needs something to open, send or run.
      v.forward(v.partialCheck([['method'], ['url']], (a) => a.method === 'none' || a.url.trim() !== '', 'url-required'), ['url']),
      // http(s) only (or {SVADDR}); a command's program is written out (./access-url.ts).
      v.forward(v.partialCheck([['method'], ['url']], (a) => accessUrlProblem(a.method, a.url) !== 'url-scheme', 'url-scheme'), ['url']),
      v.forward(v.partialCheck([['method'], ['url']], (a) => accessUrlProblem(a.method, a.url) !== 'command-program', 'command-program'), ['url']),
      d(`The ${name} access.`),
    ),
  )

const defaults = defaultCtiConfig()
const headerName = (description: string) =>
  v.optional(v.nullable(v.pipe(v.string(), v.check((h) => h === '' || h === 'none' || HEADER_NAME.test(h), 'header-name'), d(description))))

export const ctiSchema = v.object({
  target: v.optional(v.pipe(v.picklist(CTI_TARGETS), d('Integration target: none, custom (the custom integration) or salesforce (not available yet).')), defaults.target),
  skipInternal: flag(defaults.skipInternal, 'Run no access for internal calls (number matches internalPattern).'),
  internalPattern: v.optional(
    v.pipe(v.string(), v.check((p) => isRegExp(p), 'regex'), d('JavaScript regular expression that marks a number as internal.')),
    defaults.internalPattern,
  ),
  sessionKeepMinutes: amount(1440, defaults.sessionKeepMinutes, 'Minutes the auth access\'s values stay valid; 0 = until logout.'),
  pollingMinutes: amount(1440, defaults.pollingMinutes, 'Minutes between keep-alive auth accesses; 0 = off.'),
  timeoutSeconds: amount(3600, defaults.timeoutSeconds, 'Per-request timeout in seconds; 0 = none.'),
  outgoing: flag(defaults.outgoing, 'Also run search, ring (dialling), answer and hang-up for outgoing calls.'),
  numbers: v.optional(v.pipe(v.array(v.string()), d('Candidate numbers for targeting (the agent\'s extension always is one).')), []),
  targetNumbers: v.optional(
    v.pipe(v.union([v.literal('all'), v.array(v.string())], 'all-or-list'), d('"all", or the numbers whose incoming calls are integrated.')),
    'all',
  ),
  requestIdHeader: headerName('SIP header carrying {ID}; empty = 20 random digits per call.'),
  calledHeader: headerName('SIP header carrying {CALLED}; empty = the To user.'),
  extension: v.optional(v.pipe(v.string(), d('{EXT}; empty = sip.user.'))),
  serverAddress: v.optional(v.pipe(v.string(), v.check(isServerAddress, 'http-url'), d('{SVADDR}: an http(s) URL; empty = the origin of sip.server with ws→http, wss→https.'))),
  tabName: v.optional(
    v.pipe(v.string(), v.check((n) => n.trim() !== '' && !n.startsWith('_'), 'tab-name'), d('Name of the one browser tab reused for the CRM.')),
    defaults.tabName,
  ),
  accesses: v.optional(
    v.object(Object.fromEntries(ACCESS_NAMES.map((name) => [name, accessSchema(name)])) as Record<AccessName, ReturnType<typeof accessSchema>>),
  ),
})

/** The `cti` section once validated: what {@link normalizeCtiConfig} derives the engine's config from. */
export type CtiSection = v.InferOutput<typeof ctiSchema>

export type CtiSectionCheck =
  | { readonly ok: true; readonly section: CtiSection }
  | { readonly ok: false; readonly issues: readonly v.BaseIssue<unknown>[] }

/** Validates a `cti` section (absent = all defaults); issues carry their path below `cti` and an error code. */
export function checkCtiSection(input: unknown): CtiSectionCheck {
  const result = v.safeParse(ctiSchema, input ?? {})
  return result.success ? { ok: true, section: result.output } : { ok: false, issues: result.issues }
}
