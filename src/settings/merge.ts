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
    // JSON.parse makes `__proto__` an own key; assigning it would swap the prototype.
    if (key === '__proto__') continue
    const current = Object.hasOwn(out, key) ? out[key] : undefined
    out[key] = isObject(value) && isObject(current) ? deepMerge(current, value) : value
  }
  return out as T
}
