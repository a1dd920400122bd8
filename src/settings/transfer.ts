/**
 * Export and import of the settings as a JSON file (the same format IT provisions).
 *
 * Export leaves out `sip.password` and `agent.password` unless asked: files travel by mail and
 * chat. Import lays the file over the current settings (so a file without passwords keeps the
 * ones this browser has), checks the result strictly, and changes nothing when anything is
 * wrong. Locked keys and the lock list are IT's: an import never changes them.
 */
import { applyLocks, lockedConflicts, type LockedValue } from './locks'
import { deepMerge } from './merge'
import { cloneJson, isObject, unsetPath } from './paths'
import { CURRENT_VERSION, type Settings } from './settings'
import { fieldError, validateDocument, type FieldError } from './validate'

export const SECRET_PATHS = ['sip.password', 'agent.password'] as const

export function exportDocument(settings: Settings, withPasswords: boolean): string {
  let doc: Settings = cloneJson(settings)
  if (!withPasswords) for (const path of SECRET_PATHS) doc = unsetPath(doc, path)
  return `${JSON.stringify(doc, null, 2)}\n`
}

export type ImportResult =
  | { ok: true; settings: Settings; keptLocked: string[]; warnings: FieldError[] }
  | { ok: false; errors: FieldError[] }

export function importDocument(current: Settings, text: string, locked: readonly LockedValue[]): ImportResult {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    return { ok: false, errors: [fieldError('', 'json', { detail: error instanceof Error ? error.message : String(error) })] }
  }
  if (!isObject(doc)) return { ok: false, errors: [fieldError('', 'object')] }
  // Checked as sent, so a wrong `locked` or `version` in the file is named like any other field.
  const merged = deepMerge(current, doc)
  const { errors, warnings } = validateDocument(merged, { cti: 'strict' })
  if (errors.length) return { ok: false, errors }
  const keptLocked = lockedConflicts(merged, locked)
  const settings = applyLocks({ ...merged, version: CURRENT_VERSION, locked: [...current.locked] }, locked)
  return { ok: true, settings, keptLocked, warnings }
}
