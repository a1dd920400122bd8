/**
 * Export and import of the settings as a JSON file (the same format IT provisions).
 *
 * Export leaves out every credential unless asked: files travel by mail and chat. That is
 * `sip.password`, `agent.password`, each TURN server's `credential`, and passwords typed into
 * CTI access templates (the value after a secret-looking key, `password=hunter2` → `password=`;
 * see `withoutLiteralSecrets`). Import lays the file over the current settings (so a file
 * without passwords keeps the ones this browser has — also a TURN credential of the same server
 * and user, and a template's typed password when the file holds that template with it removed),
 * checks the result strictly, and changes nothing when anything is wrong. Locked keys and the
 * lock list are IT's: an import never changes them.
 */
import { withoutLiteralSecrets } from '@/cti/secrets'
import { ACCESS_NAMES } from './cti-defaults'
import { applyLocks, lockedConflicts, type LockedValue } from './locks'
import { deepMerge } from './merge'
import { cloneJson, getPath, isObject, setPath, unsetPath } from './paths'
import { CURRENT_VERSION, type Settings } from './settings'
import { fieldError, validateDocument, type FieldError } from './validate'

export const SECRET_PATHS = ['sip.password', 'agent.password'] as const

const ACCESS_URL_PATHS = ACCESS_NAMES.map((name) => `cti.accesses.${name}.url`)

type IceServer = Settings['sip']['iceServers'][number]

function withoutCredential(server: IceServer): IceServer {
  const { credential: _dropped, ...rest } = server
  return rest
}

const sameServer = (a: IceServer, b: IceServer): boolean =>
  JSON.stringify(a.urls) === JSON.stringify(b.urls) && (a.username ?? '') === (b.username ?? '')

/** The document without any credential (see the top of this file). */
export function withoutCredentials(settings: Settings): Settings {
  let doc: Settings = cloneJson(settings)
  for (const path of SECRET_PATHS) doc = unsetPath(doc, path)
  if (Array.isArray(doc.sip.iceServers)) doc.sip.iceServers = doc.sip.iceServers.map(withoutCredential)
  for (const path of ACCESS_URL_PATHS) {
    const url = getPath(doc, path)
    if (typeof url === 'string') doc = setPath(doc, path, withoutLiteralSecrets(url))
  }
  return doc
}

export function exportDocument(settings: Settings, withPasswords: boolean): string {
  const doc = withPasswords ? cloneJson(settings) : withoutCredentials(settings)
  return `${JSON.stringify(doc, null, 2)}\n`
}

/** Puts back this browser's credentials that an export without passwords took out of `merged`. */
function keepOwnCredentials(current: Settings, merged: Settings): Settings {
  const out = cloneJson(merged)
  if (Array.isArray(out.sip?.iceServers)) {
    out.sip.iceServers = out.sip.iceServers.map((server) => {
      if (!isObject(server) || server.credential !== undefined) return server
      const own = current.sip.iceServers.find((candidate) => candidate.credential !== undefined && sameServer(candidate, server))
      return own ? { ...server, credential: own.credential } : server
    })
  }
  let kept = out
  for (const path of ACCESS_URL_PATHS) {
    const own = getPath(current, path)
    const url = getPath(kept, path)
    if (typeof own === 'string' && url !== own && url === withoutLiteralSecrets(own)) kept = setPath(kept, path, own)
  }
  return kept
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
  const merged = keepOwnCredentials(current, deepMerge(current, doc))
  const { errors, warnings } = validateDocument(merged, { cti: 'strict' })
  if (errors.length) return { ok: false, errors }
  const keptLocked = lockedConflicts(merged, locked)
  const settings = applyLocks({ ...merged, version: CURRENT_VERSION, locked: [...current.locked] }, locked)
  return { ok: true, settings, keptLocked, warnings }
}
