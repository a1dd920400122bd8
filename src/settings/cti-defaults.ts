/**
 * The `cti` section as the settings screens show it: the names of `src/cti` (which owns the
 * meaning and validates the section, `src/cti/schema.ts`), and the defaults of docs/cti-integration.md §10 in the
 * document's form, where derived keys are empty. `cti-defaults.test.ts` keeps these defaults
 * meaning the same to the engine as no section at all.
 */
import { ACCESS_METHODS, ACCESS_NAMES, type AccessMethod, type AccessName } from '@/cti/config'

export { ACCESS_METHODS, ACCESS_NAMES }
export { CREDENTIALS, CTI_TARGETS } from '@/cti/schema'
export type { AccessMethod, AccessName }

export const INTERNAL_METHODS: readonly AccessMethod[] = ['get-internal', 'post-internal']

/** Accesses whose response a format reads (docs/cti-integration.md §4). */
export const FORMAT_ACCESSES: readonly AccessName[] = ['auth', 'search']

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
