/**
 * The lab's sip.js test peer: the full API (UserAgent + Inviter/Invitation, not SimpleUser,
 * which refuses a second INVITE with 486), so an INVITE carrying Replaces (RFC 3891) for its
 * established call swaps the legs without ringing: sip.js matches the dialog (`replacee`,
 * with `sipExtensionReplaces` on) and sends the BYE to the old leg when the new one is
 * accepted. `rejectReplaces` makes it refuse such INVITEs (e.g. 420) instead, like a PBX
 * without Replaces support. A held call taken back (a `sendonly` offer) gets its microphone on
 * the negotiated transceiver (`adoptUnsentTrack`). Tests drive it through `window.peer` and read
 * `peer.state`.
 */
import { Inviter, Registerer, RegistererState, SessionState, SIPExtension, UserAgent } from '/sip.js/index.js'

const media = { constraints: { audio: true, video: false } }
const state = { registered: false, rang: 0, replaced: 0, refused: 0, adopted: 0, established: 0, ended: 0, active: false }
let ua
let domain = ''
let ringing
let current
/** A status code to refuse Replaces with (0 = accept). */
let rejectReplaces = 0

function track(session) {
  session.stateChange.addListener((s) => {
    if (s === SessionState.Established) {
      state.established += 1
      current = session
      state.active = true
      const remote = new MediaStream()
      for (const r of session.sessionDescriptionHandler.peerConnection.getReceivers()) if (r.track) remote.addTrack(r.track)
      document.getElementById('remote').srcObject = remote
    } else if (s === SessionState.Terminated) {
      state.ended += 1
      if (current === session) {
        current = undefined
        state.active = false
      }
    }
  })
}

/**
 * A phone that takes a held call back offers `sendonly` (Tsunagu does, issue 12). sip.js adds our
 * microphone before it applies that offer, and JSEP (RFC 8829 §5.10) gives a track added so only
 * to a `sendrecv`/`recvonly` m= section: the browser makes a new transceiver without our track,
 * and we would send nothing once the hold ends. Move the track onto the negotiated one.
 */
async function adoptUnsentTrack(session) {
  const pc = session.sessionDescriptionHandler?.peerConnection
  const all = pc?.getTransceivers() ?? []
  const unsent = all.find((t) => t.mid === null && t.sender.track?.kind === 'audio')
  const bare = all.find((t) => t.mid !== null && !t.sender.track && t.receiver.track.kind === 'audio')
  if (!unsent || !bare) return
  await bare.sender.replaceTrack(unsent.sender.track)
  await unsent.sender.replaceTrack(null)
  unsent.stop()
  state.adopted += 1
}

function onInvite(invitation) {
  if (invitation.replacee) {
    if (rejectReplaces) {
      state.refused += 1
      void invitation.reject({ statusCode: rejectReplaces })
      return
    }
    state.replaced += 1
    track(invitation)
    void invitation.accept({ sessionDescriptionHandlerOptions: media }).then(() => adoptUnsentTrack(invitation))
    return
  }
  state.rang += 1
  ringing = invitation
  track(invitation)
  void invitation.progress()
}

window.peer = {
  state,
  async start({ server, domain: d, user }) {
    domain = d
    ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${user}@${d}`),
      transportOptions: { server },
      contactName: `peer${user}`,
      viaHost: `peer${user}.invalid`,
      sipExtensionReplaces: SIPExtension.Supported,
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] }, iceGatheringTimeout: 500 },
      logLevel: 'warn',
      delegate: { onInvite },
    })
    await ua.start()
    const registerer = new Registerer(ua)
    await new Promise((resolve) => {
      registerer.stateChange.addListener((s) => { if (s === RegistererState.Registered) resolve() })
      void registerer.register()
    })
    state.registered = true
  },
  rejectReplacesWith(status) {
    rejectReplaces = status
  },
  call(target) {
    const inviter = new Inviter(ua, UserAgent.makeURI(`sip:${target}@${domain}`), { sessionDescriptionHandlerOptions: media })
    track(inviter)
    return inviter.invite().then(() => undefined)
  },
  answer() {
    return ringing?.accept({ sessionDescriptionHandlerOptions: media })
  },
  hangup() {
    return current?.bye()
  },
}
