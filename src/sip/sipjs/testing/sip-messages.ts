/**
 * Small SIP message builders and a reader for the unit tests of the sip.js adapter: the
 * "network side" writes requests and responses as a PBX would, as raw text (raw `#` in a
 * From user included), and reads what the phone sent.
 */

export const DOMAIN = 'pbx.test'
/** The Contact user the tests give the phone (`contactName`); requests to it reach our user agent. */
export const CONTACT = 'tsunagu-test'
export const VIA_HOST = 'tsunagu-test.invalid'

export interface SipMessage {
  raw: string
  /** Request method, or undefined for a response. */
  method?: string
  requestUri?: string
  status?: number
  reason?: string
  /** Lower-cased header names, every value in order. */
  headers: Record<string, string[]>
  body: string
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', r: 'refer-to', k: 'supported', b: 'referred-by' }

export function parseSip(raw: string): SipMessage {
  const split = raw.indexOf('\r\n\r\n')
  const head = split === -1 ? raw : raw.slice(0, split)
  const body = split === -1 ? '' : raw.slice(split + 4)
  const [start = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string[]> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const rawName = line.slice(0, colon).trim().toLowerCase()
    const name = COMPACT[rawName] ?? rawName
    ;(headers[name] ??= []).push(line.slice(colon + 1).trim())
  }
  const response = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(start)
  if (response) return { raw, status: Number(response[1]), reason: response[2], headers, body }
  const [method, requestUri] = start.split(' ')
  return { raw, method, requestUri, headers, body }
}

/** First value of a header ('' when absent). */
export function header(message: SipMessage, name: string): string {
  return message.headers[name.toLowerCase()]?.[0] ?? ''
}

/** The CSeq method of a message (which request a response answers). */
export function cseqMethod(message: SipMessage): string {
  return header(message, 'cseq').split(/\s+/)[1] ?? ''
}

/** `user` of the first SIP URI in a header value or URI (`<sip:1002@pbx>;tag=x` → `1002`). */
export function uriUser(value: string): string {
  return /sips?:([^@;>\s]*)@/.exec(value)?.[1] ?? ''
}

/** The `tag` parameter of a From/To value. */
export function tagOf(value: string): string | undefined {
  return /;\s*tag=([^;>\s]+)/i.exec(value)?.[1]
}

let seq = 0
function token(prefix: string): string {
  seq += 1
  return `${prefix}${seq}`
}

function build(start: string, headers: Array<[string, string]>, body = ''): string {
  const lines = [start, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${new TextEncoder().encode(body).length}`]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

export interface ReplyOptions {
  /** Extra headers, in order. */
  headers?: Array<[string, string]>
  body?: string
  contentType?: string
  /** The To tag the answering side adds (default: one per dialog, stable for a request). */
  toTag?: string
}

/** A response to `request`, as the other side (or the registrar) would send it. */
export function reply(request: SipMessage, status: number, reasonPhrase: string, options: ReplyOptions = {}): string {
  const to = header(request, 'to')
  const toWithTag = tagOf(to) || status === 100 ? to : `${to};tag=${options.toTag ?? `remote-${header(request, 'call-id')}`}`
  const headers: Array<[string, string]> = [
    ...(request.headers.via ?? []).map((v): [string, string] => ['Via', v]),
    ['From', header(request, 'from')],
    ['To', toWithTag],
    ['Call-ID', header(request, 'call-id')],
    ['CSeq', header(request, 'cseq')],
    ...(options.headers ?? []),
  ]
  if (options.body) headers.push(['Content-Type', options.contentType ?? 'application/sdp'])
  return build(`SIP/2.0 ${status} ${reasonPhrase}`, headers, options.body)
}

/** The registrar's 200: echoes our binding with an expiry, as RFC 3261 §10.3 wants. */
export function registerOk(request: SipMessage, expires = 600): string {
  const contact = header(request, 'contact').replace(/;expires=\d+/, '')
  return reply(request, 200, 'OK', { headers: [['Contact', `${contact};expires=${expires}`]] })
}

/** The registrar's digest challenge. */
export function registerChallenge(request: SipMessage): string {
  return reply(request, 401, 'Unauthorized', { headers: [['WWW-Authenticate', `Digest realm="${DOMAIN}", nonce="fake-nonce-1", algorithm=MD5, qop="auth"`]] })
}

/** A WebRTC-style SDP as a browser or a WebRTC-capable PBX offers it. */
export function sdp(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'sendrecv', version = 1): string {
  return [
    'v=0',
    `o=- 4242 ${version} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
    'c=IN IP4 127.0.0.1',
    'a=rtpmap:111 opus/48000/2',
    'a=ice-ufrag:fake',
    'a=ice-pwd:fakefakefakefakefakefake',
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    'a=setup:actpass',
    'a=mid:0',
    'a=rtcp-mux',
    `a=${direction}`,
    '',
  ].join('\r\n')
}

/** One dialog the other side takes part in: its tags, CSeq and address, for the requests it sends. */
export interface RemoteDialog {
  callId: string
  /** The other side's tag (From tag of its INVITE; To tag of its answers to us). */
  remoteTag: string
  /** Our tag, once known (our 18x/200 to its INVITE, or From tag of our INVITE). */
  localTag?: string
  remoteUri: string
  remoteDisplayName?: string
  localUri: string
  cseq: number
  /** Who sends the other side's requests: From is the remote party when it called us. */
  remoteIsCaller: boolean
}

export interface InviteOptions {
  /** The From user, raw (`0312345678#A1#B2` stays with its `#`). */
  from: string
  displayName?: string
  /** The To user (our extension). */
  to?: string
  headers?: Array<[string, string]>
  body?: string
  /** A Replaces header value (attended transfer to us). */
  replaces?: string
}

/** An incoming INVITE from the PBX (a new call for us) and the dialog it starts. */
export function invite(options: InviteOptions): { raw: string; dialog: RemoteDialog } {
  const dialog: RemoteDialog = {
    callId: token('in-call-'),
    remoteTag: token('caller-'),
    remoteUri: `sip:${options.from}@${DOMAIN}`,
    remoteDisplayName: options.displayName,
    localUri: `sip:${options.to ?? '1001'}@${DOMAIN}`,
    cseq: 1,
    remoteIsCaller: true,
  }
  const from = `${options.displayName ? `"${options.displayName}" ` : ''}<${dialog.remoteUri}>;tag=${dialog.remoteTag}`
  const body = options.body ?? sdp()
  const raw = build(`INVITE sip:${CONTACT}@${VIA_HOST};transport=ws SIP/2.0`, [
    ['Via', `SIP/2.0/WS 127.0.0.1:5060;branch=${token('z9hG4bK-inv-')}`],
    ['Max-Forwards', '70'],
    ['From', from],
    ['To', `<${dialog.localUri}>`],
    ['Call-ID', dialog.callId],
    ['CSeq', '1 INVITE'],
    ['Contact', `<sip:${uriUser(dialog.remoteUri).replaceAll('#', '')}@127.0.0.1:5060;transport=ws>`],
    ['Allow', 'INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS'],
    ...(options.replaces ? ([['Replaces', options.replaces], ['Supported', 'replaces']] as Array<[string, string]>) : []),
    ...(options.headers ?? []),
    ['Content-Type', 'application/sdp'],
  ], body)
  return { raw, dialog }
}

/** CANCEL of an incoming INVITE (same branch, as RFC 3261 §9.1 wants). */
export function cancel(inviteRaw: string, reason?: string): string {
  const inv = parseSip(inviteRaw)
  return build(`CANCEL ${inv.requestUri} SIP/2.0`, [
    ['Via', header(inv, 'via')],
    ['Max-Forwards', '70'],
    ['From', header(inv, 'from')],
    ['To', header(inv, 'to')],
    ['Call-ID', header(inv, 'call-id')],
    ['CSeq', `${header(inv, 'cseq').split(' ')[0]} CANCEL`],
    ...(reason ? ([['Reason', reason]] as Array<[string, string]>) : []),
  ])
}

/** ACK for our final response to an incoming INVITE. */
export function ackIncoming(dialog: RemoteDialog, inviteCseq = 1): string {
  return inDialog(dialog, 'ACK', { cseq: inviteCseq })
}

export interface InDialogOptions {
  headers?: Array<[string, string]>
  body?: string
  contentType?: string
  /** Default: the next CSeq of the other side. */
  cseq?: number
}

/** A request the other side sends inside an established dialog (BYE, re-INVITE, REFER, NOTIFY, INFO…). */
export function inDialog(dialog: RemoteDialog, method: string, options: InDialogOptions = {}): string {
  const cseq = options.cseq ?? (dialog.cseq += 1)
  const remote = `<${dialog.remoteUri}>;tag=${dialog.remoteTag}`
  const local = `<${dialog.localUri}>${dialog.localTag ? `;tag=${dialog.localTag}` : ''}`
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/WS 127.0.0.1:5060;branch=${token(`z9hG4bK-${method.toLowerCase()}-`)}`],
    ['Max-Forwards', '70'],
    ['From', remote],
    ['To', local],
    ['Call-ID', dialog.callId],
    ['CSeq', `${cseq} ${method}`],
    ['Contact', `<sip:remote@127.0.0.1:5060;transport=ws>`],
    ...(options.headers ?? []),
  ]
  if (options.body) headers.push(['Content-Type', options.contentType ?? 'application/sdp'])
  return build(`${method} sip:${CONTACT}@${VIA_HOST};transport=ws SIP/2.0`, headers, options.body)
}

/** The dialog the other side keeps for a call we placed, from our INVITE (it answers with `remoteTag`). */
export function dialogOfOurInvite(ourInvite: SipMessage): RemoteDialog {
  const from = header(ourInvite, 'from')
  const to = header(ourInvite, 'to')
  return {
    callId: header(ourInvite, 'call-id'),
    remoteTag: `remote-${header(ourInvite, 'call-id')}`,
    localTag: tagOf(from),
    remoteUri: /<([^>]+)>/.exec(to)?.[1] ?? to,
    localUri: /<([^>]+)>/.exec(from)?.[1] ?? from,
    cseq: 100,
    remoteIsCaller: false,
  }
}

/** A NOTIFY reporting a transfer's progress (RFC 3515 `message/sipfrag`). */
export function notifySipfrag(dialog: RemoteDialog, status: string, final: boolean): string {
  return inDialog(dialog, 'NOTIFY', {
    headers: [['Event', 'refer'], ['Subscription-State', final ? 'terminated;reason=noresource' : 'active;expires=60']],
    body: `SIP/2.0 ${status}\r\n`,
    contentType: 'message/sipfrag;version=2.0',
  })
}
