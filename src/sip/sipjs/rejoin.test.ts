import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BYE_CSEQ_MARGIN, replacesValue } from '../replaces'
import { REJOIN_TIMEOUT_MS } from './rejoin'
import { activeIncoming, activeOutgoing, latest, registeredPhone, ringIn, settle, until, type Harness } from './testing/harness'
import { header, reply, sdp, tagOf, type SipMessage } from './testing/sip-messages'

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const added = (h: Harness) => h.events.filter((e) => e.event === 'callAdded')

describe('the Replaces header names our dialog from each role (RFC 3891 §3)', () => {
  it('we called: to-tag is the To tag of our INVITE\'s answer, from-tag the From tag of our INVITE', async () => {
    const h = await registeredPhone()
    const out = await activeOutgoing(h, '1002')
    const dialog = h.phone.dialogOf(out.callId)!
    const ourFromTag = tagOf(header(out.invite, 'from'))
    // The called side answered with To tag `remote-<call-id>` (see remoteAnswers).
    expect(replacesValue(dialog)).toBe(`${header(out.invite, 'call-id')};to-tag=remote-${header(out.invite, 'call-id')};from-tag=${ourFromTag}`)
    expect(dialog).toMatchObject({ remoteUri: 'sip:1002@pbx.test', localUri: 'sip:1001@pbx.test' })
  })

  it('they called: to-tag is the From tag of their INVITE, from-tag the To tag of our 200', async () => {
    const h = await registeredPhone()
    const { dialog: theirs, callId } = await activeIncoming(h, '1002')
    const dialog = h.phone.dialogOf(callId)!
    expect(replacesValue(dialog)).toBe(`${theirs.callId};to-tag=${theirs.remoteTag};from-tag=${theirs.localTag}`)
    expect(dialog.remoteTarget).toBe('sip:1002@127.0.0.1:5060;transport=ws')
  })

  it('a call not yet answered has no dialog to keep', async () => {
    const h = await registeredPhone()
    const { callId } = await ringIn(h, { from: '1002' })
    expect(h.phone.dialogOf(callId)).toBeUndefined()
  })
})

describe('rejoin: a new page takes a stored dialog back', () => {
  async function left() {
    // The dialog a page before the reload had (here: from another phone on the fakes).
    const before = await registeredPhone()
    const out = await activeOutgoing(before, '1002')
    const dialog = before.phone.dialogOf(out.callId)!
    const info = { ...latest(before, out.callId)!, answeredAt: 1234 }
    return { dialog, info }
  }

  async function rejoinInvite(h: Harness, from: number): Promise<SipMessage> {
    return until(() => h.network.messages({ method: 'INVITE' }).slice(from)[0], 'the rejoin INVITE')
  }

  it('INVITE to the other party\'s address with Replaces; 200 → active with the same call id and answer time, no ringing state', async () => {
    const { dialog, info } = await left()
    const h = await registeredPhone()
    const result = h.phone.rejoin(dialog, info)
    const inv = await rejoinInvite(h, 0)
    expect(inv.requestUri).toBe('sip:1002@pbx.test')
    expect(header(inv, 'replaces')).toBe(replacesValue(dialog))
    expect(added(h).map((e) => e.event === 'callAdded' && e.call)).toEqual([expect.objectContaining({ id: info.id, state: 'dialing', rejoining: true })])
    h.network.deliver(reply(inv, 200, 'OK', { toTag: 'back-1', headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp() }))
    await expect(result).resolves.toEqual({ ok: true })
    await until(() => latest(h, info.id)?.state === 'active', 'active')
    expect(latest(h, info.id)).toMatchObject({ id: info.id, answeredAt: 1234, state: 'active' })
    expect(latest(h, info.id)?.rejoining).toBeUndefined()
    // The new dialog is what a next reload keeps.
    expect(h.phone.dialogOf(info.id)?.sipCallId).toBe(header(inv, 'call-id'))
  })

  it.each([[481, 'Call/Transaction Does Not Exist'], [420, 'Bad Extension'], [488, 'Not Acceptable Here']])('refused with %i → the call ends failed, with the status as the reason', async (status, phrase) => {
    const { dialog, info } = await left()
    const h = await registeredPhone()
    const result = h.phone.rejoin(dialog, info)
    const inv = await rejoinInvite(h, 0)
    h.network.deliver(reply(inv, status, phrase, { toTag: 'no-1' }))
    await expect(result).resolves.toEqual({ ok: false, reason: `${status} ${phrase}` })
    await until(() => latest(h, info.id)?.state === 'ended', 'ended')
    expect(latest(h, info.id)?.endReason).toBe('failed')
  })

  it('no answer in time → CANCEL, ended failed (timeout)', async () => {
    const { dialog, info } = await left()
    const h = await registeredPhone()
    const result = h.phone.rejoin(dialog, info)
    const inv = await rejoinInvite(h, 0)
    h.network.deliver(reply(inv, 100, 'Trying'))
    await settle()
    h.clock.advance(REJOIN_TIMEOUT_MS)
    await expect(result).resolves.toEqual({ ok: false, reason: 'timeout' })
    await until(() => latest(h, info.id)?.state === 'ended', 'ended')
  })

  it('a call the agent had on hold comes back held: the INVITE offers sendonly, no re-INVITE follows, and resuming it offers sendrecv', async () => {
    const { dialog, info } = await left()
    const h = await registeredPhone()
    const result = h.phone.rejoin(dialog, { ...info, held: true })
    const inv = await rejoinInvite(h, 0)
    expect(inv.body).toMatch(/a=sendonly/)
    h.network.deliver(reply(inv, 200, 'OK', { toTag: 'back-1', headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('recvonly') }))
    await expect(result).resolves.toEqual({ ok: true })
    await until(() => latest(h, info.id)?.state === 'active', 'active')
    expect(latest(h, info.id)).toMatchObject({ held: true, remoteHeld: false })
    await settle()
    expect(h.network.messages({ method: 'INVITE' })).toHaveLength(1)
    const resumed = h.phone.unhold(info.id)
    const reinvite = await rejoinInvite(h, 1)
    expect(reinvite.body).toMatch(/a=sendrecv/)
    h.network.deliver(reply(reinvite, 200, 'OK', { toTag: 'back-1', body: sdp('sendrecv', 2) }))
    await expect(resumed).resolves.toBe(true)
    expect(latest(h, info.id)).toMatchObject({ held: false })
  })

  it('the other side held us before the reload: its answer (sendonly) shows the call held by the other side again', async () => {
    const { dialog, info } = await left()
    const h = await registeredPhone()
    const result = h.phone.rejoin(dialog, info)
    const inv = await rejoinInvite(h, 0)
    expect(inv.body).toMatch(/a=sendrecv/)
    h.network.deliver(reply(inv, 200, 'OK', { toTag: 'back-1', headers: [['Contact', '<sip:1002@127.0.0.1:5060;transport=ws>']], body: sdp('sendonly') }))
    await expect(result).resolves.toEqual({ ok: true })
    await until(() => latest(h, info.id)?.state === 'active', 'active')
    expect(latest(h, info.id)).toMatchObject({ held: false, remoteHeld: true })
  })

  it('a BYE from the stored state: to the remote target through the route set, both tags, a CSeq above the old page\'s', async () => {
    const { dialog } = await left()
    const h = await registeredPhone()
    const stored = { ...dialog, routeSet: ['<sip:127.0.0.1:5060;transport=ws;lr>'], remoteTarget: 'sip:1002@127.0.0.1:5060;transport=ws;alias=127.0.0.1~40000~5' }
    const done = h.phone.endDialog(stored)
    const bye = await until(() => h.network.last({ method: 'BYE' }), 'BYE')
    expect(bye.requestUri).toBe(stored.remoteTarget)
    expect(header(bye, 'route')).toBe('<sip:127.0.0.1:5060;transport=ws;lr>')
    expect(header(bye, 'call-id')).toBe(dialog.sipCallId)
    expect(tagOf(header(bye, 'from'))).toBe(dialog.localTag)
    expect(tagOf(header(bye, 'to'))).toBe(dialog.remoteTag)
    expect(header(bye, 'cseq')).toBe(`${dialog.localSeq + BYE_CSEQ_MARGIN} BYE`)
    h.network.deliver(reply(bye, 200, 'OK'))
    await expect(done).resolves.toBe(true)
  })
})

describe('the other side of a rejoin', () => {
  it('the same party replaces its dialog with us: the call goes on under its id, answered at once, no new call and no end', async () => {
    const h = await registeredPhone()
    const old = await activeIncoming(h, '1002')
    const before = latest(h, old.callId)!
    const replaces = `${old.dialog.callId};to-tag=${old.dialog.localTag};from-tag=${old.dialog.remoteTag}`
    const count = added(h).length
    const { raw } = (await import('./testing/sip-messages')).invite({ from: '1002', replaces })
    h.network.deliver(raw)
    const ok = await until(() => h.network.last({ status: 200, cseq: 'INVITE', callId: /Call-ID: (.*)/.exec(raw)?.[1]?.trim() }), '200 to the rejoin')
    expect(ok).toBeDefined()
    expect(h.network.messages({ status: 180, callId: /Call-ID: (.*)/.exec(raw)?.[1]?.trim() })).toEqual([])
    await settle()
    expect(added(h)).toHaveLength(count)
    expect(latest(h, old.callId)).toMatchObject({ id: old.callId, state: 'active', answeredAt: before.answeredAt })
  })

  it('a call we hold stays held when the other party rejoins: our 200 answers sendonly, and the card still shows it held', async () => {
    const h = await registeredPhone()
    const old = await activeIncoming(h, '1002')
    const holding = h.phone.hold(old.callId)
    const reinvite = await until(() => h.network.messages({ method: 'INVITE' })[0], 'the hold re-INVITE')
    h.network.deliver(reply(reinvite, 200, 'OK', { body: sdp('recvonly', 2) }))
    await expect(holding).resolves.toBe(true)
    const replaces = `${old.dialog.callId};to-tag=${old.dialog.localTag};from-tag=${old.dialog.remoteTag}`
    const { raw } = (await import('./testing/sip-messages')).invite({ from: '1002', replaces })
    h.network.deliver(raw)
    const callId = /Call-ID: (.*)/.exec(raw)?.[1]?.trim()
    const ok = await until(() => h.network.last({ status: 200, cseq: 'INVITE', callId }), '200 to the rejoin')
    expect(ok.body).toMatch(/a=sendonly/)
    await settle()
    expect(latest(h, old.callId)).toMatchObject({ id: old.callId, state: 'active', held: true })
  })
})
