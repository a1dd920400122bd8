import * as v from 'valibot'
import { normalizeCtiConfig, type CtiConfig, type NormalizedCti, type SipBasics } from '../config'
import { checkCtiSection } from '../schema'

/** What the app does with a `cti` section: validate it by the schema, then derive the engine's config. */
export function readCti(input: unknown, sip: SipBasics): ({ ok: true } & NormalizedCti) | { ok: false; paths: string[] } {
  const checked = checkCtiSection(input)
  if (!checked.ok) return { ok: false, paths: checked.issues.map((issue) => v.getDotPath(issue) ?? '') }
  return { ok: true, ...normalizeCtiConfig(checked.section, sip) }
}

/** The engine's config for a test's `cti` section; throws on an invalid one (a broken fixture). */
export function ctiConfig(input: unknown, sip: SipBasics): CtiConfig {
  const result = readCti(input, sip)
  if (!result.ok) throw new Error(`invalid cti fixture at ${result.paths.join(', ')}`)
  return result.config
}
