import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { HistoryResult, HistoryRow } from '@/history/record'
import type { HistoryQuery } from '@/history/store'
import { usePorts } from '@/ports/ports'
import type { CallDirection } from '@/sip'
import { useCallsStore } from './calls'
import { rowParties } from '@/history/row-parties'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { historyDeliveryId, useOutboxStore, type DeliveryView } from './outbox'
import { useRecordingStore } from './recording'
import { recordings as recordingStore } from '@/recording/shared'
import { readUploadTooLarge } from '@/outbox/too-large'
import type { RecordingMeta } from '@/recording/store'
import { useSettingsStore } from './settings'

const PAGE_SIZE = 50

/** What the history view filters by. */
export interface HistoryFilter {
  text: string
  result?: HistoryResult
  direction?: CallDirection
  /** First day shown, `YYYY-MM-DD` in local time (from its midnight). */
  fromDay?: string
  /** Last day shown, `YYYY-MM-DD` in local time (to its end). */
  toDay?: string
}

/** Local midnight of `YYYY-MM-DD` as epoch ms; undefined for anything else. */
export function localMidnight(day: string | undefined, plusDays = 0): number | undefined {
  const match = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null
  if (!match) return undefined
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays).getTime()
}

/** The most rows an export writes (the whole default retention). */
const EXPORT_MAX_ROWS = 100_000

/**
 * What the history view shows: a page of rows newest first, read from the IndexedDB store
 * through its indexes (never the whole store), and "more" for the next page. Loaded with the
 * view (a lazy chunk); the history store, which writes the rows, is in the start bundle.
 */
/** The stored ids of a row's recording parts, in part order. */
const partIds = (row: HistoryRow): string[] => row.recordingParts ?? (row.recordingId === undefined ? [] : [row.recordingId])

export const useHistoryViewStore = defineStore('history-view', () => {
  const ports = usePorts()
  const history = useHistoryStore()
  const calls = useCallsStore()
  const settingsStore = useSettingsStore()
  const outbox = useOutboxStore()
  const cti = useCtiStore()
  /** Each call's delivery to the CRM, as the outbox of this tab knows it (kept live). */
  const deliveries = shallowRef<Readonly<Record<string, DeliveryView>>>({})
  void outbox.use().then((box) => {
    deliveries.value = box.entries()
    box.watch(() => { deliveries.value = box.entries() })
  }).catch(() => undefined)

  const recording = useRecordingStore()
  /** The stored recording of each part of the rows on the page, by recording id ('gone': evicted or deleted after upload). */
  const files = shallowRef<Readonly<Record<string, RecordingMeta | 'gone'>>>({})
  /** The recording being played: its row and an object URL of its audio. */
  const playing = shallowRef<{ callId: string; url: string }>()

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

  function query(after?: string, limit = PAGE_SIZE): HistoryQuery {
    const { text, result, direction, fromDay, toDay } = filter.value
    const from = localMidnight(fromDay)
    const to = localMidnight(toDay, 1)
    return {
      limit,
      ...(text.trim() ? { text } : {}),
      ...(result ? { result } : {}),
      ...(direction ? { direction } : {}),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(after ? { after } : {}),
    }
  }

  /**
   * The rows the current filter shows, all of them (page by page through the same indexes), as
   * an Excel-friendly CSV file (`src/history/csv.ts`).
   */
  async function exportCsv(now = new Date()): Promise<number> {
    const db = await history.database()
    if (!db) return 0
    const all: HistoryRow[] = []
    let after: string | undefined
    do {
      const page = await db.page(query(after, 1000))
      all.push(...page.rows)
      after = page.next
    } while (after && all.length < EXPORT_MAX_ROWS)
    const { historyCsv } = await import('@/history/csv')
    ports.files.save(`tsunagu-history-${now.toISOString().slice(0, 10)}.csv`, historyCsv(all), 'text/csv')
    return all.length
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
      // Each row's delivery to the CRM (the history access, the recording's upload), when one is owed.
      const recorded = page.rows.filter((row) => row.recordingId !== undefined)
      const ids = recorded.flatMap(partIds)
      // A part's upload is the outbox entry `recording:<its id>` (`recordingDeliveryId`).
      await (await outbox.use()).load([...page.rows.map((row) => historyDeliveryId(row.callId)), ...ids.map((id) => `recording:${id}`)]).catch(() => undefined)
      const store = recorded.length > 0 ? await recordingStore() : undefined
      const stored = new Map((await Promise.all(recorded.map((row) => store?.partsOf(row.callId).catch(() => []) ?? []))).flat().map((m) => [m.id, m]))
      files.value = { ...files.value, ...Object.fromEntries(ids.map((id) => [id, stored.get(id) ?? 'gone'])) }
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

  /** The call's record as owed to the CRM (the `history` access), if one is. */
  function delivery(row: HistoryRow): DeliveryView | undefined {
    return deliveries.value[historyDeliveryId(row.callId)]
  }

  /** "Retry now": the record is sent at once (by the tab that holds the line). */
  async function retryDelivery(row: HistoryRow): Promise<void> {
    await (await outbox.use()).retryNow(historyDeliveryId(row.callId))
  }

  /** "Open in CRM" on a past call: the click access with that call's number, {ID} and values. */
  const canOpenInCrm = computed(() => cti.canOpenInCrm)
  async function openInCrm(row: HistoryRow): Promise<void> {
    const engine = cti.engine()
    // In a tab without the line, the line's tab runs it (`tab-cti.ts`).
    if (engine) await engine.clickPast(row.callId, rowParties(row), row.values)
    else await cti.remote()?.openPast(row.callId, rowParties(row), row.values)
  }

  /**
   * A row's recording (part `part`, 1-based: a call resumed after a reload has several) as
   * stored here; 'gone' when the row had one this browser no longer keeps.
   */
  function recordingOf(row: HistoryRow, part = 1): RecordingMeta | 'gone' | undefined {
    const id = partIds(row)[part - 1]
    return id === undefined ? undefined : files.value[id]
  }

  /** The upload of a part of the recording to the CRM (the `recording` access), if one is owed. */
  function recordingDelivery(row: HistoryRow, part = 1): DeliveryView | undefined {
    const id = partIds(row)[part - 1]
    return id === undefined ? undefined : deliveries.value[`recording:${id}`]
  }

  /** A part's upload that failed for good because the file is larger than its way to the CRM carries: the sizes (MB). */
  function uploadTooLarge(row: HistoryRow, part = 1): { size: string; limit: string } | undefined {
    const delivery = recordingDelivery(row, part)
    return delivery?.state === 'failed-permanent' ? readUploadTooLarge(delivery.lastError) : undefined
  }

  async function audioOf(row: HistoryRow, part: number) {
    const id = partIds(row)[part - 1]
    return id === undefined ? undefined : (await recordingStore())?.get(id)
  }

  /** Plays a row's recording (a part of it) in the view (one at a time). */
  async function play(row: HistoryRow, part = 1): Promise<void> {
    const file = await audioOf(row, part)
    if (!file) return
    stopPlaying()
    playing.value = { callId: row.callId, url: URL.createObjectURL(file.blob) }
  }

  function stopPlaying(): void {
    if (playing.value) URL.revokeObjectURL(playing.value.url)
    playing.value = undefined
  }

  /** Saves a row's recording (a part of it) as a file (`<number>-<time>.webm`, `-part<n>` for part n ≥ 2). */
  async function download(row: HistoryRow, part = 1): Promise<void> {
    const file = await audioOf(row, part)
    if (!file) return
    const stamp = new Date(row.startedAt).toISOString().replace(/[:.]/g, '-').slice(0, 19)
    const ext = file.mimeType.startsWith('audio/ogg') ? 'ogg' : 'webm'
    ports.files.save(`tsunagu-${(row.remoteNumber || 'call').replace(/[^\w+-]/g, '_')}-${stamp}${part > 1 ? `-part${part}` : ''}.${ext}`, file.blob, file.mimeType)
  }

  return {
    rows, next, loading, filter, anonymousLabel, unavailable, canOpenInCrm, playing,
    /** Calls whose recording the size cap removed before the CRM got it (this page's). */
    lostRecordings: computed(() => recording.lost),
    load, more, setFilter, open, close: () => { stopPlaying(); close() }, redial, exportCsv,
    /** The pointer or the focus is on a call-back button: the line may get a call's offer ready. */
    readyToDial: () => calls.readyToDial(), delivery, retryDelivery, openInCrm,
    recordingOf, recordingDelivery, uploadTooLarge, play, stopPlaying, download,
    /** The parts of a row's recording, 1-based (`[1]` for a call recorded in one piece). */
    recordingParts: (row: HistoryRow) => partIds(row).map((_, i) => i + 1),
  }
})
