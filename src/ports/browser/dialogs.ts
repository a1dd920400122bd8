import type { DialogStore, ResumePorts } from '../ports'
import { openDialogStore } from './dialogs-idb'

/** Calls ended on purpose, written synchronously in `pagehide` (see `ResumePorts.markEnded`). */
const ENDED_KEY = 'tsunagu.dialogs.ended'
const ENDED_KEPT = 50

function endedIds(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(ENDED_KEY) ?? '[]')
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}

/** F5, Ctrl+F5, Ctrl+R, Ctrl+Shift+R, ⌘R: the keys that reload the page. */
function isReloadKey(event: KeyboardEvent): boolean {
  return event.key === 'F5' || ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === 'r' || event.key === 'R'))
}

/** The dialogs' IndexedDB without the calls marked ended (those records are deleted on the way). */
function withoutEnded(store: DialogStore): DialogStore {
  return {
    ...store,
    async list() {
      const ended = new Set(endedIds())
      const kept: unknown[] = []
      for (const record of await store.list()) {
        const id = (record as { callId?: unknown }).callId
        if (typeof id === 'string' && ended.has(id)) await store.delete(id).catch(() => undefined)
        else kept.push(record)
      }
      return kept
    },
  }
}

/** Loaded with the line (a chunk of its own, with `idb`): nothing of it is needed to paint. */
export async function browserResumePorts(): Promise<ResumePorts> {
  const store = await openDialogStore().catch(() => undefined)
  return {
    dialogs: store && withoutEnded(store),
    markEnded(callIds) {
      if (callIds.length === 0) return
      try {
        localStorage.setItem(ENDED_KEY, JSON.stringify([...endedIds(), ...callIds].slice(-ENDED_KEPT)))
      } catch {
        // Storage full or blocked: the IndexedDB delete is the only mark then.
      }
    },
    onReloadKey(listener) {
      const onKey = (event: KeyboardEvent) => { if (isReloadKey(event)) listener() }
      window.addEventListener('keydown', onKey, true)
      return () => window.removeEventListener('keydown', onKey, true)
    },
  }
}
