/**
 * The write side of the history: folds the queued events of calls into rows (`record.ts`) and
 * puts them. Loaded after the first paint (the history store imports it when it first writes or
 * starts), so the start bundle carries only the store's queue.
 */
import type { CallReading } from '@/cti/call-reading'
import type { CallDirection } from '@/sip/softphone'
import { applyCallEvent, type CallEvent, type HistoryRow } from './record'
import type { HistoryStore } from './store'

/** A call appeared: its reading becomes the row's `started` event here, not on the ring path. */
export interface StartNote {
  type: 'added'
  direction: CallDirection
  startedAt: number
  reading: Pick<CallReading, 'remote' | 'called' | 'tel' | 'telName' | 'calledName' | 'sipName' | 'requestId' | 'code1' | 'code2'>
}

export type QueuedEvent = { callId: string; event: CallEvent | StartNote }

/** The row's `started` event, from the one reading of the call. */
export function startedEvent(callId: string, note: StartNote): CallEvent {
  const { reading, direction } = note
  const incoming = direction === 'in'
  const name = incoming ? reading.telName : reading.calledName
  return {
    type: 'started',
    callId,
    direction,
    remoteNumber: reading.remote,
    localNumber: incoming ? reading.called : reading.tel,
    ...(reading.sipName ? { sipName: reading.sipName } : {}),
    // The reading's name is the phonebook's, or the SIP display name when no phonebook had it.
    ...(name && name !== reading.sipName ? { phonebookName: name } : {}),
    startedAt: note.startedAt,
    ...(reading.requestId ? { requestId: reading.requestId } : {}),
    ...(reading.code1 ? { code1: reading.code1 } : {}),
    ...(reading.code2 ? { code2: reading.code2 } : {}),
  }
}

export interface Recorder {
  /** Folds `events` into the rows of their calls and puts the changed rows in one transaction. */
  write(events: readonly QueuedEvent[]): Promise<HistoryRow[]>
  /** Retention at start: `maxDays`/`maxRows` of 0 mean no limit. */
  retain(limits: { maxDays: number; maxRows: number }, now: number): Promise<number>
}

/** While a call is up its row's `lastSeenAt` moves this often: a crash loses at most this much. */
export const HEARTBEAT_MS = 30_000

/**
 * `heartbeat` is called every {@link HEARTBEAT_MS} with the calls still up, while there are any:
 * the store queues a `seen` event for each, so a long call cut off by a crash ends close to when it did.
 */
export function createRecorder(db: HistoryStore, heartbeat: (callIds: string[]) => void): Recorder {
  /** Rows of the calls still up; a call's row leaves once it is final. */
  const current = new Map<string, HistoryRow>()
  let timer: ReturnType<typeof setInterval> | undefined
  const beat = () => {
    if (current.size > 0 && !timer) timer = setInterval(() => heartbeat([...current.keys()]), HEARTBEAT_MS)
    else if (current.size === 0 && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
  const unfinished = async (callId: string) => {
    const row = await db.get(callId)
    return row?.cutOff ? row : undefined
  }
  return {
    async write(events) {
      const changed = new Map<string, HistoryRow>()
      /** Rows folded from this page's copy: the recorder may have linked a recording part to the stored one meanwhile. */
      const cached = new Set<string>()
      for (const { callId, event } of events) {
        if (current.has(callId)) cached.add(callId)
        // A call an earlier page started (resumed after a reload, issue 12) goes on in its row.
        const before = current.get(callId) ?? (event.type === 'added' ? undefined : await unfinished(callId))
        const row = applyCallEvent(before, event.type === 'added' ? startedEvent(callId, event) : event)
        if (!row) continue
        current.set(callId, row)
        changed.set(callId, row)
        if (!row.cutOff) current.delete(callId)
      }
      beat()
      for (const callId of cached) {
        const stored = await db.get(callId).catch(() => undefined)
        let row = changed.get(callId)
        for (const recordingId of stored?.recordingParts ?? (stored?.recordingId ? [stored.recordingId] : [])) {
          row = row && applyCallEvent(row, { type: 'recording', recordingId })
        }
        if (row) {
          changed.set(callId, row)
          if (current.has(callId)) current.set(callId, row)
        }
      }
      const rows = [...changed.values()]
      if (rows.length > 0) await db.putMany(rows)
      return rows
    },
    retain: (limits, now) => db.prune({
      now,
      ...(limits.maxDays > 0 ? { maxDays: limits.maxDays } : {}),
      ...(limits.maxRows > 0 ? { maxRows: limits.maxRows } : {}),
    }),
  }
}
