import type { RelayChannel, RelayMessage } from './protocol'

/** One tab's end of a fake channel. */
export interface FakeEnd extends RelayChannel {
  /** The tab closed: it hears and says nothing more. */
  close(): void
  listeners: Set<(message: unknown) => void>
}

/**
 * BroadcastChannel between fake tabs: each `tab()` is one tab's end. A message reaches every
 * other open end, never its sender, as a structured clone, in a later microtask and in the
 * order it was posted (as the browser delivers it, minus the task hop).
 */
export function fakeChannelHub() {
  const ends = new Set<FakeEnd>()
  /** Every message posted, in order (for tests that read the protocol). */
  const posted: RelayMessage[] = []

  function tab(): FakeEnd {
    const end: FakeEnd = {
      listeners: new Set(),
      post(message) {
        if (!ends.has(end)) throw new Error('fake channel: posted on a closed end')
        posted.push(message)
        const copy = structuredClone(message)
        for (const other of ends) {
          if (other === end) continue
          queueMicrotask(() => {
            if (!ends.has(other)) return
            for (const listener of [...other.listeners]) listener(structuredClone(copy))
          })
        }
      },
      onMessage(listener) {
        end.listeners.add(listener)
        return () => end.listeners.delete(listener)
      },
      close() {
        ends.delete(end)
      },
    }
    ends.add(end)
    return end
  }

  return { tab, posted }
}

/** Lets every message in flight (and what it triggers) arrive. */
export async function deliver(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve()
}
