import type { LineLock } from '@/ports/ports'
import { fakeChannelHub } from '@/sip/tab-relay/fake-channel'

interface Holder {
  tab: string
  onLost: () => void
}

/**
 * The tabs of one fake browser: one line lock (Web Locks semantics: one holder, a FIFO queue,
 * steal) and one relay channel. `lineLock(tab)` is what that tab's ports get; `close(tab)` is
 * the tab closing or crashing (its lock is released, its queue place and relay end go).
 */
export function fakeTabs() {
  const hub = fakeChannelHub()
  let holder: Holder | undefined
  const queue: { tab: string; onGranted: () => void; onLost: () => void }[] = []
  const ends = new Map<string, ReturnType<typeof hub.tab>>()
  const releasedListeners = new Set<() => void>()
  const settingsListeners = new Map<string, Set<() => void>>()

  function grantNext(): void {
    const next = queue.shift()
    if (!next) return
    holder = { tab: next.tab, onLost: next.onLost }
    queueMicrotask(next.onGranted)
  }

  function lineLock(tab: string): LineLock {
    const end = hub.tab()
    ends.set(tab, end)
    return {
      relay: end,
      tabId: tab,
      acquire: async (onLost) => {
        if (holder) return false
        holder = { tab, onLost }
        return true
      },
      wait: (onGranted, onLost) => {
        const entry = { tab, onGranted, onLost }
        queue.push(entry)
        if (!holder) grantNext()
        return () => {
          const at = queue.indexOf(entry)
          if (at >= 0) queue.splice(at, 1)
        }
      },
      takeOver: async (onLost) => {
        const old = holder
        holder = { tab, onLost }
        if (!old) return
        const released = new Promise<void>((resolve) => {
          const once = () => { releasedListeners.delete(once); resolve() }
          releasedListeners.add(once)
        })
        old.onLost()
        await released
      },
      released: () => { for (const listener of [...releasedListeners]) listener() },
      settingsSaved: () => {
        for (const [other, listeners] of settingsListeners) if (other !== tab) for (const listener of [...listeners]) queueMicrotask(listener)
      },
      onSettingsSaved: (listener) => {
        const set = settingsListeners.get(tab) ?? new Set()
        settingsListeners.set(tab, set)
        set.add(listener)
        return () => set.delete(listener)
      },
      handOffDial: () => undefined,
      onDialHandOff: () => () => undefined,
    }
  }

  return {
    lineLock,
    holder: () => holder?.tab,
    /** The tab closed or its renderer crashed: no goodbye, the browser releases what it held. */
    close(tab: string): void {
      ends.get(tab)?.close()
      settingsListeners.delete(tab)
      for (let i = queue.length - 1; i >= 0; i -= 1) if (queue[i]!.tab === tab) queue.splice(i, 1)
      if (holder?.tab === tab) {
        holder = undefined
        grantNext()
      }
    },
  }
}
