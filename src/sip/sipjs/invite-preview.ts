import { Core } from 'sip.js'

/**
 * The ring path's parse of a new INVITE (`SipJsSoftphone.previewInvite`), before sip.js's own:
 * sip.js's parser, given only the lines whose parsed form the preview reads (the request line,
 * From, To, Call-ID and the headers sip.js keeps as text anyway). The lines sip.js would also run
 * its grammar on, only to keep their text (Via, Contact, Record-Route, CSeq, Max-Forwards,
 * Content-Length, Content-Type), are added as that same text, as its parser adds them: about two
 * thirds of the parse, 0.25–0.35 ms per INVITE on the lab's machine, off the popup's and the
 * search's path. Whatever the preview cannot copy exactly (a folded line, several Contact or
 * Record-Route entries on one line, an empty value) goes through the grammar as before. sip.js
 * still parses the whole message in the next task; an INVITE it then refuses is withdrawn.
 *
 * The snapshot read from it is the one the full parse gives (`invite-preview.test.ts`).
 */
export function parseInvitePreview(message: string, logger: Core.Logger): Core.IncomingRequestMessage | undefined {
  const headEnd = message.indexOf('\r\n\r\n')
  if (headEnd < 0) return asRequest(Core.Parser.parseMessage(message, logger))
  const lines = message.slice(0, headEnd).split('\r\n')
  const copied: { line: number; name: string; value: string; each: boolean }[] = []
  const grammarNeeded = new Set<string>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    const name = colon > 0 ? CANONICAL.get(line.slice(0, colon).trim().toLowerCase()) : undefined
    if (!name) continue
    const value = line.slice(colon + 1).trim()
    // sip.js reads a line that the next one continues (whitespace first) as one header.
    const folded = i + 1 < lines.length && /^\s/.test(lines[i + 1]!)
    const each = ADDED.has(name)
    if (folded || value === '' || (name !== 'via' && each && value.includes(','))) grammarNeeded.add(name)
    else copied.push({ line: i, name, value, each })
  }
  // The entries of a header sip.js adds one by one keep its order: all by the grammar, or none.
  const copy = copied.filter((c) => !grammarNeeded.has(c.name))
  const skip = new Set(copy.map((c) => c.line))
  const request = asRequest(Core.Parser.parseMessage(`${lines.filter((_, i) => !skip.has(i)).join('\r\n')}\r\n\r\n`, logger))
  if (!request) return undefined
  for (const { name, value, each } of copy) {
    if (each) request.addHeader(name, value)
    else request.setHeader(name, value)
  }
  return request
}

/** The headers the preview copies, by every name sip.js's parser knows them by. */
const CANONICAL = new Map([
  ['via', 'via'], ['v', 'via'],
  ['contact', 'contact'], ['m', 'contact'],
  ['record-route', 'record-route'],
  ['cseq', 'cseq'],
  ['max-forwards', 'max-forwards'],
  ['content-length', 'content-length'], ['l', 'content-length'],
  ['content-type', 'content-type'], ['c', 'content-type'],
])
/** Those sip.js keeps each of (`addHeader`); of the others it keeps the last (`setHeader`). */
const ADDED = new Set(['via', 'contact', 'record-route'])

function asRequest(message: Core.IncomingRequestMessage | Core.IncomingResponseMessage | undefined): Core.IncomingRequestMessage | undefined {
  return message instanceof Core.IncomingRequestMessage ? message : undefined
}
