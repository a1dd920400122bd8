import type { LineLock } from '../ports'

const LOCK = 'tsunagu-line'
/** How long a tab taking over waits for the old one to unregister before it registers. */
const RELEASE_WAIT_MS = 3000

/**
 * The line lock with the Web Locks API (held for the tab's life) and a BroadcastChannel on
 * which the old tab says it has unregistered: registering first would let the old tab's
 * un-REGISTER remove the new tab's binding (both share the browser's SIP contact).
 * Browsers without Web Locks get the line in every tab, as before.
 */
export function browserLineLock(): LineLock {
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(LOCK)

  function hold(options: LockOptions, onLost: () => void): Promise<boolean> {
    return new Promise((resolve) => {
      navigator.locks.request(LOCK, options, (lock) => {
        resolve(lock !== null)
        // Held until the tab closes, or until another tab steals it (the request then rejects).
        return lock ? new Promise<void>(() => undefined) : undefined
      }).catch(() => onLost())
    })
  }

  return {
    async acquire(onLost) {
      if (!navigator.locks) return true
      return hold({ ifAvailable: true }, onLost)
    },
    async takeOver(onLost) {
      if (!navigator.locks) return
      const released = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELEASE_WAIT_MS)
        channel?.addEventListener('message', function onMessage(event) {
          if (event.data?.type !== 'released') return
          clearTimeout(timer)
          channel.removeEventListener('message', onMessage)
          resolve()
        })
      })
      await hold({ steal: true }, onLost)
      await released
    },
    released() {
      channel?.postMessage({ type: 'released' })
    },
    handOffDial(target, from) {
      channel?.postMessage({ type: 'dial', target, from })
    },
    onDialHandOff(listener) {
      const onMessage = (event: MessageEvent) => {
        if (event.data?.type !== 'dial' || typeof event.data.target !== 'string') return
        listener(event.data.target, typeof event.data.from === 'string' ? event.data.from : undefined)
      }
      channel?.addEventListener('message', onMessage)
      return () => channel?.removeEventListener('message', onMessage)
    },
  }
}
