/**
 * The CTI engine's own check of the `cti` section (regular expressions with named groups, JSON
 * Pointers, warnings about settings that have no effect), for the screens and imports. Loads the
 * engine on demand: it is not part of the first paint.
 */
import type { Settings } from './settings'
import type { FieldError } from './validate'

export interface CtiCheck {
  errors: FieldError[]
  warnings: FieldError[]
}

export async function checkCti(settings: Pick<Settings, 'cti' | 'sip'>): Promise<CtiCheck> {
  const { normalizeCtiConfig } = await import('@/cti')
  const result = normalizeCtiConfig(settings.cti, { user: settings.sip.user, server: settings.sip.server })
  const prefix = (path: string) => (path ? `cti.${path}` : 'cti')
  if (!result.ok) return { errors: result.errors.map((e) => ({ path: prefix(e.path), message: e.message })), warnings: [] }
  return { errors: [], warnings: result.warnings.map((w) => ({ path: prefix(w.path), message: w.message })) }
}
