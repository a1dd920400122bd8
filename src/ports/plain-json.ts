/** A deep, proxy-free copy of a JSON-compatible value (what IndexedDB can store). */
export function toPlainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
