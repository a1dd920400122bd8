/**
 * The `cti` section as the settings screens and the JSON Schema see it: names and defaults of
 * docs/cti-integration.md §10. `src/cti` owns the meaning (its `normalizeCtiConfig` is what the
 * engine runs on); these copies exist so that the start-up bundle need not load the engine to
 * validate and the screens can show defaults. `cti-defaults.test.ts` keeps them equal to the
 * engine's.
 */

export const ACCESS_NAMES = ['auth', 'search', 'click', 'ring', 'answer', 'hangup'] as const
export type AccessName = (typeof ACCESS_NAMES)[number]

export const ACCESS_METHODS = ['none', 'get', 'get-internal', 'post', 'post-internal', 'command'] as const
export type AccessMethod = (typeof ACCESS_METHODS)[number]

export const INTERNAL_METHODS: readonly AccessMethod[] = ['get-internal', 'post-internal']

/** Accesses whose response a format reads (docs/cti-integration.md §4). */
export const FORMAT_ACCESSES: readonly AccessName[] = ['auth', 'search']

export const CTI_TARGETS = ['none', 'custom', 'salesforce'] as const
export const CREDENTIALS = ['omit', 'same-origin', 'include'] as const

export function defaultAccessSettings() {
  return { method: 'none' as AccessMethod, url: '', delaySeconds: 0, onlyIfAnswered: false, credentials: 'omit' as const }
}

/**
 * docs/cti-integration.md §10 defaults. `extension` and `serverAddress` are empty here because their
 * defaults are derived from `sip.*` at run time: an empty or absent value means "derive".
 */
export function defaultCtiSettings() {
  return {
    target: 'none' as const,
    skipInternal: true,
    internalPattern: '^\\d{2,6}$',
    sessionKeepMinutes: 30,
    pollingMinutes: 0,
    timeoutSeconds: 10,
    outgoing: false,
    numbers: [] as string[],
    targetNumbers: 'all' as 'all' | string[],
    requestIdHeader: '',
    calledHeader: '',
    extension: '',
    serverAddress: '',
    tabName: 'tsunagu-crm',
    accesses: Object.fromEntries(ACCESS_NAMES.map((name) => [name, defaultAccessSettings()])) as Record<AccessName, ReturnType<typeof defaultAccessSettings>>,
  }
}

/** Keys whose empty value means "not set, use the derived default" (docs/cti-integration.md §10). */
export const DERIVED_WHEN_EMPTY = ['cti.extension', 'cti.serverAddress', 'cti.requestIdHeader', 'cti.calledHeader'] as const
