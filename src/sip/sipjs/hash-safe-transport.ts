import { TransportState, type Transport } from 'sip.js'
import { escapeHashInSipUris, isInitialInvite } from '../caller-uri'

/** What sip.js's `transportConstructor` option takes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TransportConstructor = new (logger: any, options: any) => Transport

/**
 * The ring path's hook on the receive path (see `SipJsSoftphone.previewInvite`): the first
 * INVITE of a call is shown before sip.js works on it.
 */
export interface ReceiveHooks {
  /**
   * A new call's INVITE reached the page (`#` already escaped). Return a callback to have sip.js
   * get the message in a later task (then called after sip.js handled it), or `undefined` to let
   * sip.js have it now. Messages that arrive meanwhile wait behind it, in order.
   */
  initialInvite?(message: string): (() => void) | undefined
  /** Runs `work` in a task of its own, after this task's rendering microtasks. */
  nextTask(work: () => void): void
}

/** Work waiting for its task, in order, on one long-lived channel (see `messageChannelTask`). */
const taskQueue: (() => void)[] = []
let taskChannel: MessageChannel | undefined

/**
 * A task after the current one's microtasks; MessageChannel tasks are not throttled like timers.
 * One channel for the page, held here: a channel made per task and dropped could be collected
 * with its message still undelivered, and the INVITE held for it with every message after it.
 */
export function messageChannelTask(work: () => void): void {
  if (!taskChannel) {
    taskChannel = new MessageChannel()
    taskChannel.port1.onmessage = () => taskQueue.shift()?.()
    // Node (unit tests): the open port must not keep the process alive.
    ;(taskChannel.port1 as { unref?: () => void }).unref?.()
  }
  taskQueue.push(work)
  taskChannel.port2.postMessage(0)
}

/**
 * A sip.js transport with two additions on the receive path, before sip.js parses
 * anything: raw `#` codes in URI user parts are escaped (see `escapeHashInSipUris`), and
 * `performance.mark('tsunagu:invite')` records when a new call's INVITE reached the page.
 * On the send path, `performance.mark('tsunagu:invite-sent')` records when our own INVITE
 * left (dial click → INVITE sent is a budgeted latency).
 *
 * With `hooks`, a new call's INVITE is first offered to `hooks.initialInvite`, which may have
 * sip.js get it (and whatever arrives meanwhile, in order) in the next task: the popup is in the
 * DOM before sip.js's transaction layer, its 100 Trying and the Invitation run.
 *
 * It wraps any transport class, so the fake transport of the unit tests goes through the
 * same escaping as the WebSocket one in the browser. The user agent assigns
 * `transport.onMessage` after construction; we intercept that assignment instead of
 * patching the transport's private receive handler.
 */
export function hashSafe(Base: TransportConstructor, hooks?: ReceiveHooks): TransportConstructor {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return class HashSafe extends (Base as new (...args: any[]) => Transport) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args)
      let listener: ((message: string) => void) | undefined
      /** Messages held back behind a previewed INVITE, with what to run after each. */
      const held: { message: string; after?: () => void }[] = []
      const drain = (): void => {
        while (held.length > 0) {
          const { message, after } = held[0]!
          try {
            listener?.(message)
          } catch (error) {
            // As if sip.js had got it straight from the socket: the message is lost, the line is not.
            console.warn('sip.js failed on a message', error)
          }
          held.shift()
          try {
            after?.()
          } catch (error) {
            console.warn('the ring path failed after a message', error)
          }
        }
      }
      const wrapped = (raw: string): void => {
        const initial = isInitialInvite(raw)
        if (initial) globalThis.performance?.mark?.('tsunagu:invite')
        const message = escapeHashInSipUris(raw)
        if (held.length > 0) {
          held.push({ message })
          return
        }
        const after = initial && hooks?.initialInvite ? hooks.initialInvite(message) : undefined
        if (!after) {
          listener?.(message)
          return
        }
        held.push({ message, after })
        hooks!.nextTask(drain)
      }
      Object.defineProperty(this, 'onMessage', {
        configurable: true,
        get: () => (listener ? wrapped : undefined),
        set: (fn: ((message: string) => void) | undefined) => { listener = fn },
      })
    }

    override send(message: string): Promise<void> {
      if (isInitialInvite(message)) globalThis.performance?.mark?.('tsunagu:invite-sent')
      return super.send(message)
    }
  }
}

/** sip.js's WebSocket transport, as far as `abandonTransport` needs to reach into it. */
interface WebTransportInternals {
  _ws?: WebSocket
  transitionState?(state: TransportState, error?: Error): void
}

/**
 * Forgets the transport's socket at once and reports it disconnected (with `error`), instead of
 * closing it politely: `WebSocket.close()` waits for the other side's close frame, which a hung
 * PBX or a dead network path never sends, and sip.js would stay "Disconnecting" meanwhile. A
 * pending connection attempt is aborted the same way (its promise rejects). The old socket is
 * closed in the background; sip.js ignores its events because it is no longer its socket.
 * Transports with an `abandon(error)` method of their own (the unit tests' fake) use it.
 */
export function abandonTransport(transport: Transport, error: Error): void {
  const t = transport as Transport & WebTransportInternals & { abandon?: (error: Error) => void }
  if (typeof t.abandon === 'function') {
    t.abandon(error)
    return
  }
  if (typeof t.transitionState !== 'function') {
    void transport.disconnect().catch(() => undefined)
    return
  }
  const ws = t._ws
  if (transport.state === TransportState.Connected || transport.state === TransportState.Connecting) {
    t._ws = undefined
    t.transitionState(TransportState.Disconnected, error)
  }
  try {
    ws?.close(1000)
  } catch {
    // Already closing: nothing to do.
  }
}
