import type { Softphone, SoftphoneConfig } from '../softphone'
import { browserTimerClock } from '../worker-clock'
import { SipJsSoftphone } from './sipjs-softphone'

/**
 * The softphone as the page uses it: sip.js over the browser's WebSocket, with the line's
 * timers (probe, re-REGISTER, back-off) in a worker, because a hidden page's own timers are
 * throttled to once a minute (see `worker-clock.ts`); the INVITE preview (the popup before
 * sip.js's work on the INVITE) and a spare offer while the agent is at the dial pad.
 */
export function browserSoftphone(config: SoftphoneConfig): Softphone {
  return new SipJsSoftphone(config, { clock: browserTimerClock(), spareOffers: true })
}
