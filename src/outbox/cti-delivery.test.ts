import { describe, expect, it, vi } from 'vitest'
import type { CtiEngine } from '@/cti'
import type { HistoryRow } from '@/history/record'
import { HEARTBEAT_MS } from '@/history/recorder'
import type { HistoryStore } from '@/history/store'
import type { AppOutbox } from './app-outbox'
import { sendResultOf, wireHistory } from './cti-delivery'

describe('sendResultOf: what the outbox does with a CRM access\'s answer', () => {
  it('a 2xx is delivered (never sent again)', () => {
    expect(sendResultOf({ ok: true, status: 204, values: {}, missing: [] })).toEqual({ ok: true, status: 204 })
  })

  it.each([500, 502, 503, 408, 429, 401])('HTTP %i is retried later', (status) => {
    expect(sendResultOf({ ok: false, reason: 'http-error', status })).toMatchObject({ ok: false, retryable: true, status })
  })

  it.each([400, 404, 422])('HTTP %i fails for good (the CRM refuses the request itself)', (status) => {
    expect(sendResultOf({ ok: false, reason: 'http-error', status })).toMatchObject({ ok: false, retryable: false, status })
  })

  it.each(['timeout', 'network', 'blocked', 'helper-not-installed', 'aborted', 'disposed'] as const)('%s is retried later', (reason) => {
    expect(sendResultOf({ ok: false, reason })).toMatchObject({ ok: false, retryable: true, reason })
  })

  it('an access that is no longer configured is not retried', () => {
    expect(sendResultOf({ ok: false, reason: 'not-configured' })).toEqual({ ok: false, retryable: false, reason: 'not-configured' })
  })
})

describe('wireHistory: calls a page that went away left cut off', () => {
  const NOW = Date.parse('2025-04-01T00:30:00Z')
  const row = (callId: string, lastSeenAt: number) => ({ callId, lastSeenAt, startedAt: lastSeenAt - 60_000 }) as unknown as HistoryRow

  function wire(rows: HistoryRow[], resumeMs: number) {
    const enqueued: string[] = []
    const outbox = { setSender: () => undefined, enqueue: async (id: string) => { enqueued.push(id) } } as unknown as AppOutbox
    const engine = { pastRecord: (callId: string) => ({ callId }) } as unknown as CtiEngine
    const open = { rows }
    const history = async () => ({ openCalls: async () => open.rows }) as unknown as HistoryStore
    let second: { ms: number; run: (now: number) => void } | undefined
    const wired = wireHistory(outbox, () => engine, history, NOW, { resumeMs, later: (ms, run) => { second = { ms, run } } })
    return { wired, enqueued, open, second: () => second }
  }

  it('sends at once those not seen alive for a heartbeat + 5 s + the resume window; the others at a second look', async () => {
    const { wired, enqueued, open, second } = wire([row('old', NOW - 96_000), row('recent', NOW - 10_000)], 60_000)
    expect(await wired.recovered).toBe(1)
    expect(enqueued).toEqual(['history:old'])
    expect(second()?.ms).toBe(HEARTBEAT_MS + 5_000 + 60_000)
    // By then the recent one is still open and nobody moved it: it was cut off after all.
    open.rows = [row('recent', NOW - 10_000)]
    second()?.run(NOW + 95_000)
    await vi.waitFor(() => expect(enqueued).toEqual(['history:old', 'history:recent']))
  })

  it('a call taken back or ended meanwhile is no longer open at the second look: nothing is sent for it as cut off', async () => {
    const { wired, enqueued, open, second } = wire([row('recent', NOW - 1_000)], 0)
    expect(await wired.recovered).toBe(0)
    open.rows = []
    second()?.run(NOW + HEARTBEAT_MS + 5_000)
    await Promise.resolve()
    expect(enqueued).toEqual([])
  })

  it('a row alive at the second look too (a long call resumed) waits for its own end', async () => {
    const { enqueued, open, second, wired } = wire([row('talking', NOW - 1_000)], 60_000)
    await wired.recovered
    open.rows = [row('talking', NOW + 90_000)]
    second()?.run(NOW + 95_000)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(enqueued).toEqual([])
  })
})
