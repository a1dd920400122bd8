/**
 * How the outbox treats what a CRM access answered (docs/cti-integration.md §8): a 2xx (or a
 * tab/command that went through) is delivered and never sent again; what may work later is
 * retried with back-off; what will not (the CRM refuses the request itself, or the access is no
 * longer configured, an upload larger than the helper carries) fails for good, until the agent
 * presses "retry now".
 */
import type { CallRecordDelivery, CallRecordFacts, CtiEngine, DeliveryOutcome } from '@/cti'
import { applyCallEvent, classify, type HistoryRow } from '@/history/record'
import { rowParties } from '@/history/row-parties'
import type { HistoryStore } from '@/history/store'
import { recordingPartId } from '@/recording/parts'
import { recordings } from '@/recording/shared'
import type { RecordingStore } from '@/recording/store'
import type { CallInfo } from '@/sip/softphone'
import type { AppOutbox } from './app-outbox'
import type { SendResult } from './outbox'
import { uploadTooLargeReason } from './too-large'

/** HTTP statuses worth another try: timeouts, rate limits and the server's own troubles. */
const RETRYABLE_STATUS = new Set([401, 403, 408, 425, 429])

export function sendResultOf(outcome: DeliveryOutcome): SendResult {
  if (outcome.ok) return { ok: true, status: outcome.status ?? 200 }
  const status = 'status' in outcome && outcome.status !== undefined ? { status: outcome.status } : {}
  switch (outcome.reason) {
    case 'not-configured':
    case 'command-not-allowed':
      return { ok: false, retryable: false, reason: outcome.reason }
    case 'upload-too-large':
      // The same bytes would be refused again: failed for good, the sizes in its reason.
      return { ok: false, retryable: false, reason: outcome.size ? uploadTooLargeReason(outcome.size.bytes, outcome.size.limit) : outcome.reason }
    case 'http-error': {
      const code = outcome.status ?? 0
      // 401/403: the session may come back after the next login; 5xx: the CRM's own trouble.
      const retryable = code >= 500 || RETRYABLE_STATUS.has(code)
      return { ok: false, retryable, reason: `HTTP ${code}`, ...status }
    }
    default:
      // timeout, network, blocked tab, helper missing, engine restarted (disposed/aborted) …
      return { ok: false, retryable: true, reason: outcome.reason, ...status }
  }
}

/**
 * The record of an ended call for the history access: its result word as the history's fold
 * writes it (`src/history/record.ts`), the times of the softphone, the talk time.
 */
export function callRecordFacts(call: { readonly sip: Pick<CallInfo, 'direction' | 'startedAt' | 'answeredAt' | 'endedAt' | 'endReason'> }, recorded = false): CallRecordFacts {
  const { direction, startedAt, answeredAt, endReason } = call.sip
  const endedAt = call.sip.endedAt ?? startedAt
  return {
    result: classify(direction, answeredAt !== undefined, endReason ?? 'failed').result,
    startedAt,
    ...(answeredAt === undefined ? {} : { answeredAt }),
    endedAt,
    durationSeconds: answeredAt === undefined ? 0 : Math.max(0, Math.round((endedAt - answeredAt) / 1000)),
    recorded,
  }
}

/** How far back a start looks for calls a page that went away never ended. */
export const OPEN_CALLS_DAYS = 7

/** The record of a call cut off by a page that went away: as it stood at its last moment known. */
export function cutOffRecordFacts(row: HistoryRow): CallRecordFacts {
  return {
    result: row.result,
    startedAt: row.startedAt,
    ...(row.answeredAt === undefined ? {} : { answeredAt: row.answeredAt }),
    endedAt: row.lastSeenAt,
    durationSeconds: row.durationSeconds,
    recorded: row.recordingId !== undefined,
  }
}

/**
 * Calls this page will report itself, so their rows are not cut off yet: the ones a reloaded page
 * takes back (issue 12, `stores/resume.ts`), whose end (resumed or not) comes as a call end.
 */
export type TakenBack = () => Promise<ReadonlySet<string>>

/**
 * The history access through the outbox (docs/cti-integration.md §8), for the CTI store: the
 * record owed for a call that ended is stored at once (it survives a reload from then on), and
 * the outbox sends it through whichever engine runs when it is due — after the call's other
 * accesses when that engine still runs them. At each start of the engine, the calls a page that
 * went away left cut off (closed or crashed mid-call) are owed their record too, as they stood
 * at their last moment known; the outbox id keeps it to one per call however often this runs.
 */
export function wireHistory(
  outbox: AppOutbox,
  engine: () => CtiEngine | undefined,
  history: () => Promise<HistoryStore | undefined>,
  now: number,
  takenBack: TakenBack = async () => new Set(),
): { ended(call: { readonly id: string } & Parameters<typeof callRecordFacts>[0], recorded?: boolean): void; recovered: Promise<number> } {
  outbox.setSender('history', async (entry) => {
    const current = engine()
    if (!current) return { ok: false, retryable: true, reason: 'integration-off' }
    return sendResultOf(await current.deliver(entry.payload as CallRecordDelivery))
  })
  const owe = (callId: string, owed: CallRecordDelivery | undefined) =>
    owed ? outbox.enqueue(`history:${callId}`, 'history', owed).catch(() => undefined) : Promise.resolve()
  const recovered = (async () => {
    const db = await history().catch(() => undefined)
    const rows = (await db?.openCalls(now - OPEN_CALLS_DAYS * 86_400_000).catch(() => [])) ?? []
    const later = await takenBack().catch((): ReadonlySet<string> => new Set())
    let owed = 0
    for (const row of rows) {
      if (later.has(row.callId)) continue
      const delivery = engine()?.pastRecord(row.callId, rowParties(row), row.values, cutOffRecordFacts(row))
      if (delivery) owed++
      await owe(row.callId, delivery)
    }
    return owed
  })()
  return {
    ended(call, recorded = false) {
      void owe(call.id, engine()?.callRecord(call.id, callRecordFacts(call, recorded)))
    },
    recovered,
  }
}

/** The outbox id of a part's upload: `recording:<callId>` for part 1 (as before parts), `recording:<callId>:<n>` after. */
export const recordingDeliveryId = (callId: string, part = 1) => `recording:${recordingPartId(callId, part)}`

/** What a recording's outbox entry keeps: the access owed, and which stored file to send (not the audio: it stays in the store). */
export interface RecordingPayload {
  readonly delivery: CallRecordDelivery
  readonly recordingId: string
}

/**
 * The file name the CRM gets: the call's `{ID}` (the id of the call when it has none), `-<n>`
 * for part n ≥ 2 of a call resumed after a reload, and the container's extension.
 */
export function recordingFileName(delivery: CallRecordDelivery, mimeType: string): string {
  const base = (delivery.parties.requestId || delivery.callId).replace(/[^\w.-]/g, '_')
  const part = delivery.record.part ?? 1
  return `${base}${part > 1 ? `-${part}` : ''}.${mimeType.startsWith('audio/ogg') ? 'ogg' : 'webm'}`
}

/**
 * The recording access through the outbox (docs/cti-integration.md §8): the sender of kind
 * `recording` reads the file from the recording store when the entry is due (the outbox keeps
 * only its id), uploads it through whichever engine runs, and marks it uploaded on a 2xx (so it
 * is the first to go under the cap, or deleted at once without `recording.keepLocal`). A file
 * the store no longer has (evicted before the CRM got it: the agent was told) fails for good.
 */
export function wireRecordings(
  outbox: AppOutbox,
  engine: () => CtiEngine | undefined,
  keepLocal: () => boolean,
  now: () => number,
  store: () => Promise<RecordingStore | undefined> = recordings,
): void {
  outbox.setSender('recording', async (entry) => {
    const current = engine()
    if (!current) return { ok: false, retryable: true, reason: 'integration-off' }
    const { delivery, recordingId } = entry.payload as RecordingPayload
    const db = await store()
    const file = await db?.get(recordingId)
    if (!file) return { ok: false, retryable: false, reason: 'recording-gone' }
    const bytes = new Uint8Array(await file.blob.arrayBuffer())
    const result = sendResultOf(await current.deliver(delivery, { filename: recordingFileName(delivery, file.mimeType), contentType: file.mimeType, bytes }))
    if (result.ok) await db?.markUploaded(recordingId, now(), keepLocal()).catch(() => undefined)
    return result
  })
}

/** What {@link recoverRecordings} works with (the CTI store's engine, outbox, history and resume logic). */
export interface RecoverRecordingsDeps {
  readonly outbox: AppOutbox
  readonly engine: () => CtiEngine | undefined
  readonly history: () => Promise<HistoryStore | undefined>
  /** The calls the resume logic takes back: their real end owes their uploads. */
  readonly takenBack: TakenBack
  /** A call this page has now (its own end owes its uploads). */
  readonly here: (callId: string) => boolean
  /** `recording.maxMegabytes`, in bytes, for the parts finished here. */
  readonly capBytes: () => number
  readonly now: number
  readonly store?: () => Promise<RecordingStore | undefined>
  /** The history row changed (a part linked to it): the view reads it again. */
  readonly rowChanged?: () => void
}

/** The app's stores {@link recoverRecordingsOf} reads (kept out of the start bundle's CTI store). */
export interface RecoveryStores {
  readonly history: { settled(): Promise<void>; database(): Promise<HistoryStore | undefined>; written: number }
  readonly calls: { readonly calls: readonly { readonly id: string }[] }
  readonly settings: { readonly settings: { readonly recording: { readonly maxMegabytes: number } } }
}

/** Whether this page looked for left recordings already (a later restart of the engine does not again). */
let recoveredHere = false

/**
 * {@link recoverRecordings} for the CTI store: its deps read from the app's stores. Once per page:
 * the first start of the engine in the tab that holds the line (also a tab that took the line
 * over); a restart later (settings saved) does not look again, so a call that just ended here,
 * its last part still being stored, is never taken for one a closed tab left. Never rejects.
 */
export function recoverRecordingsOf(outbox: AppOutbox, engine: () => CtiEngine | undefined, stores: RecoveryStores, takenBack: TakenBack, now: number): Promise<string[]> {
  if (recoveredHere) return Promise.resolve([])
  recoveredHere = true
  const { history, calls, settings } = stores
  return recoverRecordings({
    outbox,
    engine,
    history: async () => { await history.settled(); return history.database() },
    takenBack,
    here: (callId) => calls.calls.some((c) => c.id === callId),
    capBytes: () => settings.settings.recording.maxMegabytes * 1024 * 1024,
    now,
    rowChanged: () => { history.written++ },
  }).catch(() => [])
}

/**
 * Recordings a page that went away left behind (issue 10: a tab closed mid-call through the leave
 * prompt, or a crash the resume logic does not take back): at each start of the line's tab, after
 * the resume logic decided what it takes back, every part of a call that is over is finished from
 * its stored chunks (playable from its history row), and each part the CRM does not have yet is
 * owed its upload once, with the `{ID}` and `{PART}` it would have had: the same outbox id as at
 * a normal end (`recording:<callId>[:<n>]`), so an entry that exists (owed already, sent, failed)
 * is left as it is. The call's facts come from its history row (cut off or not); a call without
 * a row (history unavailable) is owed nothing, its parts stay stored. Parts older than
 * {@link OPEN_CALLS_DAYS} are left alone. Returns the ids of the entries it owed (enqueued, or there already; tests).
 */
export async function recoverRecordings(deps: RecoverRecordingsDeps): Promise<string[]> {
  const db = await (deps.store ?? recordings)().catch(() => undefined)
  if (!db) return []
  // A failing look at the kept calls recovers them all, as the history's does: nothing is lost.
  const later = await deps.takenBack().catch((): ReadonlySet<string> => new Set())
  const over = (callId: string) => !later.has(callId) && !deps.here(callId)
  const since = deps.now - OPEN_CALLS_DAYS * 86_400_000
  for (const live of await db.live().catch((): Awaited<ReturnType<RecordingStore['live']>> => [])) {
    if (!over(live.callId) || live.createdAt < since) continue
    await db.finishLive(live.id, deps.capBytes()).catch(() => undefined)
  }
  const left = new Map<string, { id: string; part: number }[]>()
  for (const meta of await db.list().catch((): Awaited<ReturnType<RecordingStore['list']>> => [])) {
    if (meta.uploaded || !over(meta.callId) || meta.createdAt < since) continue
    left.set(meta.callId, [...(left.get(meta.callId) ?? []), { id: meta.id, part: meta.part ?? 1 }])
  }
  if (left.size === 0) return []
  const rows = await deps.history().catch(() => undefined)
  const owed: string[] = []
  for (const [callId, parts] of left) {
    let row = await rows?.get(callId).catch(() => undefined)
    if (!row) continue
    parts.sort((a, b) => a.part - b.part)
    // Linked to its row (a part finished here was not): the history row plays it and shows its upload.
    const known = new Set(row.recordingParts ?? (row.recordingId === undefined ? [] : [row.recordingId]))
    if (parts.some(({ id }) => !known.has(id))) {
      for (const { id } of parts) row = applyCallEvent(row, { type: 'recording', recordingId: id }) ?? row
      await rows?.put(row).catch(() => undefined)
      deps.rowChanged?.()
    }
    const delivery = deps.engine()?.pastRecord(callId, rowParties(row), row.values, { ...cutOffRecordFacts(row), recorded: true }, 'recording')
    if (!delivery) continue
    for (const { id, part } of parts) {
      const payload: RecordingPayload = { delivery: { ...delivery, record: { ...delivery.record, part } }, recordingId: id }
      const entryId = recordingDeliveryId(callId, part)
      await deps.outbox.enqueue(entryId, 'recording', payload).then(() => owed.push(entryId), () => undefined)
    }
  }
  return owed
}
