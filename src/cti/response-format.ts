/**
 * Response formats (docs/cti-integration.md §7): how auth and search responses become variables.
 *
 * Three kinds:
 * - text (`format` is a string): literals, line-break tokens `{CRLF}` `{CR}` `{LF}` and variable
 *   tokens `{VAR}`, matched by the exact rules below;
 * - `{ json: { VAR: "/json/pointer" } }`: one RFC 6901 pointer per variable;
 * - `{ regex: "…", flags?: "…" }`: named groups (A–Z, 0–9, `_`) become variables.
 *
 * Text rules (docs/cti-integration.md §7, numbered as there):
 * 3. matching starts at the body's start; a literal (and a line-break token) is searched forward
 *    from the current position, so a format can skip text before it; any line-break token
 *    matches CRLF, CR or LF; matching is case-sensitive.
 * 4. a variable captures up to the next literal or line break, whichever comes first, and never
 *    spans a line break; two variables with nothing between them are separated by one line
 *    break (`{NAME}{COMPANY}` reads line 1, then line 2).
 * 5. values are trimmed; text after the format is ignored; what cannot be matched leaves the
 *    remaining variables empty and says why in `problems`.
 * A real line break typed in the format counts as a line-break token.
 */

import { regexGroupNames, TEXT_VAR, tokenizeTextFormat, type ResponseFormat } from './format-variables'

export { formatVariables, tokenizeTextFormat, type ResponseFormat } from './format-variables'

export interface ParsedResponse {
  /** Every variable of the format, empty when not found. */
  readonly values: Readonly<Record<string, string>>
  /** Variables that could not be matched (empty values that were found are not listed). */
  readonly missing: readonly string[]
  /** Why something did not match, for the CTI log. */
  readonly problems: readonly string[]
}

/** A line break at `index`: its length (2 for CRLF), or 0. */
function breakAt(text: string, index: number): number {
  const char = text[index]
  if (char === '\r') return text[index + 1] === '\n' ? 2 : 1
  return char === '\n' ? 1 : 0
}

function nextBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (breakAt(text, i) > 0) return i
  return -1
}

function parseText(format: string, body: string): ParsedResponse {
  const tokens = tokenizeTextFormat(format)
  const values: Record<string, string> = {}
  const missing: string[] = []
  const problems: string[] = []
  for (const token of tokens) if (token.kind === 'var') values[token.name] = ''

  let position = 0
  const fail = (index: number, why: string): void => {
    problems.push(why)
    for (const token of tokens.slice(index)) if (token.kind === 'var' && !missing.includes(token.name)) missing.push(token.name)
  }

  for (const [index, token] of tokens.entries()) {
    if (token.kind === 'literal') {
      const found = body.indexOf(token.text, position)
      if (found < 0) {
        fail(index, `text "${token.text}" not found`)
        break
      }
      position = found + token.text.length
    } else if (token.kind === 'break') {
      const found = nextBreak(body, position)
      if (found < 0) {
        fail(index, 'line break not found')
        break
      }
      position = found + breakAt(body, found)
    } else {
      const previous = tokens[index - 1]
      if (previous?.kind === 'var') {
        // Rule 4: adjacent variables are separated by a line break. The previous capture
        // stopped at a line break or at the end of the body.
        const length = breakAt(body, position)
        if (length === 0) {
          fail(index, `no line left for {${token.name}}`)
          break
        }
        position += length
      }
      if (position >= body.length && previous?.kind !== 'literal') {
        // Nothing left to read. (Right after a literal at the very end, the value is present
        // and empty: `SID=` with nothing after it.)
        fail(index, `body ended before {${token.name}}`)
        break
      }
      const lineEnd = nextBreak(body, position)
      let end = lineEnd < 0 ? body.length : lineEnd
      const next = tokens[index + 1]
      if (next?.kind === 'literal') {
        const found = body.indexOf(next.text, position)
        if (found >= 0 && found < end) end = found
      }
      values[token.name] = body.slice(position, end).trim()
      position = end
    }
  }
  return { values, missing, problems }
}

/** RFC 6901 evaluation; undefined when the path does not exist. */
export function resolveJsonPointer(document: unknown, pointer: string): { found: true; value: unknown } | { found: false } {
  if (pointer === '') return { found: true, value: document }
  let current: unknown = document
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= current.length) return { found: false }
      current = current[Number(key)]
    } else if (typeof current === 'object' && current !== null && Object.prototype.hasOwnProperty.call(current, key)) {
      current = (current as Record<string, unknown>)[key]
    } else return { found: false }
  }
  return { found: true, value: current }
}

function parseJson(map: Readonly<Record<string, string>>, body: string): ParsedResponse {
  const names = Object.keys(map).filter((name) => TEXT_VAR.test(name))
  const values: Record<string, string> = Object.fromEntries(names.map((name) => [name, '']))
  let document: unknown
  try {
    document = JSON.parse(body)
  } catch (cause) {
    return { values, missing: names, problems: [`body is not JSON: ${String(cause)}`] }
  }
  const missing: string[] = []
  const problems: string[] = []
  for (const name of names) {
    const pointer = map[name]!
    const result = resolveJsonPointer(document, pointer)
    if (!result.found) {
      missing.push(name)
      problems.push(`{${name}}: "${pointer}" not found`)
    } else if (typeof result.value === 'string') values[name] = result.value.trim()
    else if (typeof result.value === 'number' || typeof result.value === 'boolean') values[name] = String(result.value)
    else if (result.value !== null) {
      missing.push(name)
      problems.push(`{${name}}: "${pointer}" is an object or array, not text`)
    }
  }
  return { values, missing, problems }
}

function parseRegex(source: string, flags: string | undefined, body: string): ParsedResponse {
  const names = regexGroupNames(source)
  const values: Record<string, string> = Object.fromEntries(names.map((name) => [name, '']))
  let match: RegExpExecArray | null
  try {
    match = new RegExp(source, flags ?? '').exec(body)
  } catch (cause) {
    return { values, missing: names, problems: [`invalid regex: ${String(cause)}`] }
  }
  if (!match) return { values, missing: names, problems: ['the regex did not match'] }
  const missing: string[] = []
  for (const name of names) {
    const captured = match.groups?.[name]
    if (captured === undefined) missing.push(name)
    else values[name] = captured.trim()
  }
  return { values, missing, problems: missing.length > 0 ? [`groups that did not take part: ${missing.join(', ')}`] : [] }
}

/** Extracts variables from a decoded 2xx body; never throws. */
export function parseResponse(format: ResponseFormat, body: string): ParsedResponse {
  if (typeof format === 'string') return parseText(format, body)
  if ('json' in format) return parseJson(format.json, body)
  return parseRegex(format.regex, format.flags, body)
}
