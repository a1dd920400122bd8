import type { CallInfo, RegistrationStatus, SoftphoneEvents } from '../softphone'

/**
 * The line shared by the tabs of one browser. One tab (the leader: it holds the line lock)
 * has the real softphone; {@link relayLine} tells every other tab what it does and runs what
 * they ask. A follower's {@link RemoteSoftphone} is a `Softphone` over that channel.
 *
 * ```
 *  follower                         leader
 *   hello ───────────────────────►
 *         ◄─────────────────────── state  (registration + calls; also sent when a leader starts)
 *         ◄─────────────────────── event  (registration, callAdded, callUpdated, referred)
 *   command {id, method, args} ───►       (runs it on the real softphone)
 *         ◄─────────────────────── result {id, ok, value | error}
 *         ◄─────────────────────── bye    (the leader lets go of the line)
 * ```
 *
 * Audio never crosses: it plays in the leader (`remoteStream` is not relayed).
 */
export interface RelayChannel {
  post(message: RelayMessage): void
  /** Every message another tab posted (never this tab's own), unchecked: read with {@link relayMessageOf}. */
  onMessage(listener: (message: unknown) => void): () => void
}

/** What a follower may ask the leader's softphone to do: the `Softphone` methods except start/stop/on. */
export const RELAYED_COMMANDS = [
  'dial', 'answer', 'decline', 'hangup', 'hold', 'unhold', 'mute', 'unmute',
  'sendDtmf', 'transfer', 'attendedTransfer', 'setMicrophone', 'setDoNotDisturb',
] as const
export type RelayedCommand = (typeof RELAYED_COMMANDS)[number]

export type RelayedEvent = Exclude<keyof SoftphoneEvents, 'remoteStream'>

export type RelayMessage =
  | { type: 'hello' }
  | { type: 'state'; registration: RegistrationStatus; calls: CallInfo[] }
  | { type: 'event'; event: RelayedEvent; args: unknown[] }
  | { type: 'command'; id: string; method: RelayedCommand; args: unknown[] }
  | { type: 'result'; id: string; ok: true; value: unknown }
  | { type: 'result'; id: string; ok: false; error: string }
  | { type: 'bye' }
  /**
   * What the leader's app learnt about a call beyond the softphone (the CRM's answer), for the
   * followers to show. Opaque here: its reader checks `data` (see `session.ts`).
   */
  | { type: 'annotation'; callId: string; data: unknown }
  /**
   * Between the app's two ends beyond the line (the CRM session, the history): `topic` names
   * what `data` is; opaque here, its reader checks `data` (see `stores/tab-cti.ts`).
   */
  | { type: 'app'; topic: string; data: unknown }

const EVENTS: readonly string[] = ['registration', 'callAdded', 'callUpdated', 'referred'] satisfies RelayedEvent[]

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * The message if it is one of ours, else undefined. Other tabs of the origin are ours, but
 * may run another version of the app (a tab not reloaded since an update): anything of a
 * shape we do not know is dropped, never half-read.
 */
export function relayMessageOf(data: unknown): RelayMessage | undefined {
  if (!isRecord(data) || typeof data.type !== 'string') return undefined
  switch (data.type) {
    case 'hello':
    case 'bye':
      return { type: data.type }
    case 'state':
      return isRecord(data.registration) && typeof data.registration.state === 'string' && Array.isArray(data.calls)
        ? (data as RelayMessage)
        : undefined
    case 'event':
      return typeof data.event === 'string' && EVENTS.includes(data.event) && Array.isArray(data.args) ? (data as RelayMessage) : undefined
    case 'command':
      return typeof data.id === 'string' && (RELAYED_COMMANDS as readonly unknown[]).includes(data.method) && Array.isArray(data.args)
        ? (data as RelayMessage)
        : undefined
    case 'annotation':
      return typeof data.callId === 'string' ? (data as RelayMessage) : undefined
    case 'app':
      return typeof data.topic === 'string' ? (data as RelayMessage) : undefined
    case 'result':
      return typeof data.id === 'string' && typeof data.ok === 'boolean' ? (data as RelayMessage) : undefined
    default:
      return undefined
  }
}
