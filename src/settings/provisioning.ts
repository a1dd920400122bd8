/**
 * Provisioning for IT: where the document comes from, and how it is laid over the saved
 * settings. Whether a source may provision at all is `trust.ts`'s decision, made first.
 *
 * - `?config=<url>`: a JSON file fetched at every start (the server must allow our origin).
 * - `#config=<base64url of the JSON>[&sig=<base64url signature>]`: the document in the link
 *   itself; the fragment never reaches a server. Used when there is no `?config=`.
 *
 * Applying ({@link applyProvisioning}): a document that differs from the one applied last
 * (by hash) is merged over the settings (objects deeply, arrays replace), so a reload of the
 * same link keeps what the agent changed in unlocked fields. A document as trusted as the one
 * that set the locks (or more) brings `locked` and the locked values every time, laid over
 * everything; a less trusted one changes only keys that are not locked.
 */
import { deepMerge } from './merge'
import { applyLocks, lockedConflicts, lockedValuesOf } from './locks'
import { sameJson } from './paths'
import { CURRENT_VERSION, defaultSettings, type Settings } from './settings'
import type { ProvisioningState } from './stored-record'
import { trustRank, type Trust } from './trust-rank'

export type ProvisioningSource =
  | { kind: 'url'; url: string }
  | { kind: 'inline'; label: string; text: string; signature?: string }
  | { kind: 'inline-invalid'; label: string; message: string }

/** The label shown for an inline document: never the document, which may hold passwords. */
export const INLINE_LABEL = '#config'

export function decodeBase64Url(data: string): string | undefined {
  const base64 = data.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]*$/.test(base64) || base64.length % 4 === 1) return undefined
  try {
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

export function encodeBase64Url(text: string): string {
  const binary = Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('')
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The provisioning source named by the page's address, if any. */
export function provisioningSource(href: string): ProvisioningSource | undefined {
  const url = new URL(href)
  const configUrl = url.searchParams.get('config')
  if (configUrl) return { kind: 'url', url: configUrl }
  const params = new URLSearchParams(url.hash.replace(/^#/, ''))
  const fragment = params.get('config')
  if (fragment === null) return undefined
  const text = decodeBase64Url(fragment)
  if (text === undefined) return { kind: 'inline-invalid', label: INLINE_LABEL, message: 'not base64url-encoded UTF-8' }
  const signature = params.get('sig')
  return signature === null ? { kind: 'inline', label: INLINE_LABEL, text } : { kind: 'inline', label: INLINE_LABEL, text, signature }
}

export interface Applied {
  settings: Settings
  provisioning: ProvisioningState
  /** False when the document was the one applied last: only the locked values were laid again. */
  changed: boolean
  /**
   * A less trusted document than the one that set the locks: the locked keys it tried to set
   * (or unlock), kept as they were. Empty otherwise.
   */
  keptLocked: string[]
}

/** The trust of the locks in `state`; a state saved before trust was recorded counts as a link's. */
export function trustOf(state: ProvisioningState | undefined): Trust {
  return state?.trust ?? 'link'
}

/**
 * Lays a provisioning document (already validated and admitted with `trust`) over the saved
 * settings. `hash` identifies the document; `previous` is the state saved with the settings.
 */
export function applyProvisioning(
  saved: Settings,
  doc: Record<string, unknown>,
  hash: string,
  source: string,
  previous: ProvisioningState | undefined,
  now: Date,
  trust: Trust = 'it',
): Applied {
  const changed = previous?.hash !== hash
  if (previous && previous.locked.length > 0 && trustRank(trust) < trustRank(trustOf(previous))) {
    return applyUnderLocks(saved, doc, hash, previous, now, changed)
  }
  const locked = Array.isArray(doc.locked) ? (doc.locked as string[]) : []
  // The fixed values are IT's: the document over the defaults, whatever the agent had.
  const values = lockedValuesOf(deepMerge(defaultSettings(), doc), locked)
  const merged = changed ? deepMerge(saved, doc) : saved
  // The lock list itself always is the document's, whether or not the rest was applied.
  const settings = applyLocks({ ...merged, version: CURRENT_VERSION, locked: [...locked] }, values)
  const agent = (doc as { agent?: { id?: unknown; password?: unknown } }).agent
  const providesAgent = typeof agent?.id === 'string' && agent.id !== '' && typeof agent.password === 'string' && agent.password !== ''
  const provisioning: ProvisioningState = changed || !previous
    ? { hash, source, appliedAt: now.toISOString(), locked: values, trust, ...(providesAgent ? { providesAgent } : {}) }
    : { ...previous, source, locked: values, trust }
  return { settings, provisioning, changed, keptLocked: [] }
}

/**
 * A document less trusted than the locks: its unlocked keys apply, its `locked` list is
 * ignored, and every locked key keeps the value the more trusted document fixed.
 */
function applyUnderLocks(
  saved: Settings,
  doc: Record<string, unknown>,
  hash: string,
  previous: ProvisioningState,
  now: Date,
  changed: boolean,
): Applied {
  const { locked: wantedLocks, ...values } = doc
  const locks = previous.locked.map((entry) => entry.path)
  const keptLocked = lockedConflicts(deepMerge(saved, values), previous.locked)
  if (Array.isArray(wantedLocks) && !sameJson([...wantedLocks].sort(), [...locks].sort())) keptLocked.push('locked')
  const merged = changed ? deepMerge(saved, values) : saved
  const settings = applyLocks({ ...merged, version: CURRENT_VERSION, locked: locks }, previous.locked)
  // The locks, their source and their trust stay the more trusted document's; the hash is this one's.
  const provisioning: ProvisioningState = changed ? { ...previous, hash, appliedAt: now.toISOString() } : previous
  return { settings, provisioning, changed, keptLocked }
}
