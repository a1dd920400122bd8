import { describe, expect, it } from 'vitest'
import { escapeHashInSipUris, isInitialInvite } from './caller-uri'

const invite = (from: string, to = 'To: <sip:1001@127.0.0.1>', body = '') =>
  `INVITE sip:abc@xyz.invalid;transport=ws SIP/2.0\r\nFrom: ${from};tag=1\r\n${to}\r\nContent-Length: ${body.length}\r\n\r\n${body}`

describe('escapeHashInSipUris', () => {
  it('escapes raw # codes in the From user so sip.js can parse the INVITE', () => {
    const out = escapeHashInSipUris(invite('"Yamada" <sip:0312345678#A1#B2@127.0.0.1>'))
    expect(out).toContain('<sip:0312345678%23A1%23B2@127.0.0.1>')
  })

  it('leaves the body (SDP) byte for byte', () => {
    const body = 'v=0\r\na=x:sip:1#2@h\r\n'
    const out = escapeHashInSipUris(invite('<sip:1#2@h>', undefined, body))
    expect(out.endsWith(body)).toBe(true)
    expect(out).toContain('<sip:1%232@h>')
  })

  it.each([
    ['P-Asserted-Identity: <sip:0312345678#9@pbx>', 'P-Asserted-Identity: <sip:0312345678%239@pbx>'],
    ['Contact: <sips:a#b@h;transport=ws>', 'Contact: <sips:a%23b@h;transport=ws>'],
    ['X-Note: call #3 <sip:100@h>', 'X-Note: call #3 <sip:100@h>'],
  ])('%s', (line, expected) => {
    expect(escapeHashInSipUris(`OPTIONS sip:x@h SIP/2.0\r\n${line}\r\n\r\n`)).toContain(expected)
  })

  it('returns messages without # unchanged', () => {
    const m = invite('<sip:0312345678@h>')
    expect(escapeHashInSipUris(m)).toBe(m)
  })
})

describe('isInitialInvite', () => {
  it.each([
    [invite('<sip:1@h>'), true],
    [invite('<sip:1@h>', 'To: <sip:1001@h>;tag=abc'), false],
    [invite('<sip:1@h>', 't: <sip:1001@h>'), true],
    ['BYE sip:x@h SIP/2.0\r\nTo: <sip:1@h>\r\n\r\n', false],
  ])('%#', (message, expected) => {
    expect(isInitialInvite(message)).toBe(expected)
  })
})
