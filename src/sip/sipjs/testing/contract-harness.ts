import type { SoftphoneHarness } from '../../softphone.contract'
import { settle, sipJsOnFakes, until } from './harness'
import {
  cancel,
  cseqMethod,
  dialogOfOurInvite,
  header,
  inDialog,
  invite,
  notifySipfrag,
  parseSip,
  registerOk,
  reply,
  sdp,
  tagOf,
  uriUser,
  type RemoteDialog,
  type SipMessage,
} from './sip-messages'

/**
 * The network side of the contract for `SipJsSoftphone`: a cooperative PBX and other party
 * on the fake transport. It answers what a PBX answers by itself (REGISTER, 100 Trying, BYE, CANCEL +
 * 487, INFO, NOTIFY, re-INVITEs, REFER with the transfer's NOTIFYs, ACK for our 200s) and
 * turns the contract's remote actions into SIP messages.
 */
export function sipJsContractHarness(): SoftphoneHarness {
  const h = sipJsOnFakes()
  /** By SIP Call-ID. */
  const dialogs = new Map<string, RemoteDialog>()
  const initialInvites = new Map<string, SipMessage>()
  /** Our call id → SIP Call-ID. */
  const sipIds = new Map<string, string>()
  /** Our outgoing calls whose INVITE has not been seen yet, in order. */
  const awaitingInvite: string[] = []
  let transferOutcome: 'answered' | 'busy' = 'answered'
  let holdAccepted = true
  let version = 10

  h.phone.on('callAdded', (call) => {
    if (call.direction === 'out') awaitingInvite.push(call.id)
  })

  const deliver = (raw: string) => {
    if (h.network.transport.isConnected()) h.network.deliver(raw)
  }

  const respond = (m: SipMessage) => {
    const callId = header(m, 'call-id')
    const dialog = dialogs.get(callId)
    if (m.status !== undefined) {
      // Our responses: learn our tag; ACK our 2xx to an INVITE, as the other party would.
      if (dialog && cseqMethod(m) === 'INVITE') {
        dialog.localTag ??= tagOf(header(m, 'to'))
        if (m.status === 200) deliver(inDialog(dialog, 'ACK', { cseq: Number(header(m, 'cseq').split(' ')[0]) }))
      }
      return
    }
    const contact: Array<[string, string]> = [['Contact', '<sip:remote@127.0.0.1:5060;transport=ws>']]
    switch (m.method) {
      case 'REGISTER':
        deliver(registerOk(m))
        break
      case 'INVITE':
        if (!tagOf(header(m, 'to'))) {
          const ours = awaitingInvite.shift()
          if (ours) sipIds.set(ours, callId)
          initialInvites.set(callId, m)
          dialogs.set(callId, dialogOfOurInvite(m))
          // The proxy's 100 Trying: until a provisional response, sip.js holds a CANCEL back (RFC 3261 §9.1).
          deliver(reply(m, 100, 'Trying'))
        } else if (holdAccepted) {
          const offered = /a=(sendonly|inactive)/.exec(m.body)?.[1]
          deliver(reply(m, 200, 'OK', { headers: contact, body: sdp(offered === 'sendonly' ? 'recvonly' : offered === 'inactive' ? 'inactive' : 'sendrecv', (version += 1)) }))
        } else {
          deliver(reply(m, 488, 'Not Acceptable Here'))
        }
        break
      case 'CANCEL': {
        deliver(reply(m, 200, 'OK'))
        const original = initialInvites.get(callId)
        if (original) deliver(reply(original, 487, 'Request Terminated'))
        break
      }
      case 'BYE':
      case 'INFO':
      case 'NOTIFY':
        deliver(reply(m, 200, 'OK'))
        break
      case 'REFER':
        deliver(reply(m, 202, 'Accepted'))
        if (dialog) deliver(notifySipfrag(dialog, transferOutcome === 'answered' ? '200 OK' : '486 Busy Here', true))
        break
      default:
        break
    }
  }
  h.network.onSend = (m) => queueMicrotask(() => respond(m))

  const dialogOf = (callId: string): RemoteDialog => {
    const dialog = dialogs.get(sipIds.get(callId) ?? '')
    if (!dialog) throw new Error(`no dialog for ${callId}`)
    return dialog
  }
  const inviteOf = (callId: string): SipMessage => {
    const found = initialInvites.get(sipIds.get(callId) ?? '')
    if (!found) throw new Error(`no INVITE for ${callId}`)
    return found
  }

  return {
    phone: h.phone,
    settle: () => settle(3),
    async ring(from) {
      const before = h.events.filter((e) => e.event === 'callAdded').length
      const { raw, dialog } = invite({ from })
      dialogs.set(dialog.callId, dialog)
      initialInvites.set(dialog.callId, parseSip(raw))
      h.network.deliver(raw)
      const outcome = await until(() => {
        const added = h.events.filter((e) => e.event === 'callAdded')[before]
        if (added?.event === 'callAdded') return { id: added.call.id }
        return h.network.last({ status: 486, callId: dialog.callId }) ? { id: undefined } : undefined
      }, 'callAdded or 486')
      if (outcome.id) sipIds.set(outcome.id, dialog.callId)
      return outcome.id
    },
    async remoteAnswer(callId) {
      await until(() => sipIds.get(callId), 'our INVITE')
      const ours = inviteOf(callId)
      deliver(reply(ours, 200, 'OK', { headers: [['Contact', `<sip:${uriUser(header(ours, 'to'))}@127.0.0.1:5060;transport=ws>`]], body: sdp() }))
      await settle(3)
    },
    async remoteReject(callId) {
      await until(() => sipIds.get(callId), 'our INVITE')
      deliver(reply(inviteOf(callId), 486, 'Busy Here'))
      await settle(3)
    },
    async remoteHangup(callId) {
      deliver(inDialog(dialogOf(callId), 'BYE'))
      await settle(3)
    },
    async remoteCancel(callId, elsewhere) {
      deliver(cancel(inviteOf(callId).raw, elsewhere ? 'SIP;cause=200;text="Call completed elsewhere"' : undefined))
      await settle(3)
    },
    async remoteHold(callId, held) {
      deliver(inDialog(dialogOf(callId), 'INVITE', { body: sdp(held ? 'sendonly' : 'sendrecv', (version += 1)) }))
      await settle(3)
    },
    async remoteRefer(callId, target) {
      deliver(inDialog(dialogOf(callId), 'REFER', { headers: [['Refer-To', `<sip:${target}@pbx.test>`]] }))
      await settle(3)
    },
    nextTransfer(outcome) {
      transferOutcome = outcome
    },
    acceptHold(accepted) {
      holdAccepted = accepted
    },
  }
}
