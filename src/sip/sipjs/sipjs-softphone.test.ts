import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BACKOFF_MS } from './line'
import { REPLACED_DIALOG_GRACE_MS } from './transfer'
import {
  activeIncoming,
  activeOutgoing,
  answerIn,
  callDelays,
  dialOut,
  lineDelays,
  latest,
  registeredPhone,
  remoteAnswers,
  ringIn,
  settle,
  sipJsOnFakes,
  until,
  type Harness,
} from './testing/harness'
import {
  cancel,
  header,
  inDialog,
  notifySipfrag,
  registerChallenge,
  registerOk,
  reply,
  sdp,
  uriUser,
  type SipMessage,
} from './testing/sip-messages'

// sip.js warns about its own deprecated option we set on purpose (reconnectionAttempts: 0).
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const states = (h: Harness) => h.events.flatMap((e) => (e.event === 'registration' ? [e.state] : []))

describe('registration', () => {
  it('REGISTER 200 → registered', async () => {
    const h = sipJsOnFakes()
    await h.phone.start()
    const register = await until(() => h.network.last({ method: 'REGISTER' }), 'REGISTER')
    expect(register.requestUri).toBe('sip:pbx.test')
    expect(header(register, 'contact')).toContain('sip:tsunagu-test@tsunagu-test.invalid')
    expect(h.phone.registration.state).toBe('connecting')
    h.network.deliver(registerOk(register))
    await until(() => h.phone.registration.state === 'registered', 'registered')
    expect(states(h).at(-1)).toBe('registered')
    expect(states(h)).not.toContain('failed')
  })

  it('401 → REGISTER again with a digest Authorization for our user → registered', async () => {
    const h = sipJsOnFakes()
    await h.phone.start()
    const first = await until(() => h.network.last({ method: 'REGISTER' }), 'REGISTER')
    expect(header(first, 'authorization')).toBe('')
    h.network.deliver(registerChallenge(first))
    const second = await until(() => h.network.messages({ method: 'REGISTER' })[1], 'second REGISTER')
    expect(header(second, 'authorization')).toMatch(/^Digest .*username="1001".*realm="pbx.test"/)
    expect(header(second, 'authorization')).not.toContain('secret-1001')
    h.network.deliver(registerOk(second))
    await until(() => h.phone.registration.state === 'registered', 'registered')
  })

  it('403 → failed, with the registrar\'s status line as the reason', async () => {
    const h = sipJsOnFakes()
    await h.phone.start()
    const register = await until(() => h.network.last({ method: 'REGISTER' }), 'REGISTER')
    h.network.deliver(reply(register, 403, 'Forbidden'))
    await until(() => h.phone.registration.state === 'failed', 'failed')
    expect(h.phone.registration.reason).toBe('403 Forbidden')
  })

  it('socket drop → reconnecting, retried on our back-off schedule; a REGISTER 200 after reconnect → registered again', async () => {
    // A long probe interval keeps the probe tick apart from the back-off timer.
    const h = await registeredPhone({ keepAliveSeconds: 3600 })
    const backoff = () => lineDelays(h).filter((delay) => delay <= 30_000)
    h.network.refuseConnections = true
    h.network.drop()
    expect(h.phone.registration.state).toBe('reconnecting')
    expect(h.phone.registration.reason).toMatch(/WebSocket closed/)
    const delays: number[] = []
    for (let i = 0; i < BACKOFF_MS.length + 1; i += 1) {
      const pending = backoff()
      expect(pending).toHaveLength(1)
      delays.push(pending[0]!)
      const connects = h.network.connects
      h.clock.advance(pending[0]!)
      await until(() => h.network.connects > connects && backoff().length === 1, 'next attempt scheduled')
      expect(h.phone.registration.state).toBe('reconnecting')
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 15000, 30000, 30000])
    h.network.refuseConnections = false
    const registers = h.network.messages({ method: 'REGISTER' }).length
    h.clock.advance(backoff()[0]!)
    await until(() => h.network.messages({ method: 'REGISTER' }).length > registers, 'REGISTER after reconnect')
    await until(() => h.phone.registration.state === 'registered', 'registered again')
    expect(backoff()).toEqual([])
    // The schedule starts over after a success.
    h.network.refuseConnections = true
    h.network.drop()
    expect(backoff()).toEqual([1000])
  })

  it('stop() while reconnecting cancels the back-off: no timer of ours is left', async () => {
    const h = await registeredPhone()
    h.network.refuseConnections = true
    h.network.drop()
    expect(lineDelays(h)).toContain(1000)
    await h.phone.stop()
    expect(h.clock.pendingDelays).toEqual([])
    expect(h.phone.registration.state).toBe('unregistered')
  })

  it('stop() while registered un-REGISTERs (expires=0) and disconnects', async () => {
    const h = await registeredPhone()
    await h.phone.stop()
    const last = h.network.last({ method: 'REGISTER' })!
    expect(header(last, 'contact')).toMatch(/expires=0/)
    expect(h.network.transport.isConnected()).toBe(false)
  })
})

const endOf = (h: Harness, callId: string) => {
  const call = latest(h, callId)
  return call?.state === 'ended' ? call.endReason : undefined
}

describe('incoming call', () => {
  it('a raw # in the From user rings: callAdded with the user as it arrived, then 180', async () => {
    const h = await registeredPhone()
    const { raw, callId, dialog } = await ringIn(h, { from: '0312345678#A1#B2', displayName: 'Caller', headers: [['X-Request-Id', 'req-7']] })
    expect(raw).toContain('<sip:0312345678#A1#B2@pbx.test>')
    const added = h.events.find((e) => e.event === 'callAdded')
    expect(added?.event === 'callAdded' && added.call).toMatchObject({
      id: callId,
      direction: 'in',
      state: 'ringing',
      remoteUser: '0312345678#A1#B2',
      remoteDisplayName: 'Caller',
      localUser: '1001',
      headers: expect.objectContaining({ 'x-request-id': 'req-7' }),
    })
    const ringing = await until(() => h.network.last({ status: 180, callId: dialog.callId }), '180')
    expect(header(ringing, 'to')).toMatch(/;tag=/)
  })

  it('answer → 200 with an SDP answer, then active with the remote stream', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await ringIn(h, { from: '1002' })
    const ok = await answerIn(h, callId, dialog)
    expect(header(ok, 'content-type')).toBe('application/sdp')
    expect(ok.body).toContain('a=sendrecv')
    expect(latest(h, callId)).toMatchObject({ state: 'active', answeredAt: h.clock.now() })
    expect(h.events).toContainEqual({ event: 'remoteStream', callId, streamId: 'remote-stream-1' })
  })

  it('CANCEL → 487 and ended, cancelled', async () => {
    const h = await registeredPhone()
    const { raw, callId, dialog } = await ringIn(h, { from: '1002' })
    h.network.deliver(cancel(raw))
    await until(() => endOf(h, callId), 'ended')
    expect(endOf(h, callId)).toBe('cancelled')
    expect(h.network.last({ status: 487, callId: dialog.callId })).toBeDefined()
  })

  it('CANCEL with Reason: SIP;cause=200 → answered-elsewhere', async () => {
    const h = await registeredPhone()
    const { raw, callId } = await ringIn(h, { from: '1002' })
    h.network.deliver(cancel(raw, 'SIP;cause=200;text="Call completed elsewhere"'))
    await until(() => endOf(h, callId), 'ended')
    expect(endOf(h, callId)).toBe('answered-elsewhere')
  })

  it('BYE from the caller → 200 and ended, hangup-remote', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    h.network.deliver(inDialog(dialog, 'BYE'))
    await until(() => endOf(h, callId), 'ended')
    expect(endOf(h, callId)).toBe('hangup-remote')
    expect(h.network.last({ status: 200, cseq: 'BYE' })).toBeDefined()
  })

  it('decline → 486, ended declined', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await ringIn(h, { from: '1002' })
    await h.phone.decline(callId)
    await until(() => endOf(h, callId), 'ended')
    expect(endOf(h, callId)).toBe('declined')
    expect(h.network.last({ status: 486, callId: dialog.callId })).toBeDefined()
  })

  it('do not disturb → 486 at once, no 180 and no callAdded', async () => {
    const h = await registeredPhone()
    h.phone.setDoNotDisturb(true)
    const { invite } = await import('./testing/sip-messages')
    const { raw, dialog } = invite({ from: '1002' })
    h.network.deliver(raw)
    await until(() => h.network.last({ status: 486, callId: dialog.callId }), '486')
    await settle()
    expect(h.events.filter((e) => e.event === 'callAdded')).toEqual([])
    expect(h.network.messages({ callId: dialog.callId }).map((m) => m.status)).not.toContain(180)
    // Reported once, final, so the history keeps a `rejected` row.
    const rejected = h.events.flatMap((e) => (e.event === 'rejectedByDnd' ? [e.call] : []))
    expect(rejected).toMatchObject([{ direction: 'in', state: 'ended', endReason: 'rejected', remoteUser: '1002' }])
  })
})

describe('the ring path: a new INVITE is announced before sip.js handles it', () => {
  /** Records callArriving / callArrivalWithdrawn next to the harness's events. */
  function arrivals(h: Harness) {
    const seen: { event: 'arriving' | 'withdrawn'; id: string; sentBefore: number; call?: unknown }[] = []
    h.phone.on('callArriving', (call) => seen.push({ event: 'arriving', id: call.id, sentBefore: h.network.sent.length, call }))
    h.phone.on('callArrivalWithdrawn', (id) => seen.push({ event: 'withdrawn', id, sentBefore: h.network.sent.length }))
    return seen
  }

  it('callArriving comes in the INVITE\'s own task, before any answer goes out; callAdded follows with the same snapshot', async () => {
    const h = await registeredPhone()
    const seen = arrivals(h)
    const { invite } = await import('./testing/sip-messages')
    const { raw, dialog } = invite({ from: '0312345678#A1#B2', displayName: '山田 太郎', headers: [['X-Request-Id', 'req-9']] })
    const sentBefore = h.network.sent.length
    h.network.deliver(raw)
    // Synchronously: announced, nothing sent yet (no 100 Trying: sip.js has not seen it), not yet a call.
    expect(seen).toMatchObject([{ event: 'arriving', sentBefore }])
    expect(h.network.sent.length).toBe(sentBefore)
    expect(h.events.filter((e) => e.event === 'callAdded')).toEqual([])
    const added = await until(() => h.events.find((e) => e.event === 'callAdded'), 'callAdded')
    expect(added.event === 'callAdded' && added.call).toEqual(seen[0]!.call)
    expect(seen[0]!.call).toMatchObject({ remoteUser: '0312345678#A1#B2', remoteDisplayName: '山田 太郎', headers: expect.objectContaining({ 'x-request-id': 'req-9' }) })
    await until(() => h.network.last({ status: 180, callId: dialog.callId }), '180')
    expect(seen.filter((e) => e.event === 'withdrawn')).toEqual([])
  })

  it('messages that arrive while sip.js has not had the INVITE yet reach it after the INVITE, in order (an early CANCEL ends the call)', async () => {
    const h = await registeredPhone()
    const seen = arrivals(h)
    const { invite } = await import('./testing/sip-messages')
    const { raw, dialog } = invite({ from: '1002' })
    h.network.deliver(raw)
    h.network.deliver(cancel(raw))
    const id = seen[0]!.id
    await until(() => endOf(h, id), 'ended')
    expect(endOf(h, id)).toBe('cancelled')
    expect(h.network.last({ status: 487, callId: dialog.callId })).toBeDefined()
  })

  it('an INVITE sip.js refuses (body shorter than its Content-Length → 400) is withdrawn, never a call', async () => {
    const h = await registeredPhone()
    const seen = arrivals(h)
    const { invite } = await import('./testing/sip-messages')
    const { raw, dialog } = invite({ from: '1002' })
    h.network.deliver(raw.replace(/Content-Length: (\d+)/i, (_m, n: string) => `Content-Length: ${Number(n) + 50}`))
    await until(() => seen.find((e) => e.event === 'withdrawn'), 'withdrawn')
    expect(seen.map((e) => e.event)).toEqual(['arriving', 'withdrawn'])
    expect(seen[1]!.id).toBe(seen[0]!.id)
    expect(h.network.last({ status: 400, callId: dialog.callId })).toBeDefined()
    expect(h.events.filter((e) => e.event === 'callAdded')).toEqual([])
  })

  it('each liveness probe rehearses the preview on a made-up INVITE while idle: nothing announced or sent', async () => {
    const { Core } = await import('sip.js')
    const h = await registeredPhone({ keepAliveSeconds: 5 })
    const seen = arrivals(h)
    const parse = vi.spyOn(Core.Parser, 'parseMessage')
    const sent = h.network.sent.length
    h.clock.advance(5000)
    expect(parse.mock.calls.some(([message]) => String(message).startsWith('INVITE sip:warmup'))).toBe(true)
    expect(h.network.sent.slice(sent).every((m) => m.startsWith('OPTIONS'))).toBe(true)
    expect(seen).toEqual([])
  })

  it('not announced early: do-not-disturb, an INVITE with Replaces, a retransmission of a ringing call', async () => {
    const h = await registeredPhone()
    const seen = arrivals(h)
    const { invite } = await import('./testing/sip-messages')
    const { raw } = invite({ from: '1002' })
    h.network.deliver(raw)
    await until(() => h.events.find((e) => e.event === 'callAdded'), 'callAdded')
    h.network.deliver(raw)
    await settle()
    expect(seen.map((e) => e.event)).toEqual(['arriving'])
    h.network.deliver(invite({ from: '1003', replaces: 'nope%40x;to-tag=a;from-tag=b' }).raw)
    await settle()
    h.phone.setDoNotDisturb(true)
    h.network.deliver(invite({ from: '1004' }).raw)
    await until(() => h.events.find((e) => e.event === 'rejectedByDnd'), 'rejected')
    expect(seen.map((e) => e.event)).toEqual(['arriving'])
  })
})

describe('outgoing call', () => {
  it('dial → INVITE to the number at our domain; 180 keeps dialing; 200 → ACK and active', async () => {
    const h = await registeredPhone()
    const out = await dialOut(h, ' 0312345678 ')
    expect(out.invite.requestUri).toBe('sip:0312345678@pbx.test')
    expect(uriUser(header(out.invite, 'from'))).toBe('1001')
    expect(latest(h, out.callId)).toMatchObject({ direction: 'out', state: 'dialing', remoteUser: '0312345678', localUser: '1001' })
    h.network.deliver(reply(out.invite, 180, 'Ringing'))
    await settle()
    expect(latest(h, out.callId)?.state).toBe('dialing')
    await remoteAnswers(h, out)
    expect(latest(h, out.callId)?.state).toBe('active')
  })

  it('a SIP address is dialled as it is', async () => {
    const h = await registeredPhone()
    const out = await dialOut(h, 'sip:2001@other.test')
    expect(out.invite.requestUri).toBe('sip:2001@other.test')
  })

  it('486 → ended, rejected (ACKed)', async () => {
    const h = await registeredPhone()
    const out = await dialOut(h, '1002')
    h.network.deliver(reply(out.invite, 486, 'Busy Here'))
    await until(() => endOf(h, out.callId), 'ended')
    expect(endOf(h, out.callId)).toBe('rejected')
    expect(h.network.last({ method: 'ACK', callId: out.dialog.callId })).toBeDefined()
  })

  it('hangup while dialing → CANCEL; the 487 ends it as hangup-local', async () => {
    const h = await registeredPhone()
    const out = await dialOut(h, '1002')
    h.network.deliver(reply(out.invite, 180, 'Ringing'))
    await settle()
    await h.phone.hangup(out.callId)
    const cancelled = await until(() => h.network.last({ method: 'CANCEL', callId: out.dialog.callId }), 'CANCEL')
    expect(header(cancelled, 'via')).toBe(header(out.invite, 'via'))
    h.network.deliver(reply(out.invite, 487, 'Request Terminated'))
    await until(() => endOf(h, out.callId), 'ended')
    expect(endOf(h, out.callId)).toBe('hangup-local')
  })

  it('hangup when active → BYE, hangup-local', async () => {
    const h = await registeredPhone()
    const out = await activeOutgoing(h)
    await h.phone.hangup(out.callId)
    const bye = await until(() => h.network.last({ method: 'BYE', callId: out.dialog.callId }), 'BYE')
    h.network.deliver(reply(bye, 200, 'OK'))
    await until(() => endOf(h, out.callId), 'ended')
    expect(endOf(h, out.callId)).toBe('hangup-local')
  })

  it('not registered → dial refused, nothing sent and no call announced', async () => {
    const h = sipJsOnFakes()
    expect(await h.phone.dial('1002')).toEqual({ ok: false, reason: 'not-registered' })
    await settle()
    expect(h.network.sent).toEqual([])
    expect(h.events.filter((e) => e.event === 'callAdded')).toEqual([])
  })

  it('an empty target is refused even when registered', async () => {
    const h = await registeredPhone()
    const sent = h.network.sent.length
    expect(await h.phone.dial('  ')).toEqual({ ok: false, reason: 'Not a number or SIP address:   ' })
    await settle()
    expect(h.network.sent.length).toBe(sent)
  })
})

/** Our re-INVITE on `callId`, once it was sent. */
async function ourReInvite(h: Harness, callIdOfDialog: string, count: number): Promise<SipMessage> {
  return until(() => h.network.messages({ method: 'INVITE', callId: callIdOfDialog }).filter((m) => /;tag=/.test(header(m, 'to')))[count], 're-INVITE')
}

describe('hold and mute', () => {
  it('hold → re-INVITE sendonly; accepted → held, nothing sent or played; unhold → sendrecv', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const held = h.phone.hold(callId)
    const reInvite = await ourReInvite(h, dialog.callId, 0)
    expect(reInvite.body).toContain('a=sendonly')
    h.network.deliver(reply(reInvite, 200, 'OK', { headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('recvonly', 2) }))
    expect(await held).toBe(true)
    expect(latest(h, callId)?.held).toBe(true)
    const media = h.media.handlers[0]!
    expect([media.senderTracksEnabled, media.receiverTracksEnabled]).toEqual([false, false])
    const resumed = h.phone.unhold(callId)
    const reInvite2 = await ourReInvite(h, dialog.callId, 1)
    expect(reInvite2.body).toContain('a=sendrecv')
    h.network.deliver(reply(reInvite2, 200, 'OK', { headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('sendrecv', 3) }))
    expect(await resumed).toBe(true)
    expect(latest(h, callId)?.held).toBe(false)
    expect([media.senderTracksEnabled, media.receiverTracksEnabled]).toEqual([true, true])
  })

  it('hold refused (488) → false, the call stays as it was', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const held = h.phone.hold(callId)
    const reInvite = await ourReInvite(h, dialog.callId, 0)
    h.network.deliver(reply(reInvite, 488, 'Not Acceptable Here'))
    expect(await held).toBe(false)
    expect(latest(h, callId)).toMatchObject({ state: 'active', held: false })
  })

  it('the other party holds us (re-INVITE sendonly) → 200 recvonly and remoteHeld; sendrecv again → not held', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    h.network.deliver(inDialog(dialog, 'INVITE', { body: sdp('sendonly', 2) }))
    const ok = await until(() => h.network.messages({ status: 200, cseq: 'INVITE', callId: dialog.callId })[1], '200 to the re-INVITE')
    expect(ok.body).toContain('a=recvonly')
    h.network.deliver(inDialog(dialog, 'ACK', { cseq: dialog.cseq }))
    await until(() => latest(h, callId)?.remoteHeld === true, 'remoteHeld')
    h.network.deliver(inDialog(dialog, 'INVITE', { body: sdp('sendrecv', 3) }))
    await until(() => latest(h, callId)?.remoteHeld === false, 'not remoteHeld')
  })

  it('mute sends silence (sender tracks off, receiver on), no signalling', async () => {
    const h = await registeredPhone()
    const { callId } = await activeIncoming(h)
    const sent = h.network.sent.length
    h.phone.mute(callId)
    const media = h.media.handlers[0]!
    expect(latest(h, callId)?.muted).toBe(true)
    expect([media.senderTracksEnabled, media.receiverTracksEnabled]).toEqual([false, true])
    h.phone.unmute(callId)
    expect(media.senderTracksEnabled).toBe(true)
    expect(h.network.sent.length).toBe(sent)
  })
})

describe('a dropped connection during a call', () => {
  it('the call shows reconnecting; re-registered → re-INVITE with an ICE restart; accepted → reconnecting ends, the call goes on', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    h.network.drop()
    expect(latest(h, callId)).toMatchObject({ state: 'active', reconnecting: true })
    h.clock.advance(h.clock.pendingDelays[0]!)
    await until(() => h.phone.registration.state === 'registered', 'registered again')
    const reInvite = await ourReInvite(h, dialog.callId, 0)
    const media = h.media.handlers[0]!
    expect(media.iceRestarts).toBe(1)
    expect(reInvite.body).toContain('a=sendrecv')
    expect(latest(h, callId)?.reconnecting).toBe(true)
    h.network.deliver(reply(reInvite, 200, 'OK', { headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('sendrecv', 2) }))
    await until(() => latest(h, callId)?.reconnecting === false, 'reconnecting ends')
    expect(latest(h, callId)?.state).toBe('active')
    // A later REGISTER refresh does not restart ICE again.
    expect(h.network.messages({ method: 'INVITE', callId: dialog.callId }).filter((m) => /;tag=/.test(header(m, 'to')))).toHaveLength(1)
  })

  it('a held call stays held through the ICE restart; a refused restart still ends reconnecting', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const held = h.phone.hold(callId)
    const hold = await ourReInvite(h, dialog.callId, 0)
    h.network.deliver(reply(hold, 200, 'OK', { headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('recvonly', 2) }))
    expect(await held).toBe(true)
    h.network.drop()
    h.clock.advance(h.clock.pendingDelays[0]!)
    const restart = await ourReInvite(h, dialog.callId, 1)
    expect(restart.body).toContain('a=sendonly')
    h.network.deliver(reply(restart, 488, 'Not Acceptable Here'))
    await until(() => latest(h, callId)?.reconnecting === false, 'reconnecting ends')
    expect(latest(h, callId)).toMatchObject({ state: 'active', held: true })
  })

  it('a ringing call is not marked reconnecting', async () => {
    const h = await registeredPhone()
    const { callId } = await ringIn(h, { from: '1002' })
    h.network.drop()
    expect(latest(h, callId)?.reconnecting).toBeUndefined()
  })
})

describe('DTMF', () => {
  it('without telephone-event: one INFO per digit, in the order pressed, also across quick calls', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const first = h.phone.sendDtmf(callId, '1#')
    const second = h.phone.sendDtmf(callId, 'a')
    const infos = () => h.network.messages({ method: 'INFO', callId: dialog.callId })
    await until(() => infos().length === 3, 'three INFOs')
    for (const info of infos()) h.network.deliver(reply(info, 200, 'OK'))
    expect(await first).toEqual({ ok: true, method: 'info' })
    expect(await second).toEqual({ ok: true, method: 'info' })
    expect(infos().map((m) => m.body)).toEqual(['Signal=1\r\nDuration=120\r\n', 'Signal=#\r\nDuration=120\r\n', 'Signal=A\r\nDuration=120\r\n'])
    expect(infos().map((m) => header(m, 'content-type'))).toEqual(Array(3).fill('application/dtmf-relay'))
    expect(infos().map((m) => Number(header(m, 'cseq').split(' ')[0]))).toEqual([...infos().map((m) => Number(header(m, 'cseq').split(' ')[0]))].sort((a, b) => a - b))
  })

  it('with telephone-event negotiated: RFC 4733 through the RTP sender, no INFO', async () => {
    const h = await registeredPhone()
    h.media.canInsertDTMF = true
    const { callId } = await activeIncoming(h)
    expect(await h.phone.sendDtmf(callId, '12')).toEqual({ ok: true, method: 'rfc4733' })
    expect(h.media.handlers[0]!.rtpTones).toEqual(['12'])
    expect(h.network.messages({ method: 'INFO' })).toEqual([])
  })

  it('refuses what is no DTMF, and calls that are not established', async () => {
    const h = await registeredPhone()
    const { callId } = await ringIn(h, { from: '1002' })
    expect(await h.phone.sendDtmf(callId, '1x')).toEqual({ ok: false, reason: 'not DTMF: 1x' })
    expect(await h.phone.sendDtmf(callId, '1')).toEqual({ ok: false, reason: 'no-call' })
    expect(await h.phone.sendDtmf('nope', '1')).toEqual({ ok: false, reason: 'no-call' })
  })
})

describe('transfer', () => {
  it('blind: REFER to the target; NOTIFY 200 sipfrag → our leg BYE, ended transferred, result ok', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const result = h.phone.transfer(callId, '1003')
    const refer = await until(() => h.network.last({ method: 'REFER', callId: dialog.callId }), 'REFER')
    expect(header(refer, 'refer-to')).toMatch(/^<?sip:1003@pbx\.test>?$/)
    expect(latest(h, callId)?.transfer).toBe('pending')
    h.network.deliver(reply(refer, 202, 'Accepted'))
    h.network.deliver(notifySipfrag(dialog, '100 Trying', false))
    await until(() => h.network.messages({ status: 200, cseq: 'NOTIFY' }).length === 1, '200 to NOTIFY')
    expect(h.network.last({ method: 'BYE' })).toBeUndefined()
    h.network.deliver(notifySipfrag(dialog, '200 OK', true))
    expect(await result).toEqual({ ok: true })
    const bye = await until(() => h.network.last({ method: 'BYE', callId: dialog.callId }), 'BYE')
    h.network.deliver(reply(bye, 200, 'OK'))
    await until(() => endOf(h, callId), 'ended')
    expect(endOf(h, callId)).toBe('transferred')
    expect(callDelays(h)).toEqual([])
  })

  it('blind: the target does not answer (NOTIFY 486) → result not ok, transfer failed, the call goes on', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h)
    const result = h.phone.transfer(callId, '1003')
    const refer = await until(() => h.network.last({ method: 'REFER', callId: dialog.callId }), 'REFER')
    h.network.deliver(reply(refer, 202, 'Accepted'))
    h.network.deliver(notifySipfrag(dialog, '486 Busy Here', true))
    expect(await result).toEqual({ ok: false, reason: 'SIP/2.0 486 Busy Here' })
    expect(latest(h, callId)).toMatchObject({ state: 'active', transfer: 'failed' })
  })

  it('attended: REFER to the consulted party\'s address with Replaces of the consultation; our first leg ends transferred; stop() clears the grace timer', async () => {
    const h = await registeredPhone()
    const first = await activeIncoming(h, '1002')
    const consult = await activeOutgoing(h, '1003')
    const result = h.phone.attendedTransfer(first.callId, consult.callId)
    const refer = await until(() => h.network.last({ method: 'REFER', callId: first.dialog.callId }), 'REFER')
    const replaces = encodeURIComponent(`${consult.dialog.callId};to-tag=${consult.dialog.remoteTag};from-tag=${consult.dialog.localTag}`)
    expect(header(refer, 'refer-to')).toBe(`<sip:1003@pbx.test?Replaces=${replaces}>`)
    h.network.deliver(reply(refer, 202, 'Accepted'))
    h.network.deliver(notifySipfrag(first.dialog, '200 OK', true))
    expect(await result).toEqual({ ok: true })
    const bye = await until(() => h.network.last({ method: 'BYE', callId: first.dialog.callId }), 'BYE on our first leg')
    h.network.deliver(reply(bye, 200, 'OK'))
    await until(() => endOf(h, first.callId), 'first leg ended')
    expect(endOf(h, first.callId)).toBe('transferred')
    // The consulted party should end the replaced dialog itself; we give it REPLACED_DIALOG_GRACE_MS.
    expect(callDelays(h)).toEqual([REPLACED_DIALOG_GRACE_MS])
    await h.phone.stop()
    expect(h.clock.pendingDelays).toEqual([])
  })

  it('attended: when the consulted party leaves our leg up, we BYE it after the grace time (ended transferred)', async () => {
    const h = await registeredPhone()
    const first = await activeIncoming(h, '1002')
    const consult = await activeOutgoing(h, '1003')
    const result = h.phone.attendedTransfer(first.callId, consult.callId)
    const refer = await until(() => h.network.last({ method: 'REFER', callId: first.dialog.callId }), 'REFER')
    h.network.deliver(reply(refer, 202, 'Accepted'))
    h.network.deliver(notifySipfrag(first.dialog, '200 OK', true))
    await result
    expect(h.network.last({ method: 'BYE', callId: consult.dialog.callId })).toBeUndefined()
    h.clock.advance(REPLACED_DIALOG_GRACE_MS)
    const bye = await until(() => h.network.last({ method: 'BYE', callId: consult.dialog.callId }), 'BYE on the consultation')
    h.network.deliver(reply(bye, 200, 'OK'))
    await until(() => endOf(h, consult.callId), 'consultation ended')
    expect(endOf(h, consult.callId)).toBe('transferred')
  })

  it('attended without an established consultation → refused, nothing sent', async () => {
    const h = await registeredPhone()
    const first = await activeIncoming(h, '1002')
    const dialling = await dialOut(h, '1003')
    expect(await h.phone.attendedTransfer(first.callId, dialling.callId)).toEqual({ ok: false, reason: 'no-consultation-call' })
    expect(h.network.messages({ method: 'REFER' })).toEqual([])
  })

  it('incoming REFER → 202, a new outgoing call to the target, and `referred`', async () => {
    const h = await registeredPhone()
    const { callId, dialog } = await activeIncoming(h, '1002')
    const from = h.network.sent.length
    h.network.deliver(inDialog(dialog, 'REFER', { headers: [['Refer-To', '<sip:1003@pbx.test>'], ['Referred-By', '<sip:1002@pbx.test>']] }))
    await until(() => h.network.last({ status: 202, cseq: 'REFER' }), '202')
    const referred = await until(() => h.events.find((e) => e.event === 'referred'), 'referred')
    const newCallId = referred.event === 'referred' ? referred.newCallId : ''
    expect(referred).toEqual({ event: 'referred', callId, newCallId, target: '1003' })
    expect(latest(h, newCallId)).toMatchObject({ direction: 'out', state: 'dialing', remoteUser: '1003', referredFrom: callId })
    const newInvite = await until(() => h.network.sent.slice(from).map((raw) => raw).find((raw) => raw.startsWith('INVITE sip:1003@pbx.test')), 'INVITE to the target')
    expect(newInvite).toMatch(/^Referred-By: <sip:1002@pbx\.test>/m)
  })

  it('incoming INVITE with Replaces of one of our calls → answered at once (no 180), the old call ends transferred', async () => {
    const h = await registeredPhone()
    const old = await activeIncoming(h, '1002')
    const replaces = `${old.dialog.callId};to-tag=${old.dialog.localTag};from-tag=${old.dialog.remoteTag}`
    const { callId, dialog } = await ringIn(h, { from: '1004', replaces })
    expect(latest(h, callId)?.replaces).toBe(old.callId)
    await until(() => h.network.last({ status: 200, cseq: 'INVITE', callId: dialog.callId }), '200 to the replacing INVITE')
    expect(h.network.messages({ status: 180, callId: dialog.callId })).toEqual([])
    const bye = await until(() => h.network.last({ method: 'BYE', callId: old.dialog.callId }), 'BYE on the replaced call')
    h.network.deliver(reply(bye, 200, 'OK'))
    await until(() => endOf(h, old.callId), 'old call ended')
    expect(endOf(h, old.callId)).toBe('transferred')
  })
})

describe('stop', () => {
  it('hangs up every call before the first await: BYE and CANCEL are on the wire when stop() returns its promise', async () => {
    const h = await registeredPhone()
    const active = await activeIncoming(h, '1002')
    const dialling = await dialOut(h, '1003')
    h.network.deliver(reply(dialling.invite, 180, 'Ringing'))
    await settle()
    const stopped = h.phone.stop()
    expect(h.network.last({ method: 'BYE', callId: active.dialog.callId })).toBeDefined()
    expect(h.network.last({ method: 'CANCEL', callId: dialling.dialog.callId })).toBeDefined()
    expect(h.network.messages({ method: 'REGISTER' }).at(-1)?.headers.contact?.[0]).toMatch(/expires=0/)
    void stopped
  })

  it('stopLeaving: the calls left to another tab get no BYE and no end event, their media closes; the others end as with stop()', async () => {
    const h = await registeredPhone()
    const left = await activeIncoming(h, '1002')
    const other = await activeIncoming(h, '1003')
    await settle()
    const before = h.events.length
    await h.phone.stopLeaving([left.callId])
    await settle()
    expect(h.network.last({ method: 'BYE', callId: left.dialog.callId })).toBeUndefined()
    expect(h.network.last({ method: 'BYE', callId: other.dialog.callId })).toBeDefined()
    expect(h.network.messages({ method: 'REGISTER' }).at(-1)?.headers.contact?.[0]).toMatch(/expires=0/)
    expect(h.media.handlers.every((m) => m.closed)).toBe(true)
    const ends = h.events.slice(before).flatMap((e) => (e.event === 'callUpdated' && e.call.state === 'ended' ? [e.call.id] : []))
    expect(ends).toEqual([other.callId])
    expect(h.network.transport.isConnected()).toBe(false)
  })
})
