import { defineStore } from 'pinia'
import {
  knownExtractedNames,
  normalizeCtiConfig,
  previewTry,
  runTry,
  sampleCall,
  type AccessName,
  type AgentCredentials,
  type SampleCall,
  type TryPreview,
  type TryResult,
} from '@/cti'
import { usePorts } from '@/ports/ports'
import type { FieldError, Settings } from '@/settings/settings'
import { validateCtiSection } from '@/settings/validate'

/** The settings a try runs on: the document being edited, saved or not. */
export type TrySettings = Pick<Settings, 'cti' | 'sip'>

/** What the agent typed into the console: the sample call, the agent, values from earlier tries. */
export interface ConsoleSample {
  readonly call: SampleCall
  readonly agent: AgentCredentials
  readonly extracted: Readonly<Record<string, string>>
}

export type ConsoleView =
  | { readonly ok: false; readonly errors: FieldError[] }
  | {
      readonly ok: true
      /** Variables some format extracts (plus NAME and COMPANY): offered for editing. */
      readonly extractedNames: string[]
      readonly preview: TryPreview
    }

/**
 * The test console's actions ("Try it" in the access editor): one access for a sample call, on
 * the CTI engine's own code path (`src/cti/try-access.ts`) with the real ports, so what the
 * console sends is what a real call would send. Loaded with the settings dialog, not at start.
 */
export const useTestConsoleStore = defineStore('test-console', () => {
  const ports = usePorts()

  function configOf(settings: TrySettings) {
    const checked = validateCtiSection(settings.cti)
    if (!checked.ok) return checked
    return { ok: true as const, config: normalizeCtiConfig(checked.section, { user: settings.sip.user, server: settings.sip.server }).config }
  }

  /** The request the access would make now for the sample, as the engine would prepare it. */
  function view(settings: TrySettings, name: AccessName, sample: ConsoleSample): ConsoleView {
    const read = configOf(settings)
    if (!read.ok) return read
    const names = new Set(['NAME', 'COMPANY', ...knownExtractedNames(read.config)])
    const preview = previewTry({ config: read.config, access: name, sample: sample.call, agent: sample.agent, extracted: sample.extracted, secrets: [settings.sip.password] }, ports.cti)
    return { ok: true, extractedNames: [...names], preview }
  }

  /**
   * Runs the access once for the sample: an internal request is sent, a tab or form opens in the
   * CRM tab, exactly as in a call. Undefined when the settings are invalid.
   */
  async function tryAccess(settings: TrySettings, name: AccessName, sample: ConsoleSample): Promise<TryResult | undefined> {
    const read = configOf(settings)
    if (!read.ok) return undefined
    return runTry({ config: read.config, access: name, sample: sample.call, agent: sample.agent, extracted: sample.extracted, secrets: [settings.sip.password] }, ports.cti)
  }

  return { view, tryAccess, sampleCall }
})
