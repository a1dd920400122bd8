/**
 * `locked`: dotted paths IT fixes. Their values come from the provisioning document (laid over
 * the defaults, so a locked key the document leaves out is fixed at its default), are saved with
 * the settings, and are laid over every other change — an edit, an import, a newer provisioning
 * document that is identical elsewhere — so nothing but IT's next document changes them.
 */
import { cloneJson, getPath, isWithin, sameJson, setPath, unsetPath } from './paths'

/** A locked path and its fixed value; no `value` key = the key is fixed as absent (derived default). */
export interface LockedValue {
  path: string
  value?: unknown
}

/**
 * True when the agent may not change `path`: it or a section above it is locked, or it is a
 * section that holds a locked key (a list editor of `cti.accesses` cannot be half read-only).
 */
export function isLocked(locked: readonly string[], path: string): boolean {
  return locked.some((entry) => isWithin(path, entry) || isWithin(entry, path))
}

/** The values of `locked` paths in `source`. */
export function lockedValuesOf(source: unknown, locked: readonly string[]): LockedValue[] {
  return locked.map((path) => {
    const value = getPath(source, path)
    return value === undefined ? { path } : { path, value: cloneJson(value) }
  })
}

/** `doc` with every locked value laid over it. */
export function applyLocks<T>(doc: T, values: readonly LockedValue[]): T {
  let out = doc
  for (const entry of values) out = 'value' in entry ? setPath(out, entry.path, cloneJson(entry.value)) : unsetPath(out, entry.path)
  return out
}

/** Locked paths whose value in `wanted` (a whole document) differs from the fixed one: what an import could not change. */
export function lockedConflicts(wanted: unknown, values: readonly LockedValue[]): string[] {
  return values.filter((entry) => !sameJson(getPath(wanted, entry.path), entry.value)).map((entry) => entry.path)
}
