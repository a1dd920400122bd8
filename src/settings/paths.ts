/**
 * Dotted paths into a settings document (`sip.server`, `cti.accesses.search.url`): the names
 * `locked`, field errors and the settings screens use for one key.
 */

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.')
}

/** The value at `path`, or undefined when any step is missing. Array indexes are path steps. */
export function getPath(doc: unknown, path: string): unknown {
  let node: unknown = doc
  for (const key of splitPath(path)) {
    if (isObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined
    else if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)]
    else return undefined
  }
  return node
}

/** A copy of `doc` with `value` at `path`; missing objects on the way are created. */
export function setPath<T>(doc: T, path: string, value: unknown): T {
  const [key, ...rest] = splitPath(path)
  if (key === undefined) return value as T
  const base: JsonObject = isObject(doc) ? { ...doc } : {}
  // defineProperty: a key named `__proto__` stays a plain key instead of replacing the prototype.
  const child = rest.length === 0 ? value : setPath(Object.hasOwn(base, key) ? base[key] : undefined, rest.join('.'), value)
  Object.defineProperty(base, key, { value: child, enumerable: true, writable: true, configurable: true })
  return base as T
}

/** A copy of `doc` without the key at `path` (nothing happens when it is absent). */
export function unsetPath<T>(doc: T, path: string): T {
  const [key, ...rest] = splitPath(path)
  if (key === undefined || !isObject(doc) || !Object.hasOwn(doc, key)) return doc
  const base: JsonObject = { ...doc }
  if (rest.length === 0) delete base[key]
  else base[key] = unsetPath(base[key], rest.join('.'))
  return base as T
}

/** True when `path` is `ancestor` itself or lies below it (`cti.accesses.auth.url` in `cti.accesses`). */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`)
}

/** A deep, proxy-free copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** Deep equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]))
  }
  if (!isObject(a) || !isObject(b)) return false
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) if (!sameJson(a[key], b[key])) return false
  return true
}
