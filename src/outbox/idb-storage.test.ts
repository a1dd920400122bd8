import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openIdbOutboxStorage } from './idb-storage'
import { Outbox, type OutboxEntry, type SendResult } from './outbox'

const entry = (id: string, state: OutboxEntry['state']): OutboxEntry => ({
  id, kind: 'history', payload: { callId: id, values: { NAME: '山田' } }, state, attempts: 0, createdAt: 1, updatedAt: 1, nextAttemptAt: 1,
})

describe('IndexedDB outbox storage', () => {
  it('stores, lists by state and deletes entries', async () => {
    const storage = await openIdbOutboxStorage('outbox-test-1')
    await storage.put(entry('a', 'pending'))
    await storage.put(entry('b', 'delivered'))
    await storage.put(entry('c', 'sending'))
    await storage.put({ ...entry('a', 'failed-permanent'), lastError: 'HTTP 400' })
    expect(await storage.get('a')).toMatchObject({ state: 'failed-permanent', lastError: 'HTTP 400', payload: { values: { NAME: '山田' } } })
    expect((await storage.list(['pending', 'sending'])).map((e) => e.id)).toEqual(['c'])
    expect((await storage.list()).map((e) => e.id).sort()).toEqual(['a', 'b', 'c'])
    await storage.delete('b')
    expect(await storage.get('b')).toBeUndefined()
    storage.close()
  })

  it('keeps a pending entry across a reopen, and the new outbox delivers it', async () => {
    const clock = { now: () => 5, setTimeout: () => 0, clearTimeout: () => {} }
    const first = await openIdbOutboxStorage('outbox-test-2')
    const failing = new Outbox({ storage: first, clock, random: () => 0, isLeader: () => true, send: async (): Promise<SendResult> => ({ ok: false, retryable: true, reason: 'HTTP 502', status: 502 }) })
    await failing.start()
    await failing.enqueue('history:c1', 'history', { callId: 'c1' })
    await failing.whenIdle()
    failing.stop()
    first.close()

    const second = await openIdbOutboxStorage('outbox-test-2')
    const sent: string[] = []
    const later = { ...clock, now: () => 60_000 }
    const outbox = new Outbox({ storage: second, clock: later, random: () => 0, isLeader: () => true, send: async (e) => { sent.push(e.id); return { ok: true, status: 201 } } })
    await outbox.start()
    expect(sent).toEqual(['history:c1'])
    expect(await second.get('history:c1')).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 201 })
    second.close()
  })
})
