import type { RelayChannel } from '@/sip/tab-relay/protocol'
import type { LineLock } from '../ports'

const LOCK = 'tsunagu-line'
/** How long a tab taking over waits for the old one to unregister before it registers. */
const RELEASE_WAIT_MS = 3000

/**
 * The leader's relay to the other tabs (`src/sip/tab-relay`) shares the lock's channel: its
 * reader drops the lock's own messages (`released`, `dial`, `settings`), which are no relay
 * messages, and the lock's listeners ignore the relay's.
 */
function relayOver(channel: BroadcastChannel | undefined): RelayChannel {
  return {
    post: (message) => channel?.postMessage(message),
    onMessage(listener) {
      const onMessage = (event: MessageEvent) => listener(event.data)
      channel?.addEventListener('message', onMessage)
      return () => channel?.removeEventListener('message', onMessage)
    },
  }
}

/**
 * The line lock with the Web Locks API (held for the tab's life) and a BroadcastChannel on
 * which the old tab says it has unregistered: registering first would let the old tab's
 * un-REGISTER remove the new tab's binding (both share the browser's SIP contact).
 * A tab that closes or crashes releases its lock with its document: the first tab queued
 * (`wait`) gets it at once, without a message from the old one.
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
    relay: relayOver(channel),
    // The phone runs in secure contexts only (the microphone needs one): randomUUID is there.
    tabId: crypto.randomUUID(),
    async acquire(onLost) {
      if (!navigator.locks) return true
      return hold({ ifAvailable: true }, onLost)
    },
    wait(onGranted, onLost) {
      if (!navigator.locks) return () => undefined
      const abort = new AbortController()
      let granted = false
      navigator.locks.request(LOCK, { signal: abort.signal }, () => {
        granted = true
        onGranted()
        return new Promise<void>(() => undefined)
      }).catch(() => {
        // Rejected while queued: cancelled here (nothing to do). Once held: stolen by another tab.
        if (granted) onLost()
      })
      return () => abort.abort()
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
    settingsSaved() {
      channel?.postMessage({ type: 'settings' })
    },
    onSettingsSaved(listener) {
      const onMessage = (event: MessageEvent) => { if (event.data?.type === 'settings') listener() }
      channel?.addEventListener('message', onMessage)
      return () => channel?.removeEventListener('message', onMessage)
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
