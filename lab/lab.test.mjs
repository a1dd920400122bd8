/**
 * Self-test of the lab: a real Kamailio, real sipp callers, and a small SIP-over-WebSocket client standing in
 * for the browser. Proves the routing the phone relies on (ws, wss, UDP→ws, in-dialog both ways, CANCEL,
 * raw `#` in the From user) before any browser test depends on it.
 *
 * Skips only when Kamailio or sipp is not installed (`npm run lab:setup` installs them; CI has them).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import dgram from 'node:dgram'
import { startKamailio, kamailioAvailable } from './kamailio.mjs'
import { isBindFailure, runSipp, sippAvailable, summarizeMessages } from './sipp.mjs'
import { makeSelfSignedCert } from './tls.mjs'
import { registeredClient, fakeWebRtcSdp, uriOf } from './sip-ws-client.mjs'
import { freePort, freeUdpPort, waitForPort } from './ports.mjs'

const haveLab = kamailioAvailable() && sippAvailable()

/** @param {import('./sipp.mjs').SippResult} r */
const sippReport = (r) =>
  `sipp exit ${r.code}\n${summarizeMessages(r.messages).join('\n')}\n${r.errors}\n${r.stderr.slice(-3000)}`

/**
 * Plays the browser's side (`steps`) against the running sipp `s`, which must then pass: its
 * result. Steps that fail kill sipp, so the test ends with their error, not sipp's timeout.
 */
async function passes(s, steps) {
  try {
    await steps()
  } catch (e) {
    s.kill()
    throw e
  }
  const r = await s.done
  expect(r.code, sippReport(r)).toBe(0)
  return r
}

describe('ports', () => {
  it('freePort returns a port that a server can listen on, and waitForPort sees it', async () => {
    const net = await import('node:net')
    const port = await freePort()
    const srv = net.createServer().listen(port, '127.0.0.1')
    try {
      await waitForPort(port, '127.0.0.1', 3000)
    } finally {
      srv.close()
    }
    expect(port).toBeGreaterThan(0)
    expect(await freeUdpPort()).toBeGreaterThan(0)
  })

  it("reads sipp's start-up bind failures, and only those, as a reason to start again", () => {
    const line = '2026-12-03\t13:35:49.178988\t1796304949.178988: '
    expect(isBindFailure(254, `${line}Unable to bind main socket, errno = 98 (Address already in use)\n`)).toBe(true)
    expect(isBindFailure(254, `${line}Unable to bind audio RTP socket (IP=127.0.0.1, port=40701), errno = 98 (Address already in use)\n`)).toBe(true)
    expect(isBindFailure(1, `${line}Unable to bind main socket, errno = 98 (Address already in use)\n`)).toBe(false)
    expect(isBindFailure(254, `${line}Unable to bind main socket, errno = 99 (Cannot assign requested address)\n`)).toBe(false)
    expect(isBindFailure(254, 'Aborting call on unexpected message')).toBe(false)
  })

  it('waitForPort fails clearly on timeout', async () => {
    const port = await freePort()
    await expect(waitForPort(port, '127.0.0.1', 300)).rejects.toThrow(/timed out .* 127\.0\.0\.1:\d+/)
  })
})

describe.skipIf(!haveLab)('lab: Kamailio + sipp', { timeout: 40000 }, () => {
  /** @type {import('./kamailio.mjs').KamailioHandle} */
  let k
  /** @type {string} */
  let certDir
  /** @type {import('./sip-ws-client.mjs').SipWsClient[]} */
  let clients = []

  /** Connect + REGISTER a stand-in browser and close it after the test. */
  const browser = async (/** @type {string} */ user, /** @type {'ws'|'wss'} */ via = 'ws') => {
    const url = via === 'wss' ? /** @type {string} */ (k.wssUrl) : k.wsUrl
    const c = await registeredClient(url, { user })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagu-cert-'))
    const tls = await makeSelfSignedCert(certDir)
    k = await startKamailio({ tls })
  })

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()))
    clients = []
  })

  afterAll(async () => {
    await k?.stop()
    if (certDir) fs.rmSync(certDir, { recursive: true, force: true })
  })

  it('starts without TLS when no certificate is given, and stop() removes its runtime dir', async () => {
    const plain = await startKamailio()
    try {
      expect(plain.wssUrl).toBeUndefined()
      expect(plain.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
      const methods = await plain.rpc('system.listMethods')
      expect(methods).toMatch(/^ws\.dump$/m)
      expect(methods).not.toMatch(/^tls\./m)
    } finally {
      await plain.stop()
    }
    expect(fs.existsSync(plain.rundir)).toBe(false)
    expect(await plain.exited).not.toBeUndefined()
    // the TLS instance does have the tls module
    expect(await k.rpc('system.listMethods')).toMatch(/^tls\./m)
  })

  it('keeps one contact per user: a re-registration from a new connection replaces the old one', async () => {
    const first = await browser('reg1')
    await k.waitForRegistration('reg1')
    const second = await browser('reg1')
    const dump = await k.locations()
    const block = dump.slice(dump.search(/AoR:\s*reg1\s*$/m))
    const addresses = [...block.split(/AoR:/)[1].matchAll(/Address:\s*(\S+)/g)].map((m) => m[1])
    expect(addresses).toEqual([uriOf(second.contact)])
    expect(addresses).not.toContain(uriOf(first.contact))
  })

  it('routes a sipp INVITE with a RAW # in the From user to a ws client; 486 → declined scenario passes', async () => {
    const b = await browser('1001')
    const s = await runSipp({
      scenario: 'declined',
      udpPort: k.udpPort,
      to: '1001',
      fromUser: '0312345678#A1#B2',
      fromName: 'Yamada',
      extraHeaders: { 'X-Request-Id': 'req-42', 'X-Called-Number': '0501112222' },
    })
    const r = await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      // Raw '#', byte for byte, as PBXs send it (sip.js 0.21.2 drops this unless the phone escapes it).
      expect(inv.get('from')).toMatch(/^"Yamada" <sip:0312345678#A1#B2@127\.0\.0\.1>;tag=/)
      expect(inv.raw).not.toContain('%23')
      expect(inv.get('x-request-id')).toBe('req-42')
      expect(inv.get('x-called-number')).toBe('0501112222')
      expect(inv.body).toMatch(/m=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0/)
      expect(inv.body).toMatch(/a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/)
      b.reply(inv, 180, 'Ringing')
      b.reply(inv, 486, 'Busy Here')
    })
    expect(r.messages).toMatch(/From: "Yamada" <sip:0312345678#A1#B2@127\.0\.0\.1>/)
  })

  it('answerable: browser answers, sends INFO, re-INVITE (hold), REFER (gets NOTIFY); the caller hangs up', async () => {
    const b = await browser('1002')
    const s = await runSipp({ scenario: 'answerable', udpPort: k.udpPort, to: '1002', holdMs: 1500 })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      b.reply(inv, 180, 'Ringing')
      const d = b.accept(inv)
      await b.waitForRequest('ACK')
      const info = await b.sendInDialog(d, 'INFO', {
        body: 'Signal=5\r\nDuration=160\r\n',
        contentType: 'application/dtmf-relay',
      })
      expect(info?.status).toBe(200)
      const hold = await b.sendInDialog(d, 'INVITE', { body: fakeWebRtcSdp('sendonly') })
      expect(hold?.status).toBe(200)
      expect(hold?.body).toMatch(/a=recvonly/)
      const unhold = await b.sendInDialog(d, 'INVITE', { body: fakeWebRtcSdp('sendrecv') })
      expect(unhold?.body).toMatch(/a=sendrecv/)
      const refer = await b.sendInDialog(d, 'REFER', { headers: ['Refer-To: <sip:2002@127.0.0.1>'] })
      expect(refer?.status).toBe(202)
      const notify = await b.waitForRequest('NOTIFY')
      expect(notify.body).toMatch(/^SIP\/2\.0 200 OK/)
      b.reply(notify, 200, 'OK')
      const bye = await b.waitForRequest('BYE')
      b.reply(bye, 200, 'OK')
    })
  })

  it('answerable: the browser may hang up first (BYE during the caller’s hold time)', async () => {
    const b = await browser('1003')
    const s = await runSipp({ scenario: 'answerable', udpPort: k.udpPort, to: '1003', holdMs: 20000 })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      const d = b.accept(inv)
      await b.waitForRequest('ACK')
      const bye = await b.sendInDialog(d, 'BYE')
      expect(bye?.status).toBe(200)
    })
  })

  it('answerable with waitForBye: the caller waits for the browser’s BYE', async () => {
    const b = await browser('1004')
    const s = await runSipp({ scenario: 'answerable', waitForBye: true, udpPort: k.udpPort, to: '1004' })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      const d = b.accept(inv)
      await b.waitForRequest('ACK')
      const info = await b.sendInDialog(d, 'INFO', { body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' })
      expect(info?.status).toBe(200)
      const bye = await b.sendInDialog(d, 'BYE')
      expect(bye?.status).toBe(200)
    })
  })

  it('cancel: the caller gives up while ringing; CANCEL reaches the browser, 487 reaches the caller', async () => {
    const b = await browser('1005')
    const s = await runSipp({ scenario: 'cancel', udpPort: k.udpPort, to: '1005', holdMs: 300 })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      b.reply(inv, 180, 'Ringing', { toTag: 'ringtag' })
      const cancel = await b.waitForRequest('CANCEL')
      expect(cancel.get('call-id')).toBe(inv.get('call-id'))
      b.reply(cancel, 200, 'OK')
      b.reply(inv, 487, 'Request Terminated', { toTag: 'ringtag' })
    })
  })

  it('cancel untilHangUp: the caller rings until hangUp(), then CANCELs', async () => {
    const b = await browser('1006')
    const s = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: k.udpPort, to: '1006' })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      b.reply(inv, 180, 'Ringing', { toTag: 'ringtag' })
      // No hold time: nothing comes until the test says so.
      await expect(b.waitForRequest('CANCEL', { timeoutMs: 1500 })).rejects.toThrow()
      await s.hangUp()
      const cancel = await b.waitForRequest('CANCEL')
      b.reply(cancel, 200, 'OK')
      b.reply(inv, 487, 'Request Terminated', { toTag: 'ringtag' })
    })
  })

  it('answerable untilHangUp: the caller stays in the call, through an INFO, until hangUp() sends BYE', async () => {
    const b = await browser('1007')
    const s = await runSipp({ scenario: 'answerable', untilHangUp: true, udpPort: k.udpPort, to: '1007' })
    await passes(s, async () => {
      const inv = await b.waitForRequest('INVITE')
      const d = b.accept(inv)
      await b.waitForRequest('ACK')
      const info = await b.sendInDialog(d, 'INFO', { body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' })
      expect(info?.status).toBe(200)
      await expect(b.waitForRequest('BYE', { timeoutMs: 1500 })).rejects.toThrow()
      await s.hangUp()
      const bye = await b.waitForRequest('BYE')
      b.reply(bye, 200, 'OK')
    })
  })

  it('answers 404 to a call for a user who is not registered', async () => {
    const s = await runSipp({ scenario: 'not-found', udpPort: k.udpPort, to: 'nobody' })
    const r = await s.done
    expect(r.code, sippReport(r)).toBe(0)
  })

  it('starts sipp again on other ports when its port was taken before it could bind it', async () => {
    const taken = dgram.createSocket('udp4')
    await new Promise((resolve) => taken.bind(0, '127.0.0.1', () => resolve(undefined)))
    const port = taken.address().port
    try {
      const s = await runSipp({ scenario: 'not-found', udpPort: k.udpPort, to: 'nobody', localPort: port })
      const r = await s.done
      expect(r.code, sippReport(r)).toBe(0)
      expect(r.args[r.args.indexOf('-p') + 1]).not.toBe(String(port))
      expect(summarizeMessages(r.messages)[0]).toMatch(/^> INVITE sip:nobody@/)
    } finally {
      taken.close()
    }
  })

  it('browser ↔ browser over ws: call, in-dialog requests both ways, BYE', async () => {
    const a = await browser('2001')
    const b = await browser('2002')
    const call = a.invite('2002', { headers: ['X-Request-Id: b2b-1'] })
    const inv = await b.waitForRequest('INVITE')
    expect(inv.get('x-request-id')).toBe('b2b-1')
    b.reply(inv, 180, 'Ringing')
    const bd = b.accept(inv)
    const { response, dialog: ad } = await call.done
    expect(response.status).toBe(200)
    await b.waitForRequest('ACK')
    if (!ad) throw new Error('no dialog')
    // callee → caller
    const infoP = a.waitForRequest('INFO')
    const infoRes = b.sendInDialog(bd, 'INFO', { body: 'Signal=9\r\n', contentType: 'application/dtmf-relay' })
    a.reply(await infoP, 200, 'OK')
    expect((await infoRes)?.status).toBe(200)
    // caller → callee: re-INVITE (hold)
    const reinvP = b.waitForRequest((m) => m.method === 'INVITE' && m !== inv)
    const reinvRes = a.sendInDialog(ad, 'INVITE', { body: fakeWebRtcSdp('sendonly') })
    b.reply(await reinvP, 200, 'OK', { body: fakeWebRtcSdp('recvonly', 'active'), toTag: bd.localTag })
    expect((await reinvRes)?.status).toBe(200)
    await b.waitForRequest('ACK')
    // callee → caller: REFER, then caller → callee NOTIFY
    const referP = a.waitForRequest('REFER')
    const referRes = b.sendInDialog(bd, 'REFER', { headers: ['Refer-To: <sip:2003@127.0.0.1>'] })
    a.reply(await referP, 202, 'Accepted')
    expect((await referRes)?.status).toBe(202)
    const notifyP = b.waitForRequest('NOTIFY')
    const notifyRes = a.sendInDialog(ad, 'NOTIFY', {
      body: 'SIP/2.0 200 OK\r\n',
      contentType: 'message/sipfrag;version=2.0',
      headers: ['Event: refer', 'Subscription-State: terminated;reason=noresource'],
    })
    b.reply(await notifyP, 200, 'OK')
    expect((await notifyRes)?.status).toBe(200)
    // callee hangs up
    const byeP = a.waitForRequest('BYE')
    const byeRes = b.sendInDialog(bd, 'BYE')
    a.reply(await byeP, 200, 'OK')
    expect((await byeRes)?.status).toBe(200)
  })

  it('browser ↔ browser: CANCEL while ringing', async () => {
    const a = await browser('2011')
    const b = await browser('2012')
    const call = a.invite('2012')
    const inv = await b.waitForRequest('INVITE')
    const ringing = new Promise((resolve) => {
      a.on('response', (m) => m.status === 180 && resolve(m))
    })
    b.reply(inv, 180, 'Ringing', { toTag: 'bt' })
    await ringing
    const cancelRes = call.cancel()
    const cancel = await b.waitForRequest('CANCEL')
    b.reply(cancel, 200, 'OK')
    b.reply(inv, 487, 'Request Terminated', { toTag: 'bt' })
    expect((await cancelRes).status).toBe(200)
    expect((await call.done).response.status).toBe(487)
  })

  it('wss ↔ ws: a browser on wss:// calls one on ws:// and back', async () => {
    expect(k.wssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/)
    const a = await browser('3001', 'wss')
    const b = await browser('3002', 'wss')
    const c = await browser('3003', 'ws')
    for (const [caller, callee, user] of /** @type {const} */ ([[a, b, '3002'], [a, c, '3003'], [c, a, '3001']])) {
      const call = caller.invite(user)
      const inv = await callee.waitForRequest((m) => m.method === 'INVITE' && m.ruri === uriOf(callee.contact))
      const cd = callee.accept(inv)
      const { dialog } = await call.done
      if (!dialog) throw new Error('no dialog')
      await callee.waitForRequest('ACK')
      const byeP = caller.waitForRequest('BYE')
      const byeRes = callee.sendInDialog(cd, 'BYE')
      caller.reply(await byeP, 200, 'OK')
      expect((await byeRes)?.status).toBe(200)
    }
  })

  it('answers OPTIONS aimed at the proxy and relays MESSAGE between users', async () => {
    const a = await browser('4001')
    const b = await browser('4002')
    const optionsRes = await new Promise((resolve, reject) => {
      const branch = 'z9hG4bKopt' + Date.now()
      a.on('response', (m) => m.get('cseq') === '1 OPTIONS' && resolve(m))
      setTimeout(() => reject(new Error('no reply to OPTIONS')), 5000)
      a.send(
        `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS ${a.viaHost};branch=${branch}\r\nMax-Forwards: 70\r\n` +
          `To: <sip:127.0.0.1>\r\nFrom: <sip:4001@127.0.0.1>;tag=o1\r\nCall-ID: opt-${branch}\r\n` +
          `CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      )
    })
    expect(/** @type {any} */ (optionsRes).status).toBe(200)
    const msgP = b.waitForRequest('MESSAGE')
    const text = 'こんにちは'
    a.send(
      `MESSAGE sip:4002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS ${a.viaHost};branch=z9hG4bKmsg${Date.now()}\r\n` +
        `Max-Forwards: 70\r\nTo: <sip:4002@127.0.0.1>\r\nFrom: <sip:4001@127.0.0.1>;tag=m1\r\n` +
        `Call-ID: msg-${Date.now()}\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain;charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    )
    const msg = await msgP
    expect(msg.body).toBe(text)
    b.reply(msg, 200, 'OK')
  })
})
