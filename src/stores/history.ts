import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { applyCallEvent, type CallEvent, type HistoryResult, type HistoryRow } from '@/history/record'
import type { HistoryQuery, HistoryStore } from '@/history/store'
import { usePorts } from '@/ports/ports'
import type { CallDirection } from '@/sip'
import { useCallsStore, type Call } from './calls'
import { useSettingsStore } from './settings'

/** When the agent last looked at the history (the missed-call badge counts calls after it). */
const SEEN_KEY = 'tsunagu.history.seenAt'
/** While a call is up its row's `lastSeenAt` moves this often: a crash loses at most this much. */
const HEARTBEAT_MS = 30_000
const PAGE_SIZE = 50

/** What the history view filters by. */
export interface HistoryFilter {
  text: string
  result?: HistoryResult
  direction?: CallDirection
}

/** The row's `started` event, from the one reading of the call. */
function startedEvent(call: Call): CallEvent {
  const { reading, sip } = call
  const incoming = sip.direction === 'in'
  const name = incoming ? reading.telName : reading.calledName
  const sipName = reading.sipName || undefined
  return {
    type: 'started',
    callId: call.id,
    direction: sip.direction,
    remoteNumber: reading.remote,
    localNumber: incoming ? reading.called : reading.tel,
    ...(sipName ? { sipName } : {}),
    // The reading's name is the phonebook's, or the SIP display name when no phonebook had it.
    ...(name && name !== reading.sipName ? { phonebookName: name } : {}),
    startedAt: sip.startedAt,
    ...(reading.requestId ? { requestId: reading.requestId } : {}),
    ...(reading.code1 ? { code1: reading.code1 } : {}),
    ...(reading.code2 ? { code2: reading.code2 } : {}),
  }
}

/**
 * The call history of this browser: a row per call, written at every state change (added,
 * answered, CRM values, heartbeat, ended), so a tab that closes mid-call leaves its row, cut off
 * at the last moment known (`src/history/record.ts`). The view reads pages from the store.
 *
 * Ring path: listeners only queue the event (an array push). The fold and the IndexedDB write
 * run after the popup's frame is painted (`afterPaint`) and are never awaited by the calls
 * store; writes are chained, so rows land in the order of the events.
 */
export const useHistoryStore = defineStore('history', () => {
  const ports = usePorts()
  const calls = useCallsStore()
  const settingsStore = useSettingsStore()

  const missedCount = ref(0)
  /** The view's page: rows newest first, and the token of the next page when there is one. */
  const rows = shallowRef<HistoryRow[]>([])
  const next = ref<string>()
  const loading = ref(false)
  const filter = ref<HistoryFilter>({ text: '' })
  const viewOpen = ref(false)
  /** The store could not be opened (private mode, quota, a blocked upgrade): the view says so. */
  const unavailable = ref(false)

  let db: Promise<HistoryStore | undefined> | undefined
  let seenAt = 0
  const current = new Map<string, HistoryRow>()
  let queue: { callId: string; event: CallEvent }[] = []
  let flushing = false
  let writes: Promise<unknown> = Promise.resolve()
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let starting: Promise<void> = Promise.resolve()
  let reads = 0
  /** The CRM values last written per call (the calls store replaces `crm` on every change). */
  const valuesSeen = new Map<string, Readonly<Record<string, string>>>()

  function store(): Promise<HistoryStore | undefined> {
    db ??= ports.history.open().catch(() => {
      unavailable.value = true
      return undefined
    })
    return db
  }

  function enqueue(callId: string, event: CallEvent): void {
    queue.push({ callId, event })
    if (flushing) return
    flushing = true
    ports.visibility.afterPaint(flush)
  }

  function flush(): void {
    flushing = false
    const events = queue
    queue = []
    const changed = new Map<string, HistoryRow>()
    for (const { callId, event } of events) {
      const row = applyCallEvent(current.get(callId), event)
      if (!row) continue
      current.set(callId, row)
      changed.set(callId, row)
      if (!row.cutOff) current.delete(callId)
    }
    if (changed.size === 0) return
    const list = [...changed.values()]
    const missed = list.some((r) => !r.cutOff && r.result === 'missed')
    writes = writes.then(async () => {
      const history = await store()
      if (!history) return
      await history.putMany(list)
      if (missed) await countMissed(history)
      if (viewOpen.value) await load()
    }).catch(() => undefined)
  }

  calls.onCall('added', (call) => enqueue(call.id, startedEvent(call)))
  calls.onCall('answered', (call) => enqueue(call.id, { type: 'answered', at: call.sip.answeredAt ?? Date.now() }))
  calls.onCall('ended', (call) => {
    valuesSeen.delete(call.id)
    enqueue(call.id, { type: 'ended', at: call.sip.endedAt ?? Date.now(), endReason: call.sip.endReason ?? 'failed' })
  })
  // The CRM's values (search answers) arrive on the call; after the render like the rest.
  watch(() => calls.calls, (list) => {
    for (const call of list) {
      const values = call.crm.values
      if (valuesSeen.get(call.id) === values || Object.keys(values).length === 0) continue
      valuesSeen.set(call.id, values)
      enqueue(call.id, { type: 'values', values: { ...values }, at: Date.now() })
    }
  }, { flush: 'post' })
  // A long call's row moves its `lastSeenAt` now and then, so a crash cuts it off close to the end.
  watch(() => calls.active.length > 0, (busy) => {
    if (busy && !heartbeat) {
      heartbeat = setInterval(() => {
        const at = Date.now()
        for (const call of calls.active) enqueue(call.id, { type: 'seen', at })
      }, HEARTBEAT_MS)
    } else if (!busy && heartbeat) {
      clearInterval(heartbeat)
      heartbeat = undefined
    }
  })

  async function countMissed(history: HistoryStore): Promise<void> {
    missedCount.value = viewOpen.value ? 0 : await history.missedSince(seenAt)
    ports.badge.set(missedCount.value)
  }

  /** At start: retention (`history.maxDays`, `history.maxRows`; 0 = no limit), then the badge. */
  function start(now = Date.now()): Promise<void> {
    starting = prepare(now)
    return starting
  }

  async function prepare(now: number): Promise<void> {
    seenAt = (await ports.storage.get<number>(SEEN_KEY)) ?? 0
    const history = await store()
    if (!history) return
    const { maxDays, maxRows } = settingsStore.settings.history
    await history.prune({
      now,
      ...(maxDays > 0 ? { maxDays } : {}),
      ...(maxRows > 0 ? { maxRows } : {}),
    }).catch(() => 0)
    await countMissed(history)
  }

  /** Waits for the writes queued so far (tests, and the view before its first read). */
  async function settled(): Promise<void> {
    await starting
    while (flushing || queue.length > 0) await new Promise<void>((resolve) => ports.visibility.afterPaint(resolve))
    await writes
  }

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

  /** The first page for the current filter. */
  async function load(): Promise<void> {
    const history = await store()
    if (!history) return
    // Typing in the search box starts a read per key: only the latest one's page is shown.
    const seq = ++reads
    loading.value = true
    try {
      const page = await history.page(query())
      if (seq !== reads) return
      rows.value = page.rows
      next.value = page.next
    } finally {
      if (seq === reads) loading.value = false
    }
  }

  /** The next page ("more"). */
  async function more(): Promise<void> {
    const history = await store()
    if (!history || !next.value) return
    const seq = ++reads
    loading.value = true
    try {
      const page = await history.page(query(next.value))
      if (seq !== reads) return
      rows.value = [...rows.value, ...page.rows]
      next.value = page.next
    } finally {
      if (seq === reads) loading.value = false
    }
  }

  async function setFilter(next: Partial<HistoryFilter>): Promise<void> {
    filter.value = { ...filter.value, ...next }
    await load()
  }

  /** The view opened: its missed calls are seen (badge cleared), and it shows the newest calls. */
  async function open(now = Date.now()): Promise<void> {
    viewOpen.value = true
    seenAt = now
    missedCount.value = 0
    ports.badge.set(0)
    await ports.storage.set(SEEN_KEY, now)
    await settled()
    await load()
  }

  /** The calls that came in while the view was open were seen too. */
  function close(now = Date.now()): void {
    viewOpen.value = false
    seenAt = now
    void ports.storage.set(SEEN_KEY, now)
  }

  function redial(row: HistoryRow): Promise<boolean> {
    return calls.dial(row.remoteNumber)
  }

  const anonymousLabel = computed(() => settingsStore.settings.popup.anonymousLabel)

  return {
    missedCount, rows, next, loading, filter, viewOpen, unavailable, anonymousLabel,
    start, settled, load, more, setFilter, open, close, redial,
  }
})
