import { describe, expect, it } from 'vitest'
import type { CtiEngine } from '@/cti'
import type { HistoryRow } from '@/history/record'
import type { HistoryStore } from '@/history/store'
import type { AppOutbox } from './app-outbox'
import { sendResultOf, wireHistory, wireRecordings } from './cti-delivery'
import { createAppOutbox } from './app-outbox'
import { MemoryOutboxStorage } from './outbox'
import { readUploadTooLarge } from './too-large'
import { FakeClock } from '@/cti/testing/fakes'
import type { RecordingStore } from '@/recording/store'

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

  it('an upload larger than the helper carries fails for good, its size in the reason', () => {
    const size = { bytes: Math.round(52.3 * 1048576), limit: 47 * 1048576 }
    expect(sendResultOf({ ok: false, reason: 'upload-too-large', size })).toEqual({ ok: false, retryable: false, reason: 'upload-too-large: 52.3 MB (limit 47 MB)' })
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

describe('wireRecordings: an upload larger than the helper carries', () => {
  it('fails for good after one attempt (no retries however long the page runs), its size in the row\'s reason', async () => {
    const clock = new FakeClock()
    const outbox = await createAppOutbox({ outbox: { open: async () => new MemoryOutboxStorage(), random: () => 0.5 }, clock })
    let sends = 0
    const engine = {
      deliver: async () => {
        sends++
        return { ok: false, reason: 'upload-too-large', size: { bytes: Math.round(52.3 * 1048576), limit: 47 * 1048576 } }
      },
    } as unknown as CtiEngine
    const file = { id: 'c1', callId: 'c1', blob: new Blob(['webm']), mimeType: 'audio/webm;codecs=opus', durationMs: 1000, createdAt: 0 }
    const store = { get: async () => file, markUploaded: async () => undefined } as unknown as RecordingStore
    wireRecordings(outbox, () => engine, () => true, () => clock.now().getTime(), async () => store)
    await outbox.start(() => true)
    const delivery = { access: 'recording', callId: 'c1', parties: { requestId: 'R1' }, values: {}, record: { part: 1 } }
    await outbox.enqueue('recording:c1', 'recording', { delivery, recordingId: 'c1' })
    await outbox.settled()
    await clock.advance(24 * 3600_000)
    await outbox.settled()
    expect(sends).toBe(1)
    const entry = outbox.entries()['recording:c1']!
    expect(entry).toMatchObject({ state: 'failed-permanent', attempts: 1, lastError: 'upload-too-large: 52.3 MB (limit 47 MB)' })
    expect(readUploadTooLarge(entry.lastError)).toEqual({ size: '52.3', limit: '47' })
    outbox.stop()
  })
})
