import type { TimerSet } from '../../clock'
import { FakeClock } from '../../fake-clock'
import type { CallInfo, SoftphoneConfig, SoftphoneEvents } from '../../softphone'
import { SipJsSoftphone } from '../sipjs-softphone'
import { FakeMediaFactory } from './fake-media'
import { FakeSipNetwork } from './fake-transport'
import {
  ackIncoming,
  CONTACT,
  dialogOfOurInvite,
  DOMAIN,
  header,
  invite,
  parseSip,
  registerOk,
  reply,
  sdp,
  tagOf,
  uriUser,
  VIA_HOST,
  type InviteOptions,
  type RemoteDialog,
  type SipMessage,
} from './sip-messages'

export const TEST_CONFIG: SoftphoneConfig = {
  server: 'ws://127.0.0.1:1/ws',
  domain: DOMAIN,
  user: '1001',
  password: 'secret-1001',
  displayName: 'Agent 1001',
  contactName: CONTACT,
  viaHost: VIA_HOST,
  iceServers: [],
  iceGatheringTimeoutMs: 500,
  registerExpires: 600,
}

/** One event the phone emitted, in a form a test compares easily. */
export type Recorded =
  | { event: 'registration'; state: string; reason?: string }
  | { event: 'callAdded' | 'callUpdated' | 'rejectedByDnd'; call: CallInfo }
  | { event: 'remoteStream'; callId: string; streamId: string }
  | { event: 'referred'; callId: string; newCallId: string; target: string }

/**
 * `SipJsSoftphone` on the fakes: sip.js's real user agent over `FakeSipNetwork`, the fake
 * media handler, a fake clock; every event recorded in order.
 */
export function sipJsOnFakes(config: Partial<SoftphoneConfig> = {}) {
  const network = new FakeSipNetwork()
  const media = new FakeMediaFactory()
  const clock = new FakeClock()
  const phone = new SipJsSoftphone({ ...TEST_CONFIG, ...config }, {
    transportConstructor: network.transportConstructor,
    sessionDescriptionHandlerFactory: media.factory,
    clock,
  })
  const events: Recorded[] = []
  const on = <E extends keyof SoftphoneEvents>(event: E, listener: SoftphoneEvents[E]) => phone.on(event, listener)
  on('registration', (s) => events.push({ event: 'registration', state: s.state, ...(s.reason ? { reason: s.reason } : {}) }))
  on('callAdded', (call) => events.push({ event: 'callAdded', call }))
  on('callUpdated', (call) => events.push({ event: 'callUpdated', call }))
  on('rejectedByDnd', (call) => events.push({ event: 'rejectedByDnd', call }))
  on('remoteStream', (callId, stream) => events.push({ event: 'remoteStream', callId, streamId: stream.id }))
  on('referred', (callId, newCallId, target) => events.push({ event: 'referred', callId, newCallId, target }))
  return { phone, network, media, clock, events }
}

/** Answers every REGISTER with 200 (a registrar that knows us), a moment after it was sent. */
export function autoRegistrar(network: FakeSipNetwork): void {
  const previous = network.onSend
  network.onSend = (message: SipMessage) => {
    previous?.(message)
    if (message.method === 'REGISTER') queueMicrotask(() => network.deliver(registerOk(message, Number(/expires=(\d+)/.exec(message.headers.contact?.[0] ?? '')?.[1] ?? 600))))
  }
}

/** Lets sip.js's promise chains run (real macrotasks; our own timers are on the fake clock). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setTimeout(resolve, 0))
}

/** Waits until `check` returns something truthy, letting sip.js work in between. */
export async function until<T>(check: () => T | undefined | false | null, what = 'condition'): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = check()
    if (value) return value
    await new Promise<void>((resolve) => setTimeout(resolve, 0))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A phone on the fakes, started and registered. */
export async function registeredPhone(config: Partial<SoftphoneConfig> = {}) {
  const harness = sipJsOnFakes(config)
  autoRegistrar(harness.network)
  await harness.phone.start()
  await until(() => harness.phone.registration.state === 'registered', 'registered')
  // The parser warm-up the line runs in a task of its own after the first registration.
  harness.clock.advance(0)
  return harness
}

export type Harness = ReturnType<typeof sipJsOnFakes>

/** The line's own pending timers (probe tick, registration refresh and expiry, reconnect back-off), as delays. */
export function lineDelays(h: Harness): number[] {
  return (h.phone as unknown as { lineTimers: TimerSet }).lineTimers.pendingDelays
}

/** Pending timers of everything but the line (calls, transfers, ICE settle): what must be gone when a call is. */
export function callDelays(h: Harness): number[] {
  const line = [...lineDelays(h)]
  return h.clock.pendingDelays.filter((delay) => {
    const i = line.indexOf(delay)
    if (i < 0) return true
    line.splice(i, 1)
    return false
  })
}

function callAddedCount(h: Harness): number {
  return h.events.filter((e) => e.event === 'callAdded').length
}

/** The latest snapshot the phone reported of `callId`. */
export function latest(h: Harness, callId: string): CallInfo | undefined {
  for (let i = h.events.length - 1; i >= 0; i -= 1) {
    const e = h.events[i]
    if (e && (e.event === 'callAdded' || e.event === 'callUpdated') && e.call.id === callId) return e.call
  }
  return undefined
}

/** The PBX offers us a call; resolves once the phone announced it (`callAdded`). */
export async function ringIn(h: Harness, options: InviteOptions) {
  const count = callAddedCount(h)
  const { raw, dialog } = invite(options)
  h.network.deliver(raw)
  const added = await until(() => h.events.filter((e) => e.event === 'callAdded')[count], 'callAdded')
  if (added.event !== 'callAdded') throw new Error('unreachable')
  return { raw, dialog, callId: added.call.id }
}

/** We answer a ringing call; the caller ACKs our 200. Resolves with our 200. */
export async function answerIn(h: Harness, callId: string, dialog: RemoteDialog): Promise<SipMessage> {
  await h.phone.answer(callId)
  const ok = await until(() => h.network.last({ status: 200, cseq: 'INVITE', callId: dialog.callId }), '200 to the INVITE')
  dialog.localTag = tagOf(header(ok, 'to'))
  h.network.deliver(ackIncoming(dialog))
  await until(() => latest(h, callId)?.state === 'active', 'active')
  return ok
}

/** An incoming call, answered and established. */
export async function activeIncoming(h: Harness, from = '1002') {
  const ringing = await ringIn(h, { from })
  await answerIn(h, ringing.callId, ringing.dialog)
  return ringing
}

/** We dial; resolves with our INVITE and the dialog the called side keeps. */
export async function dialOut(h: Harness, target: string) {
  const from = h.network.sent.length
  const result = await h.phone.dial(target)
  if (!result.ok) throw new Error(`dial refused: ${result.reason}`)
  const ours = await until(() => h.network.sent.slice(from).map(parseSip).find((m) => m.method === 'INVITE'), 'our INVITE')
  return { callId: result.callId, invite: ours, dialog: dialogOfOurInvite(ours) }
}

/** The called side answers our INVITE with 200 + SDP; resolves once we ACKed. */
export async function remoteAnswers(h: Harness, out: { callId: string; invite: SipMessage }): Promise<void> {
  h.network.deliver(reply(out.invite, 200, 'OK', { headers: [['Contact', `<sip:${uriUser(header(out.invite, 'to'))}@127.0.0.1:5060;transport=ws>`]], body: sdp() }))
  await until(() => h.network.last({ method: 'ACK', callId: header(out.invite, 'call-id') }), 'our ACK')
  await until(() => latest(h, out.callId)?.state === 'active', 'active')
}

/** An outgoing call, answered and established. */
export async function activeOutgoing(h: Harness, target = '1002') {
  const out = await dialOut(h, target)
  await remoteAnswers(h, out)
  return out
}
