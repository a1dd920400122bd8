import { declaredKeys, isLockablePath } from './schema'

/** Every path `locked` may name, sections first: for the JSON Schema and the README. */
export function lockablePaths(prefix = ''): string[] {
  const keys = declaredKeys(prefix) ?? []
  return keys.flatMap((key) => {
    const path = prefix ? `${prefix}.${key}` : key
    return isLockablePath(path) ? [path, ...lockablePaths(path)] : []
  })
}
