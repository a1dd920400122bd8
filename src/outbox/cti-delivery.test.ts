import { describe, expect, it } from 'vitest'
import type { CtiEngine } from '@/cti'
import type { HistoryRow } from '@/history/record'
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
  const row = (callId: string) => ({ callId, lastSeenAt: NOW - 1_000, startedAt: NOW - 60_000 }) as unknown as HistoryRow

  function wire(rows: HistoryRow[], takenBack?: () => Promise<ReadonlySet<string>>) {
    const enqueued: string[] = []
    const outbox = { setSender: () => undefined, enqueue: async (id: string) => { enqueued.push(id) } } as unknown as AppOutbox
    const engine = { pastRecord: (callId: string) => ({ callId }) } as unknown as CtiEngine
    const history = async () => ({ openCalls: async () => rows }) as unknown as HistoryStore
    return { wired: wireHistory(outbox, () => engine, history, NOW, takenBack), enqueued }
  }

  it('each is owed its record as it stood, at once', async () => {
    const { wired, enqueued } = wire([row('a'), row('b')])
    expect(await wired.recovered).toBe(2)
    expect(enqueued).toEqual(['history:a', 'history:b'])
  })

  it('but not a call this page takes back after a reload: its end (resumed or not) owes the real record', async () => {
    const { wired, enqueued } = wire([row('a'), row('kept')], async () => new Set(['kept']))
    expect(await wired.recovered).toBe(1)
    expect(enqueued).toEqual(['history:a'])
  })

  it('a failing look at the kept calls recovers them all (a record is not lost)', async () => {
    const { wired } = wire([row('a')], () => Promise.reject(new Error('idb')))
    expect(await wired.recovered).toBe(1)
  })
})
