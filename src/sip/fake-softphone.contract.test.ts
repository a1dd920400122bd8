import { FakeSoftphone } from './fake-softphone'
import { softphoneContract, type SoftphoneHarness } from './softphone.contract'

softphoneContract('FakeSoftphone', () => {
  const phone = new FakeSoftphone()
  let transfer: 'answered' | 'busy' = 'answered'
  const harness: SoftphoneHarness = {
    phone,
    settle: async () => undefined,
    ring: async (from) => {
      const call = phone.ring({ remoteUser: from })
      return phone.call(call.id) ? call.id : undefined
    },
    remoteAnswer: async (callId) => phone.remoteAnswer(callId),
    remoteReject: async (callId) => phone.remoteHangup(callId, 'rejected'),
    remoteHangup: async (callId) => phone.remoteHangup(callId, 'hangup-remote'),
    remoteCancel: async (callId, elsewhere) => phone.remoteHangup(callId, elsewhere ? 'answered-elsewhere' : 'cancelled'),
    remoteHold: async (callId, held) => phone.remoteHold(callId, held),
    remoteRefer: async (callId, target) => {
      phone.remoteRefer(callId, target)
    },
    nextTransfer: (outcome) => {
      transfer = outcome
      phone.transferResult = transfer === 'answered' ? { ok: true } : { ok: false, reason: 'SIP/2.0 486 Busy Here' }
    },
    acceptHold: (accepted) => {
      phone.holdAccepted = accepted
    },
  }
  return harness
})
