import type { DialogStore, ResumePorts } from '../ports'

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

/**
 * The dialogs' IndexedDB (`dialogs-idb.ts`) loads with the first call kept or looked for;
 * the end marks and the reload key are plain browser calls, here.
 */
export const browserResumePorts: ResumePorts = {
  async open(): Promise<DialogStore> {
    const store = await (await import('./dialogs-idb')).openDialogStore()
    return {
      ...store,
      async list() {
        const ended = new Set(endedIds())
        const records = await store.list()
        const kept: unknown[] = []
        for (const record of records) {
          const id = (record as { callId?: unknown }).callId
          if (typeof id === 'string' && ended.has(id)) await store.delete(id).catch(() => undefined)
          else kept.push(record)
        }
        return kept
      },
    }
  },
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
