import { isObject } from './paths'

/**
 * Deep merge: objects merge key by key, arrays and scalars replace. This is how a provisioning
 * document, an import or an edit is laid over the settings: IT can send `{"sip": {"user": …}}`
 * alone, and a list (`cti.numbers`, `locked`) is always exactly the one sent.
 */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key], value) : value
  }
  return out as T
}
