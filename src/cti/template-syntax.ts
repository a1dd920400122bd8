/**
 * The syntax of templates, without expanding anything (docs/cti-integration.md §5, §6): which
 * placeholders a template names, and how a command line splits into argv. Kept apart from
 * `./template.ts` so that checks of a template (the settings schema, `./access-url.ts`) need
 * neither the number formats nor the charsets that expansion does.
 */

export const BRACED = /\{([^{}\r\n]*)\}/g
export const PLACEHOLDER = /^([A-Z0-9_-]+)(?:\|([A-Za-z0-9]+))?$/

/** The names a template refers to with valid placeholder syntax, known or not. */
export function templateNames(template: string): string[] {
  const names: string[] = []
  for (const match of template.matchAll(BRACED)) {
    const name = PLACEHOLDER.exec(match[1]!)?.[1]
    if (name !== undefined && !names.includes(name)) names.push(name)
  }
  return names
}

/** True when the text holds something of placeholder syntax. */
export function hasPlaceholder(text: string): boolean {
  return templateNames(text).length > 0
}

export interface SplitCommand {
  readonly argv: readonly string[]
  readonly warnings: readonly string[]
}

/**
 * docs/cti-integration.md §5: spaces (and tabs) outside double quotes separate arguments; quotes are
 * removed (`""` is an empty argument); backslashes are literal (Windows paths); a line with no quote
 * and no placeholder is one program path (`C:\Program Files\sample.exe`).
 */
export function splitCommandLine(line: string): SplitCommand {
  const trimmed = line.trim()
  if (trimmed === '') return { argv: [], warnings: [] }
  if (!trimmed.includes('"') && !hasPlaceholder(trimmed)) return { argv: [trimmed], warnings: [] }
  const argv: string[] = []
  let current = ''
  let started = false
  let quoted = false
  for (const char of trimmed) {
    if (char === '"') {
      quoted = !quoted
      started = true
    } else if (!quoted && (char === ' ' || char === '\t')) {
      if (started) argv.push(current)
      current = ''
      started = false
    } else {
      current += char
      started = true
    }
  }
  if (started) argv.push(current)
  return { argv, warnings: quoted ? ['unbalanced-quote: the last argument runs to the end of the line'] : [] }
}
