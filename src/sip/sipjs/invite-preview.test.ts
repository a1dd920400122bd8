import { Core } from 'sip.js'
import { describe, expect, it } from 'vitest'
import { incomingRequestInfo } from './call'
import { parseInvitePreview } from './invite-preview'
import { sampleInvite } from './parser-warm-up'

const logger = { error() {}, warn() {}, log() {}, debug() {} } as unknown as Core.Logger
const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'
const invite = (...headers: string[]) => ['INVITE sip:1001@192.0.2.9;transport=ws SIP/2.0', ...headers, '', sdp].join('\r\n')
const basics = ['From: "Yamada" <sip:0312345678@example.com>;tag=a1', 'To: <sip:1001@example.com>', 'Call-ID: c1@example.com']

/** What sip.js's own full parse gives: the request and the snapshot the app reads from it. */
function full(message: string) {
  const request = Core.Parser.parseMessage(message, logger)
  return request instanceof Core.IncomingRequestMessage ? request : undefined
}
const rawHeaders = (request: Core.IncomingRequestMessage) =>
  Object.fromEntries(Object.entries(request.headers).map(([name, values]) => [name, values.map((v: { raw: string }) => v.raw)]))
function expectSameReading(message: string): void {
  const whole = full(message)
  const preview = parseInvitePreview(message, logger)
  if (!whole) {
    expect(preview).toBeUndefined()
    return
  }
  expect(preview).toBeDefined()
  expect(rawHeaders(preview!)).toEqual(rawHeaders(whole))
  expect([preview!.method, preview!.callId, preview!.from?.uri.user, preview!.to?.uri.user]).toEqual([whole.method, whole.callId, whole.from?.uri.user, whole.to?.uri.user])
  // (The softphone previews an INVITE only with both: `previewInvite`.)
  if (whole.from && whole.to) expect(incomingRequestInfo(preview!, 'id', 0)).toEqual(incomingRequestInfo(whole, 'id', 0))
}

describe('parseInvitePreview: the ring path reads what sip.js’s full parse reads', () => {
  it('for the rehearsal’s INVITE and one as Kamailio relays it from sipp (two Record-Routes, two Vias, an instance id)', () => {
    expectSameReading(sampleInvite('example.com', 3))
    expectSameReading(invite(
      'Record-Route: <sip:127.0.0.1:5062;transport=ws;r2=on;lr=on;nat=yes>',
      'Record-Route: <sip:127.0.0.1:5060;r2=on;lr=on;nat=yes>',
      'Via: SIP/2.0/WS 127.0.0.1:5062;branch=z9hG4bK1b1c.0',
      'Via: SIP/2.0/UDP 127.0.0.1:40000;received=127.0.0.1;rport=40000;branch=z9hG4bK-1-0',
      'Max-Forwards: 69',
      ...basics,
      'CSeq: 1 INVITE',
      'Contact: <sip:0312345678@127.0.0.1:40000;transport=UDP>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-000000000001>"',
      'X-Request-Id: req-1',
      'Content-Type: application/sdp',
      `Content-Length: ${sdp.length}`,
    ))
  })

  it('for compact header names', () => {
    expectSameReading(invite('v: SIP/2.0/WSS a.example;branch=z9hG4bKx', 'f: <sip:0311112222@example.com>;tag=x', 't: <sip:1001@example.com>', 'i: c2@x', 'CSeq: 2 INVITE', 'm: <sip:a@b>', 'c: application/sdp', `l: ${sdp.length}`))
  })

  it('for several entries on one line, folded lines and repeated headers', () => {
    // Entries on one line go through the grammar, which splits them; so do all the header's lines, to keep their order.
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1', 'Record-Route: <sip:p1;lr>', 'Record-Route: <sip:p2;lr>, <sip:p3;lr>', ...basics, 'CSeq: 1 INVITE', 'Contact: <sip:a@b>, <sip:c@d>'))
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', 'Via: SIP/2.0/UDP c;branch=z9hG4bK3', ...basics, 'CSeq: 1 INVITE'))
    expectSameReading(invite('Via: SIP/2.0/WSS a', ' ;branch=z9hG4bK1', ...basics, 'CSeq: 1 INVITE', 'Contact: <sip:a@b>', '\t;expires=60', 'X-Long: one', ' two'))
    // sip.js keeps the last of a header it sets, the first of one it adds.
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1', ...basics, 'CSeq: 1 INVITE', 'CSeq: 2 INVITE', 'Content-Length: 0', `Content-Length: ${sdp.length}`, 'Contact: <sip:first@b>', 'Contact: <sip:second@b>'))
  })

  it('for what the grammar refuses or the preview declines, and header names that are object keys', () => {
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1', ...basics, 'CSeq: 1 INVITE', 'Contact:'))
    expectSameReading(['NOT A SIP LINE', ...basics, '', ''].join('\r\n'))
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1', 'To: <sip:1001@example.com>', 'Call-ID: c3', 'CSeq: 1 INVITE'))
    expectSameReading(invite('Via: SIP/2.0/WSS a;branch=z9hG4bK1', ...basics, 'CSeq: 1 INVITE', '__proto__: x', 'constructor: y', 'toString: z'))
    // No end of the headers: the whole message is sip.js's to read (here: not a message).
    expectSameReading(`INVITE sip:1001@x SIP/2.0\r\n${basics.join('\r\n')}`)
  })

  it('leaves out of the grammar the headers it only copies (a Via the grammar would refuse is kept as text)', () => {
    const message = invite('Via: not a via', ...basics, 'CSeq: 1 INVITE')
    expect(full(message)).toBeUndefined()
    const preview = parseInvitePreview(message, logger)
    expect(preview?.getHeader('via')).toBe('not a via')
    expect(preview?.from.uri.user).toBe('0312345678')
  })
})
