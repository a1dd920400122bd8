import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import type { QueuedEvent, Recorder } from '@/history/recorder'
import type { HistoryStore } from '@/history/store'
import { usePorts } from '@/ports/ports'
import { useCallsStore } from './calls'
import { useSettingsStore } from './settings'

/** When the agent last looked at the history (the missed-call badge counts calls after it). */
const SEEN_KEY = 'tsunagu.history.seenAt'

/**
 * The call history of this browser: a row per call, written at every state change (added,
 * answered, CRM values, heartbeat, ended), so a tab that closes mid-call leaves its row, cut off
 * at the last moment known (`src/history/record.ts`). The view reads pages (`history-view.ts`).
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
  const viewOpen = ref(false)
  /** Counts the writes: the open view reads its page again after each. */
  const written = ref(0)

  let db: Promise<HistoryStore | undefined> | undefined
  let recorder: Promise<Recorder | undefined> | undefined
  let seenAt = 0
  let queue: QueuedEvent[] = []
  let flushing = false
  let writes: Promise<unknown> = Promise.resolve()
  let starting: Promise<void> = Promise.resolve()
  /** The CRM values last written per call (the calls store replaces `crm` on every change). */
  const valuesSeen = new Map<string, Readonly<Record<string, string>>>()

  function store(): Promise<HistoryStore | undefined> {
    // Private mode, quota, a blocked upgrade: no history (the view says so), the phone works on.
    db ??= ports.history.open().catch(() => undefined)
    return db
  }

  /** The fold and the writes (`recorder.ts`) load after the first paint: not in the start bundle. */
  function writer(): Promise<Recorder | undefined> {
    recorder ??= Promise.all([store(), import('@/history/recorder')]).then(([history, m]) =>
      history && m.createRecorder(history, (ids) => {
        const at = Date.now()
        for (const id of ids) enqueue(id, { type: 'seen', at })
      }))
    return recorder
  }

  function enqueue(callId: string, event: QueuedEvent['event']): void {
    queue.push({ callId, event })
    if (flushing) return
    flushing = true
    ports.visibility.afterPaint(flush)
  }

  function flush(): void {
    flushing = false
    const events = queue
    queue = []
    writes = writes.then(async () => {
      const [history, write] = await Promise.all([store(), writer()])
      if (!history || !write) return
      const rows = await write.write(events)
      if (rows.length === 0) return
      const missed = rows.some((r) => !r.cutOff && r.result === 'missed')
      if (missed) await countMissed(history)
      written.value++
    }).catch(() => undefined)
  }

  calls.onCall('added', (call) => enqueue(call.id, { type: 'added', direction: call.sip.direction, startedAt: call.sip.startedAt, reading: call.reading }))
  // A call of the page before a reload (issue 12): its row goes on (same call id, same row).
  calls.onCall('resumed', (call) => enqueue(call.id, { type: 'seen', at: Date.now() }))
  calls.onCall('answered', (call) => enqueue(call.id, { type: 'answered', at: call.sip.answeredAt ?? Date.now() }))
  calls.onCall('ended', (call) => {
    valuesSeen.delete(call.id)
    enqueue(call.id, { type: 'ended', at: call.sip.endedAt ?? Date.now(), endReason: call.sip.endReason ?? 'failed' })
  })
  // Do-not-disturb refused it: a `rejected` row (started and ended at once).
  calls.onCall('rejected', (call) => {
    enqueue(call.id, { type: 'added', direction: call.sip.direction, startedAt: call.sip.startedAt, reading: call.reading })
    enqueue(call.id, { type: 'ended', at: call.sip.endedAt ?? call.sip.startedAt, endReason: 'rejected', dnd: true })
  })
  // The CRM's values (search answers) arrive on the call; after the render like the rest.
  watch(() => calls.calls, (list) => {
    // A tab that shows another tab's line records nothing: the line's tab writes the rows.
    if (calls.view) return
    for (const call of list) {
      const values = call.crm.values
      if (valuesSeen.get(call.id) === values || Object.keys(values).length === 0) continue
      valuesSeen.set(call.id, values)
      enqueue(call.id, { type: 'values', values: { ...values }, at: Date.now() })
    }
  }, { flush: 'post' })
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
    const write = await writer()
    await write?.retain(settingsStore.settings.history, now).catch(() => 0)
    await countMissed(history)
  }

  /** Waits for the writes queued so far (tests, and the view before its first read). */
  async function settled(): Promise<void> {
    await starting
    while (flushing || queue.length > 0) await new Promise<void>((resolve) => ports.visibility.afterPaint(resolve))
    await writes
  }

  /** The view opened: its missed calls are seen (badge cleared) once the queued writes landed. */
  async function open(now = Date.now()): Promise<void> {
    viewOpen.value = true
    seenAt = now
    missedCount.value = 0
    ports.badge.set(0)
    await ports.storage.set(SEEN_KEY, now)
    await settled()
  }

  /** The calls that came in while the view was open were seen too. */
  function close(now = Date.now()): void {
    viewOpen.value = false
    seenAt = now
    void ports.storage.set(SEEN_KEY, now)
  }

  /**
   * The tab with the line wrote rows (this tab shows its line, `tab-cti.ts`): the badge counts
   * again (from the seen time any tab saved last) and an open view reads its page again.
   */
  async function changedElsewhere(): Promise<void> {
    seenAt = (await ports.storage.get<number>(SEEN_KEY)) ?? seenAt
    const history = await store()
    if (history) await countMissed(history)
    written.value++
  }

  return {
    missedCount, viewOpen, written,
    start, settled, open, close, changedElsewhere,
    /** Each history write (here or, told, in another tab): the unsubscribe function. */
    onWritten: (listener: () => void): (() => void) => watch(written, () => listener()),
    /** The IndexedDB store, for the view's reads (`history-view.ts`). */
    database: store,
  }
})
