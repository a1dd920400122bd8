/**
 * The CTI engine's config from the settings: the `cti` section validated by its one schema
 * (`src/cti/schema.ts`, through `validate.ts` for the messages), then derived by the engine's
 * `normalizeCtiConfig` (defaults from `sip.*`, and warnings about settings without effect).
 * Loads the engine on demand: it is not part of the first paint.
 */
import type { CtiConfig } from '@/cti'
import type { Settings } from './settings'
import { validateCtiSection, type FieldError } from './validate'

export type CtiRead =
  | { ok: true; config: CtiConfig; warnings: FieldError[] }
  | { ok: false; errors: FieldError[] }

export async function readCtiConfig(settings: Pick<Settings, 'cti' | 'sip'>): Promise<CtiRead> {
  const checked = validateCtiSection(settings.cti)
  if (!checked.ok) return checked
  const { normalizeCtiConfig } = await import('@/cti')
  const { config, warnings } = normalizeCtiConfig(checked.section, { user: settings.sip.user, server: settings.sip.server })
  return { ok: true, config, warnings: warnings.map((w) => ({ path: w.path ? `cti.${w.path}` : 'cti', message: w.message })) }
}
