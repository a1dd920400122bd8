/**
 * How the outbox treats what a CRM access answered (docs/cti-integration.md §8): a 2xx (or a
 * tab/command that went through) is delivered and never sent again; what may work later is
 * retried with back-off; what will not (the CRM refuses the request itself, or the access is no
 * longer configured) fails for good, until the agent presses "retry now".
 */
import type { CallRecordDelivery, CallRecordFacts, CtiEngine, DeliveryOutcome } from '@/cti'
import { classify, type HistoryRow } from '@/history/record'
import { HEARTBEAT_MS } from '@/history/recorder'
import { rowParties } from '@/history/row-parties'
import type { HistoryStore } from '@/history/store'
import type { CallInfo } from '@/sip/softphone'
import type { AppOutbox } from './app-outbox'
import type { SendResult } from './outbox'

/** HTTP statuses worth another try: timeouts, rate limits and the server's own troubles. */
const RETRYABLE_STATUS = new Set([401, 403, 408, 425, 429])

export function sendResultOf(outcome: DeliveryOutcome): SendResult {
  if (outcome.ok) return { ok: true, status: outcome.status ?? 200 }
  const status = 'status' in outcome && outcome.status !== undefined ? { status: outcome.status } : {}
  switch (outcome.reason) {
    case 'not-configured':
    case 'command-not-allowed':
      return { ok: false, retryable: false, reason: outcome.reason }
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
export function callRecordFacts(call: { readonly sip: Pick<CallInfo, 'direction' | 'startedAt' | 'answeredAt' | 'endedAt' | 'endReason'> }): CallRecordFacts {
  const { direction, startedAt, answeredAt, endReason } = call.sip
  const endedAt = call.sip.endedAt ?? startedAt
  return {
    result: classify(direction, answeredAt !== undefined, endReason ?? 'failed').result,
    startedAt,
    ...(answeredAt === undefined ? {} : { answeredAt }),
    endedAt,
    durationSeconds: answeredAt === undefined ? 0 : Math.max(0, Math.round((endedAt - answeredAt) / 1000)),
    recorded: false,
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
 * When a cut-off row may still be a live call: seen alive (`lastSeenAt`) within a heartbeat of
 * the history recorder (plus a margin), plus `resumeMs` — the time a reloaded page has to take its
 * calls back (`call.resumeSeconds`). `later(ms, run)` runs the second look, with the time then.
 */
export interface AliveRule {
  resumeMs: number
  later?(ms: number, run: (now: number) => void): void
}

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
  alive: AliveRule = { resumeMs: 0 },
): { ended(call: { readonly id: string } & Parameters<typeof callRecordFacts>[0]): void; recovered: Promise<number> } {
  outbox.setSender('history', async (entry) => {
    const current = engine()
    if (!current) return { ok: false, retryable: true, reason: 'integration-off' }
    return sendResultOf(await current.deliver(entry.payload as CallRecordDelivery))
  })
  const owe = (callId: string, owed: CallRecordDelivery | undefined) =>
    owed ? outbox.enqueue(`history:${callId}`, 'history', owed).catch(() => undefined) : Promise.resolve()
  const withinMs = HEARTBEAT_MS + 5000 + alive.resumeMs
  /** One pass over the cut-off rows; `waiting`: rows seen alive too recently to be judged yet. */
  const recover = async (at: number) => {
    const db = await history().catch(() => undefined)
    const rows = (await db?.openCalls(at - OPEN_CALLS_DAYS * 86_400_000).catch(() => [])) ?? []
    let owed = 0
    let waiting = false
    for (const row of rows) {
      // Maybe not cut off at all: taken back by this page (a reload, issue 12) or still up in
      // another tab. Its end, when it comes, owes the real record; the outbox id allows one.
      if (at - row.lastSeenAt < withinMs) {
        waiting = true
        continue
      }
      const delivery = engine()?.pastRecord(row.callId, rowParties(row), row.values, cutOffRecordFacts(row))
      if (delivery) owed++
      await owe(row.callId, delivery)
    }
    return { owed, waiting }
  }
  const recovered = recover(now).then(({ owed, waiting }) => {
    // Once more when those rows' time is up: a row nobody moved since was cut off after all.
    if (waiting && alive.later) alive.later(withinMs, (at) => void recover(at))
    return owed
  })
  return {
    ended(call) {
      void owe(call.id, engine()?.callRecord(call.id, callRecordFacts(call)))
    },
    recovered,
  }
}
