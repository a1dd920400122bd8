import { Core, type UserAgent } from 'sip.js'

/**
 * sip.js parses each incoming message with a generated PEG grammar. The first INVITEs of a
 * page run that code cold (not yet optimised by the JavaScript engine): measured here, the first
 * two calls after a load spent 20–38 ms in sip.js's parser before the adapter saw the call, the
 * later ones 3–6 ms. Parsing a few INVITEs shaped like a PBX's, once the line is registered and
 * idle, moves that cost off the first customer's ring. Nothing is sent and no state is touched:
 * the parsed messages are dropped.
 */
export function warmUpParser(ua: UserAgent, domain: string, times = 5): void {
  const logger = ua.getLogger('sip.Parser')
  for (let i = 0; i < times; i++) Core.Parser.parseMessage(sampleInvite(domain, i), logger)
}

export function sampleInvite(domain: string, i: number): string {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n'
  return [
    `INVITE sip:warmup${i}@${i}.invalid;transport=ws SIP/2.0`,
    `Record-Route: <sip:127.0.0.1:5060;r2=on;lr=on;nat=yes>`,
    `Via: SIP/2.0/WSS 127.0.0.1:5060;branch=z9hG4bK-warmup-${i};rport`,
    `Via: SIP/2.0/UDP 127.0.0.1:5080;received=127.0.0.1;branch=z9hG4bK-${i};rport=5080`,
    `Max-Forwards: 69`,
    `From: "Warm Up" <sip:0312345678%23A1%23B2@${domain}>;tag=warmup-${i}`,
    `To: <sip:1001@${domain}>`,
    `Call-ID: warmup-${i}@tsunagu.invalid`,
    `CSeq: 1 INVITE`,
    `Contact: <sip:0312345678@127.0.0.1:5080;transport=udp>`,
    `Allow: INVITE, ACK, CANCEL, BYE, REFER, INFO, NOTIFY, OPTIONS`,
    `Supported: replaces, timer`,
    `Privacy: none`,
    `X-Request-Id: warmup-${i}`,
    `Content-Type: application/sdp`,
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n')
}
