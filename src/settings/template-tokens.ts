/**
 * The placeholders an access template can use (docs/cti-integration.md §6), as the engine reads them: the
 * built-in names, then the variables the auth and search formats extract (NAME and COMPANY are
 * always known). The settings screens label them; the meaning stays in `src/cti`.
 */
import { BUILTIN_NAMES, formatVariables, type ResponseFormat } from '@/cti'

export function templateTokenNames(formats: readonly unknown[]): { builtin: readonly string[]; extracted: string[] } {
  const extracted = new Set(['NAME', 'COMPANY'])
  for (const format of formats) {
    if (typeof format !== 'string' && (typeof format !== 'object' || format === null)) continue
    try {
      for (const variable of formatVariables(format as ResponseFormat)) extracted.add(variable)
    } catch {
      // A format being typed may be malformed: its variables appear once it is valid.
    }
  }
  const builtin: readonly string[] = BUILTIN_NAMES
  return { builtin, extracted: [...extracted].filter((name) => !builtin.includes(name)) }
}
