import type { RegistrationState } from './softphone'

/** Facts the adapter tracks about its transport and registerer, in our own words. */
export interface LineFacts {
  transport: 'connecting' | 'connected' | 'disconnecting' | 'disconnected'
  registerer: 'initial' | 'registered' | 'unregistered' | 'terminated'
  /** `start()` called and `stop()` not since. */
  wanted: boolean
  /** The line was registered at least once since `start()`. */
  everRegistered: boolean
  /** The registrar rejected us (e.g. 403) or we gave up reconnecting. */
  rejected: boolean
}

/**
 * One place decides what the agent sees. `reconnecting` is only used after the line had
 * worked: a first connection that never came up is `connecting`, then `failed`.
 */
export function registrationStateOf(f: LineFacts): RegistrationState {
  if (!f.wanted) return 'unregistered'
  if (f.rejected) return 'failed'
  if (f.transport === 'connected' && f.registerer === 'registered') return 'registered'
  if (f.everRegistered) return 'reconnecting'
  return 'connecting'
}
