import type { CallInfo, Softphone } from '../softphone'
import { relayMessageOf, type RelayChannel, type RelayedCommand } from './protocol'

export interface LineRelay {
  /** Tells the followers something the app learnt about a call (the CRM's answer). */
  annotate(callId: string, data: unknown): void
  /** Stops relaying and tells the followers the line is gone from this tab (`bye`). */
  stop(): void
}

/**
 * In the tab that holds the line: tells the other tabs what `phone` does and runs the
 * commands they send on it. Start it before `phone.start()`, so it sees every call from the
 * first one (the snapshot it sends a new follower is the calls it saw).
 */
export function relayLine(phone: Softphone, channel: RelayChannel, options: { onHello?: () => void } = {}): LineRelay {
  const calls = new Map<string, CallInfo>()
  let stopped = false

  const sendState = () => channel.post({ type: 'state', registration: phone.registration, calls: [...calls.values()] })

  const track = (call: CallInfo) => {
    if (call.state === 'ended') calls.delete(call.id)
    else calls.set(call.id, call)
  }

  const offs = [
    phone.on('registration', (status) => channel.post({ type: 'event', event: 'registration', args: [status] })),
    phone.on('callAdded', (call) => {
      track(call)
      channel.post({ type: 'event', event: 'callAdded', args: [call] })
    }),
    phone.on('callUpdated', (call) => {
      // Only calls announced to the followers: the softphone's own rule for `callUpdated`.
      if (!calls.has(call.id)) return
      track(call)
      channel.post({ type: 'event', event: 'callUpdated', args: [call] })
    }),
    phone.on('referred', (callId, newCallId, target) => channel.post({ type: 'event', event: 'referred', args: [callId, newCallId, target] })),
    channel.onMessage((data) => {
      const message = relayMessageOf(data)
      if (!message || stopped) return
      if (message.type === 'hello') {
        sendState()
        // After the state: the app's annotations of those calls follow it.
        options.onHello?.()
      }
      else if (message.type === 'command') void run(message.id, message.method, message.args)
    }),
  ]

  async function run(id: string, method: RelayedCommand, args: unknown[]): Promise<void> {
    try {
      // The method names are checked against RELAYED_COMMANDS by `relayMessageOf`; the
      // softphone checks its arguments as it does for this tab's own calls.
      const call = phone[method] as (...a: unknown[]) => unknown
      const value = await call.apply(phone, args)
      if (!stopped) channel.post({ type: 'result', id, ok: true, value: value ?? null })
    } catch (error) {
      if (!stopped) channel.post({ type: 'result', id, ok: false, error: error instanceof Error ? error.message : String(error) })
    }
  }

  // A follower that asked before this tab had the line hears it now.
  sendState()

  return {
    annotate(callId, data) {
      if (!stopped && calls.has(callId)) channel.post({ type: 'annotation', callId, data })
    },
    stop() {
      if (stopped) return
      stopped = true
      for (const off of offs) off()
      calls.clear()
      channel.post({ type: 'bye' })
    },
  }
}
