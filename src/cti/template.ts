/**
 * Template expansion (docs/cti-integration.md §6 grammar, §5 command lines).
 *
 * Grammar: `{NAME}` or `{NAME|filter}`, NAME in A–Z, 0–9, `_`, `-`; filters `e164`, `national`,
 * `digits` (numbers), `epoch` (an ISO 8601 time as seconds since 1970: `{START|epoch}`). A placeholder whose name is not among the given variables, an unknown filter, and
 * any other `{…}` stay exactly as typed and are reported as warnings. Expansion is one pass:
 * a value is never expanded again, so a CRM or caller cannot inject placeholders.
 *
 * Modes:
 * - `url`: each value is percent-encoded (UTF-8 or the given charset) so it cannot change the
 *   URL's structure; `{SVADDR}` is inserted as is, because it is a URL prefix.
 * - `raw`: values inserted as they are (command arguments, display).
 * Command templates are split into argv first and expanded per argument ({@link expandCommand}).
 */

import { percentEncode, type CharsetEncoder } from './charset'
import { epochSeconds } from './call-record'
import { applyNumberFilter, isNumberFilter } from './number-filters'
import { BRACED, hasPlaceholder, PLACEHOLDER, splitCommandLine, type SplitCommand } from './template-syntax'

export { hasPlaceholder, splitCommandLine, templateNames } from './template-syntax'
export type { SplitCommand } from './template-syntax'

/** Known names → values; a known name without a value yet maps to `''`. */
export type TemplateVariables = ReadonlyMap<string, string>

export type ExpansionMode =
  | { readonly kind: 'url'; readonly charset?: string; readonly encoder?: CharsetEncoder }
  | { readonly kind: 'raw' }

export interface Expansion {
  readonly text: string
  readonly warnings: readonly string[]
}


/** Values inserted unencoded in URL mode: they are URL prefixes by definition. */
const URL_PREFIX_NAMES = new Set(['SVADDR'])

export function expandTemplate(template: string, variables: TemplateVariables, mode: ExpansionMode): Expansion {
  const warnings = new Set<string>()
  const text = template.replace(BRACED, (whole, inner: string) => {
    const parsed = PLACEHOLDER.exec(inner)
    if (!parsed) {
      warnings.add(`unknown-placeholder: ${whole} left as typed`)
      return whole
    }
    const name = parsed[1]!
    const filter = parsed[2]
    const raw = variables.get(name)
    if (raw === undefined) {
      warnings.add(`unknown-placeholder: ${whole} left as typed`)
      return whole
    }
    let value = raw
    if (filter === 'epoch') value = epochSeconds(raw)
    else if (filter !== undefined) {
      if (!isNumberFilter(filter)) {
        warnings.add(`unknown-filter: ${whole} left as typed`)
        return whole
      }
      value = applyNumberFilter(raw, filter)
    }
    if (mode.kind === 'raw' || URL_PREFIX_NAMES.has(name)) return value
    const encoded = percentEncode(value, mode.charset, mode.encoder)
    for (const warning of encoded.warnings) warnings.add(warning)
    return encoded.text
  })
  return { text, warnings: [...warnings] }
}

export interface ExpandedCommand extends SplitCommand {
  /**
   * Per argv item: true when the item's head — its text up to the first `=`, or all of it —
   * holds a placeholder, so a caller's number or name (sip.js percent-decodes the From user:
   * `{TEL}` can be `--output=/tmp/x`) or a CRM value decides whether it reads as an option.
   * `--tel={TEL}` is false: the option is the template's, only its value is the caller's.
   * The native helper refuses such items that start with `-` unless its allow-list entry
   * permits options there.
   */
  readonly fromPlaceholder: readonly boolean[]
}

/** Splits a command template, then substitutes raw values into each argument (never a shell). */
export function expandCommand(template: string, variables: TemplateVariables): ExpandedCommand {
  const split = splitCommandLine(template)
  const warnings = new Set(split.warnings)
  const argv = split.argv.map((argument) => {
    const expanded = expandTemplate(argument, variables, { kind: 'raw' })
    for (const warning of expanded.warnings) warnings.add(warning)
    return expanded.text
  })
  // A placeholder holds no `=`, so the head of the template item is exactly what precedes the
  // first literal `=`; an unknown name stays as typed but is still marked (harmless, and simpler).
  const fromPlaceholder = split.argv.map((argument) => hasPlaceholder(argument.split('=', 1)[0]!))
  return { argv, warnings: [...warnings], fromPlaceholder }
}
