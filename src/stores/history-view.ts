import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { HistoryResult, HistoryRow } from '@/history/record'
import type { HistoryQuery } from '@/history/store'
import type { CallDirection } from '@/sip'
import { useCallsStore } from './calls'
import { useHistoryStore } from './history'
import { useSettingsStore } from './settings'

const PAGE_SIZE = 50

/** What the history view filters by. */
export interface HistoryFilter {
  text: string
  result?: HistoryResult
  direction?: CallDirection
}

/**
 * What the history view shows: a page of rows newest first, read from the IndexedDB store
 * through its indexes (never the whole store), and "more" for the next page. Loaded with the
 * view (a lazy chunk); the history store, which writes the rows, is in the start bundle.
 */
export const useHistoryViewStore = defineStore('history-view', () => {
  const history = useHistoryStore()
  const calls = useCallsStore()
  const settingsStore = useSettingsStore()

  const rows = shallowRef<HistoryRow[]>([])
  /** The token of the next page, when there is one. */
  const next = ref<string>()
  const loading = ref(false)
  const filter = ref<HistoryFilter>({ text: '' })
  const anonymousLabel = computed(() => settingsStore.settings.popup.anonymousLabel)
  /** The store could not be opened (private mode, quota, a blocked upgrade). */
  const unavailable = ref(false)
  let reads = 0

  // A call that ends while the view is open shows up in it.
  watch(() => history.written, () => {
    if (history.viewOpen) void load()
  })

  function query(after?: string): HistoryQuery {
    const { text, result, direction } = filter.value
    return {
      limit: PAGE_SIZE,
      ...(text.trim() ? { text } : {}),
      ...(result ? { result } : {}),
      ...(direction ? { direction } : {}),
      ...(after ? { after } : {}),
    }
  }

  /** Reads a page; typing in the search box starts a read per key, so only the latest one lands. */
  async function read(after: string | undefined, land: (page: { rows: HistoryRow[]; next?: string }) => void): Promise<void> {
    const db = await history.database()
    unavailable.value = !db
    if (!db) return
    const seq = ++reads
    loading.value = true
    try {
      const page = await db.page(query(after))
      if (seq === reads) land(page)
    } finally {
      if (seq === reads) loading.value = false
    }
  }

  /** The first page for the current filter. */
  function load(): Promise<void> {
    return read(undefined, (page) => {
      rows.value = page.rows
      next.value = page.next
    })
  }

  /** The next page ("more"). */
  async function more(): Promise<void> {
    if (!next.value) return
    await read(next.value, (page) => {
      rows.value = [...rows.value, ...page.rows]
      next.value = page.next
    })
  }

  async function setFilter(change: Partial<HistoryFilter>): Promise<void> {
    filter.value = { ...filter.value, ...change }
    await load()
  }

  /** The view opened: the missed calls are seen, and it shows the newest calls. */
  async function open(): Promise<void> {
    await history.open()
    await load()
  }

  function close(): void {
    history.close()
  }

  function redial(row: HistoryRow): Promise<boolean> {
    return calls.dial(row.remoteNumber)
  }

  return { rows, next, loading, filter, anonymousLabel, unavailable, load, more, setFilter, open, close, redial }
})
