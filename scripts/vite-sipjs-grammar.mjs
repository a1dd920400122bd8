/**
 * A build step for sip.js's SIP grammar (a peggy parser generated with "optimize: size").
 *
 * The generated `peg$parse` decodes its whole bytecode table — some 230 strings, each split
 * into an array of numbers — every time it is called, and sip.js calls it once per header it
 * parses: a dozen times for one INVITE. Profiled on the ring path here (Chromium 156, 20 sipp
 * calls), decoding was the largest single cost between the INVITE reaching the page and the
 * popup. The table is plain data (it depends on nothing inside `peg$parse`), so this moves it
 * to module scope, decoded once when the module loads. The parser's logic is untouched; the
 * adapter's unit tests parse real SIP messages through the transformed module.
 *
 * sip.js is pinned (package.json); if a new version's grammar no longer has the shape this
 * expects, the build fails here with a message instead of silently losing the speed-up.
 */
const GRAMMAR = /node_modules\/sip\.js\/lib\/grammar\/pegjs\/dist\/grammar\.js$/
const START = '\n    const peg$bytecode = [\n'
const END = '\n    ];\n'

/** Moves `peg$bytecode` (and a copy of `peg$decode`) from inside `peg$parse` to module scope. */
export function hoistBytecode(source) {
  const start = source.indexOf(START)
  const parse = source.indexOf('\nfunction peg$parse(')
  if (start < 0 || parse < 0 || start < parse) throw new Error('sip.js grammar: peg$bytecode inside peg$parse not found (sip.js changed? see scripts/vite-sipjs-grammar.mjs)')
  const end = source.indexOf(END, start)
  if (end < 0) throw new Error('sip.js grammar: the end of peg$bytecode not found (see scripts/vite-sipjs-grammar.mjs)')
  const table = source.slice(start + 1, end + END.length).replace(/^ {4}/gm, '')
  const hoisted = 'function peg$decode(s) {\n  return s.split("").map((ch) => ch.charCodeAt(0) - 32);\n}\n' + table
  return source.slice(0, parse + 1) + hoisted + source.slice(parse + 1, start + 1) + source.slice(end + END.length)
}

/** The Vite plugin (build, dev and Vitest). */
export function sipjsGrammar() {
  return {
    name: 'tsunagu:sipjs-grammar',
    enforce: 'pre',
    transform(code, id) {
      if (!GRAMMAR.test(id.split('?')[0])) return undefined
      return { code: hoistBytecode(code), map: null }
    },
  }
}
