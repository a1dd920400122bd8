import type { Softphone, SoftphoneConfig } from '../softphone'
import { browserTimerClock } from '../worker-clock'
import { SipJsSoftphone } from './sipjs-softphone'

/**
 * The softphone as the page uses it: sip.js over the browser's WebSocket, with the line's
 * timers (probe, re-REGISTER, back-off) in a worker, because a hidden page's own timers are
 * throttled to once a minute (see `worker-clock.ts`).
 */
export function browserSoftphone(config: SoftphoneConfig): Softphone {
  // The INVITE preview stays off until the soak's stalls with it are understood (sipjs-softphone.ts).
  return new SipJsSoftphone(config, { clock: browserTimerClock(), previewInvites: false })
}
