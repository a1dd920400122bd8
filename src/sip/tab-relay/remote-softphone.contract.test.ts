import { FakeSoftphone } from '../fake-softphone'
import { softphoneContract, type SoftphoneHarness } from '../softphone.contract'
import { deliver, fakeChannelHub } from './fake-channel'
import { relayLine } from './line-relay'
import { RemoteSoftphone } from './remote-softphone'

// A follower tab's phone, driven through the leader tab's FakeSoftphone over a fake
// BroadcastChannel: what the follower sees and does must be what the line does.
softphoneContract('RemoteSoftphone (through a leader tab)', async () => {
  const hub = fakeChannelHub()
  const line = new FakeSoftphone()
  relayLine(line, hub.tab())
  await line.start()
  const phone = new RemoteSoftphone({ channel: hub.tab(), tabId: 'follower' })
  const harness: SoftphoneHarness = {
    phone,
    settle: () => deliver(),
    ring: async (from) => {
      // What the follower asked for (do not disturb) reaches the line before the next INVITE.
      await deliver()
      const call = line.ring({ remoteUser: from })
      await deliver()
      return line.call(call.id) ? call.id : undefined
    },
    remoteAnswer: async (callId) => line.remoteAnswer(callId),
    remoteReject: async (callId) => line.remoteHangup(callId, 'rejected'),
    remoteHangup: async (callId) => line.remoteHangup(callId, 'hangup-remote'),
    remoteCancel: async (callId, elsewhere) => line.remoteHangup(callId, elsewhere ? 'answered-elsewhere' : 'cancelled'),
    remoteHold: async (callId, held) => line.remoteHold(callId, held),
    remoteRefer: async (callId, target) => {
      line.remoteRefer(callId, target)
    },
    nextTransfer: (outcome) => {
      line.transferResult = outcome === 'answered' ? { ok: true } : { ok: false, reason: 'SIP/2.0 486 Busy Here' }
    },
    acceptHold: (accepted) => {
      line.holdAccepted = accepted
    },
  }
  return harness
}, { view: true })
