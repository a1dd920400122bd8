/**
 * The variables a response format extracts (docs/cti-integration.md §7), known before any
 * response arrives: what the settings check and the template editors need at start. Parsing a
 * response with a format is `response-format.ts`, part of the engine (a lazy chunk).
 */

export type ResponseFormat = string | { readonly json: Readonly<Record<string, string>> } | { readonly regex: string; readonly flags?: string }

type TextToken = { kind: 'literal'; text: string } | { kind: 'break' } | { kind: 'var'; name: string }

/** The name of a variable a text or JSON format may set. */
export const TEXT_VAR = /^[A-Z0-9_-]+$/
const GROUP_VAR = /^[A-Z0-9_]+$/

/** Splits a text format into tokens; `{…}` that is no variable or break token is literal text. */
export function tokenizeTextFormat(format: string): TextToken[] {
  const tokens: TextToken[] = []
  const pushLiteral = (text: string): void => {
    if (text === '') return
    const last = tokens[tokens.length - 1]
    if (last?.kind === 'literal') last.text += text
    else tokens.push({ kind: 'literal', text })
  }
  const pattern = /\{(CRLF|CR|LF)\}|\{([A-Z0-9_-]+)\}|\r\n|\r|\n/g
  let position = 0
  for (const match of format.matchAll(pattern)) {
    pushLiteral(format.slice(position, match.index))
    position = match.index + match[0].length
    if (match[2] !== undefined) tokens.push({ kind: 'var', name: match[2] })
    else tokens.push({ kind: 'break' })
  }
  pushLiteral(format.slice(position))
  return tokens
}

/** Named groups declared in a regex source, in order, filtered to the variable grammar. */
export function regexGroupNames(source: string): string[] {
  const names: string[] = []
  for (const match of source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)) {
    const name = match[1]!
    if (GROUP_VAR.test(name) && !names.includes(name)) names.push(name)
  }
  return names
}

/** The variables a format extracts, known before any response arrives. */
export function formatVariables(format: ResponseFormat): string[] {
  if (typeof format === 'string') {
    const names: string[] = []
    for (const token of tokenizeTextFormat(format)) if (token.kind === 'var' && !names.includes(token.name)) names.push(token.name)
    return names
  }
  if ('json' in format) return Object.keys(format.json).filter((name) => TEXT_VAR.test(name))
  return regexGroupNames(format.regex)
}
