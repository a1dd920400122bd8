import { Web } from 'sip.js'
import { escapeHashInSipUris, isInitialInvite } from '../caller-uri'

/**
 * sip.js's WebSocket transport with two additions on the receive path, before sip.js
 * parses anything: raw `#` codes in URI user parts are escaped (see `escapeHashInSipUris`),
 * and `performance.mark('tsunagu:invite')` records when a new call's INVITE reached the page.
 * On the send path, `performance.mark('tsunagu:invite-sent')` records when our own INVITE
 * left (dial click → INVITE sent is a budgeted latency).
 *
 * The user agent assigns `transport.onMessage` after construction; we intercept that
 * assignment instead of patching sip.js's private `onWebSocketMessage`.
 */
export class HashSafeTransport extends Web.Transport {
  constructor(...args: ConstructorParameters<typeof Web.Transport>) {
    super(...args)
    let listener: ((message: string) => void) | undefined
    const wrapped = (message: string): void => {
      if (isInitialInvite(message)) performance.mark('tsunagu:invite')
      listener?.(escapeHashInSipUris(message))
    }
    Object.defineProperty(this, 'onMessage', {
      configurable: true,
      get: () => (listener ? wrapped : undefined),
      set: (fn: ((message: string) => void) | undefined) => { listener = fn },
    })
  }

  override send(message: string): Promise<void> {
    if (isInitialInvite(message)) performance.mark('tsunagu:invite-sent')
    return super.send(message)
  }
}
