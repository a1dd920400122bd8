/**
 * What this browser keeps in IndexedDB under one key: the settings document and the state of
 * provisioning, written together so the settings and the hash of the document they came from
 * can never disagree.
 *
 * The record has its own schema number, upgraded step by step by {@link MIGRATIONS}. A record
 * this phone cannot read — from a newer Tsunagu (after IT rolled back a version) or damaged —
 * is reported and left exactly as it is: the caller must not write over it unless the agent
 * says so.
 */
import type { LockedValue } from './locks'
import type { Trust } from './trust-rank'
import { isObject } from './paths'
import { parseSettings, type FieldError, type Settings } from './settings'

export const STORE_SCHEMA = 2

/** The provisioning document last applied in this browser. */
export interface ProvisioningState {
  /** SHA-256 of the document (canonical JSON): a different hash means IT changed it. */
  hash: string
  /** Where it came from: the `?config=` URL, or `#config`. */
  source: string
  appliedAt: string
  /** The `locked` paths and their fixed values. */
  locked: LockedValue[]
  /**
   * The document gave the agent's CTI id and password: the login screen is skipped at start
   * (docs/cti-integration.md §1). A password the agent chose to remember never skips it.
   */
  providesAgent?: boolean
  /** How far the source of the locks is trusted (`trust.ts`); absent (older records) = `link`. */
  trust?: Trust
}

export interface StoredRecord {
  schema: typeof STORE_SCHEMA
  settings: Settings
  provisioning?: ProvisioningState
}

export type ReadResult =
  | { kind: 'empty' }
  | { kind: 'ok'; record: StoredRecord; upgradedFrom?: number }
  | { kind: 'newer'; schema: number }
  | { kind: 'corrupt'; errors: FieldError[] }

/**
 * One step per schema number: MIGRATIONS[n] turns a schema-n record into schema n+1.
 * Schema 1 (Foundation and CTI engine releases) was the settings document itself, stored bare.
 */
export const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  1: (old) => ({ schema: 2, settings: old }),
}

/** The schema number of a stored value; a bare document (schema 1) is recognized by `version`. */
function schemaOf(raw: Record<string, unknown>): number | undefined {
  if ('schema' in raw) return typeof raw.schema === 'number' && Number.isInteger(raw.schema) && raw.schema >= 1 ? raw.schema : undefined
  // A bare document of a newer format is "newer", not damaged: report its version as is.
  if (typeof raw.version === 'number') return raw.version === 1 ? 1 : raw.version > 1 ? Number.POSITIVE_INFINITY : undefined
  return undefined
}

function isLockedValue(value: unknown): value is LockedValue {
  return isObject(value) && typeof value.path === 'string'
}

function isProvisioningState(value: unknown): value is ProvisioningState {
  return isObject(value) && typeof value.hash === 'string' && typeof value.source === 'string' &&
    typeof value.appliedAt === 'string' && Array.isArray(value.locked) && value.locked.every(isLockedValue) &&
    (value.trust === undefined || value.trust === 'it' || value.trust === 'link')
}

/** Reads a stored value through the migrations; never throws and never changes `raw`. */
export function readStoredRecord(raw: unknown): ReadResult {
  if (raw === undefined || raw === null) return { kind: 'empty' }
  if (!isObject(raw)) return { kind: 'corrupt', errors: [{ path: '', message: 'the saved settings are not an object' }] }
  const first = schemaOf(raw)
  if (first === undefined) return { kind: 'corrupt', errors: [{ path: 'schema', message: 'the saved settings have no readable schema number' }] }
  if (first > STORE_SCHEMA) return { kind: 'newer', schema: Number.isFinite(first) ? first : Number(raw.version) }
  let record: Record<string, unknown> = raw
  for (let schema = first; schema < STORE_SCHEMA; schema++) record = MIGRATIONS[schema]!(record)
  const parsed = parseSettings(record.settings)
  if (!parsed.ok) return { kind: 'corrupt', errors: parsed.errors }
  if (record.provisioning !== undefined && !isProvisioningState(record.provisioning)) {
    return { kind: 'corrupt', errors: [{ path: 'provisioning', message: 'the saved provisioning state is damaged' }] }
  }
  const result: StoredRecord = { schema: STORE_SCHEMA, settings: parsed.settings }
  if (record.provisioning) result.provisioning = record.provisioning as ProvisioningState
  return first < STORE_SCHEMA ? { kind: 'ok', record: result, upgradedFrom: first } : { kind: 'ok', record: result }
}
