import { afterEach, describe, expect, it, vi } from 'vitest'
import { openHistoryStore } from '@/history/store'
import type { HistoryRow } from '@/history/record'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore } from './calls'
import { useHistoryStore } from './history'
import { useHistoryViewStore } from './history-view'
import { useSessionStore } from './session'

const PROVISIONING = { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } }
const DAY = 86_400_000

async function setup(options: { history?: ReturnType<typeof fakePorts>['ports']['history']; saved?: unknown } = {}) {
  const fake = fakePorts(options.history ? { history: options.history } : {})
  fake.store.set('tsunagu.settings', options.saved ?? PROVISIONING)
  setupStores(fake.ports)
  const softphone = new FakeSoftphone()
  await useSessionStore().start(async () => softphone)
  const history = useHistoryStore()
  await history.settled()
  /** What IndexedDB holds now (newest first), read through a connection of its own. */
  const stored = async (): Promise<HistoryRow[]> => {
    await history.settled()
    const db = await fake.ports.history.open()
    try {
      return (await db.page({ limit: 1000 })).rows
    } finally {
      db.close()
    }
  }
  return { fake, softphone, history, view: useHistoryViewStore(), calls: useCallsStore(), stored }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('history store: a row per call, written at every state change', () => {
  it('an answered call: a cut-off row while ringing and talking, completed at the end with the CRM values', async () => {
    const { softphone, calls, stored } = await setup()
    const call = softphone.ring({ remoteUser: '0312345678#A1#B2', remoteDisplayName: 'Yamada' })
    // Written after the popup's frame, before the call was answered: a crash now leaves this row.
    expect(await stored()).toMatchObject([{ callId: call.id, direction: 'in', remoteNumber: '0312345678', sipName: 'Yamada', code1: 'A1', code2: 'B2', result: 'missed', cutOff: true }])
    calls.setCrm(call.id, { searchState: 'done', values: { NAME: '山田 太郎', COMPANY: '株式会社つなぐ' }, searchFailed: false })
    await calls.answer(call.id)
    expect(await stored()).toMatchObject([{ result: 'answered', cutOff: true, values: { NAME: '山田 太郎', COMPANY: '株式会社つなぐ' } }])
    expect((await stored())[0]!.answeredAt).toBeTypeOf('number')
    await calls.hangup(call.id)
    expect(await stored()).toMatchObject([{ result: 'answered', endedBy: 'local', endReason: 'hangup-local', cutOff: false, values: { NAME: '山田 太郎' } }])
  })

  it('the ring path only queues: the row is written after the popup\'s frame was painted', async () => {
    const frames: (() => void)[] = []
    const fake = fakePorts()
    const puts: string[] = []
    fake.ports.visibility.afterPaint = (work) => frames.push(work)
    const open = fake.ports.history.open
    fake.ports.history.open = async () => {
      const db = await open()
      return { ...db, putMany: (rows) => { puts.push(...[...rows].map((r) => r.result)); return db.putMany(rows) } }
    }
    fake.store.set('tsunagu.settings', PROVISIONING)
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    await useSessionStore().start(async () => softphone)
    softphone.ring({ remoteUser: '0312345678' })
    await new Promise<void>((resolve) => queueMicrotask(resolve))
    expect(puts).toEqual([])
    expect(frames.length).toBeGreaterThan(0)
    for (const work of frames.splice(0)) work()
    await vi.waitFor(() => expect(puts).toEqual(['missed']))
  })

  it('a missed call counts for the badge until the history is opened', async () => {
    const { fake, softphone, history, view, stored } = await setup()
    const call = softphone.ring({ remoteUser: '0663334444' })
    softphone.remoteHangup(call.id, 'cancelled')
    expect(await stored()).toMatchObject([{ result: 'missed', endedBy: 'remote', cutOff: false }])
    expect(history.missedCount).toBe(1)
    expect(fake.badge.count).toBe(1)
    await view.open()
    expect(history.missedCount).toBe(0)
    expect(fake.badge.count).toBe(0)
    expect(view.rows.map((r) => r.remoteNumber)).toEqual(['0663334444'])
  })

  it('a call refused by do-not-disturb leaves a rejected row, never rings and does not count as missed', async () => {
    const { fake, softphone, calls, history, stored } = await setup()
    softphone.setDoNotDisturb(true)
    softphone.ring({ remoteUser: '0312345678#A1', remoteDisplayName: 'Yamada' })
    expect(calls.calls).toEqual([])
    expect(fake.log).not.toContain('ring')
    expect(await stored()).toMatchObject([{ direction: 'in', remoteNumber: '0312345678', code1: 'A1', sipName: 'Yamada', result: 'rejected', dnd: true, endedBy: 'system', cutOff: false, durationSeconds: 0 }])
    expect(history.missedCount).toBe(0)
  })

  it('a declined call is declined; an outgoing one the agent gave up on is cancelled', async () => {
    const { softphone, calls, history, stored } = await setup()
    const ring = softphone.ring({ remoteUser: '0312345678' })
    await calls.decline(ring.id)
    await calls.dial('0120444444')
    const out = calls.active[0]!
    await calls.hangup(out.id)
    const rows = await stored()
    expect(rows.map((r) => [r.direction, r.remoteNumber, r.result])).toEqual(expect.arrayContaining([
      ['in', '0312345678', 'declined'],
      ['out', '0120444444', 'cancelled'],
    ]))
    expect(history.missedCount).toBe(0)
  })

  it('a tab closed mid-call leaves its row cut off; the next start counts it, with its last moment', async () => {
    const first = await setup()
    const call = first.softphone.ring({ remoteUser: '0312345678' })
    await first.calls.answer(call.id)
    await first.history.settled()
    // The tab is gone: no `ended`. The next page load opens the same database.
    const again = await setup({ history: first.fake.ports.history })
    expect(await again.stored()).toMatchObject([{ callId: call.id, result: 'answered', cutOff: true }])
    const row = (await again.stored())[0]!
    expect(row.lastSeenAt).toBeGreaterThanOrEqual(row.answeredAt!)
  })

  it('moves a long call\'s last moment with a heartbeat', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const { softphone, calls, stored } = await setup()
    const call = softphone.ring({ remoteUser: '0312345678' })
    await calls.answer(call.id)
    const before = (await stored())[0]!.lastSeenAt
    await vi.advanceTimersByTimeAsync(61_000)
    expect((await stored())[0]!.lastSeenAt).toBeGreaterThanOrEqual(before + 60_000)
  })

  it('searches by number in any spelling and filters by result', async () => {
    const { softphone, calls, view } = await setup()
    const a = softphone.ring({ remoteUser: '0312345678' })
    softphone.remoteHangup(a.id, 'cancelled')
    const b = softphone.ring({ remoteUser: '0663334444' })
    await calls.answer(b.id)
    await calls.hangup(b.id)
    await view.open()
    expect(view.rows.map((r) => r.remoteNumber)).toEqual(['0663334444', '0312345678'])
    await view.setFilter({ text: '+81 3-1234-5678' })
    expect(view.rows.map((r) => r.remoteNumber)).toEqual(['0312345678'])
    await view.setFilter({ text: '', result: 'answered' })
    expect(view.rows.map((r) => r.remoteNumber)).toEqual(['0663334444'])
  })

  it('pages newest first with "more"', async () => {
    const { fake, view } = await setup()
    const db = await fake.ports.history.open()
    const now = Date.now()
    await db.putMany(Array.from({ length: 120 }, (_, i) => row(`c${i}`, now - i * 1000)))
    db.close()
    await view.open()
    expect(view.rows).toHaveLength(50)
    expect(view.rows[0]!.callId).toBe('c0')
    await view.more()
    await view.more()
    expect(view.rows).toHaveLength(120)
    expect(view.next).toBeUndefined()
  })

  it('prunes at start by history.maxDays and history.maxRows', async () => {
    const db = await openHistoryStore({ name: 'prune-test' })
    const now = Date.now()
    await db.putMany([row('old', now - 40 * DAY), ...Array.from({ length: 5 }, (_, i) => row(`r${i}`, now - i * 1000))])
    db.close()
    const { stored } = await setup({
      history: { open: () => openHistoryStore({ name: 'prune-test' }) },
      saved: { ...PROVISIONING, history: { maxDays: 30, maxRows: 3 } },
    })
    expect((await stored()).map((r) => r.callId)).toEqual(['r0', 'r1', 'r2'])
  })

  it('filters by a date range (local days) and exports what the filter shows, every page, as CSV', async () => {
    const { fake, view } = await setup()
    const db = await fake.ports.history.open()
    const day = (d: number, h = 12) => new Date(2026, 10, d, h).getTime()
    await db.putMany([row('nov29', day(29)), ...Array.from({ length: 1200 }, (_, i) => row(`nov30-${i}`, day(30, 9) + i * 1000)), row('dec1', day(31))])
    db.close()
    await view.open()
    await view.setFilter({ fromDay: '2026-11-30', toDay: '2026-11-30' })
    expect(view.rows).toHaveLength(50)
    expect(view.rows.every((r) => r.callId.startsWith('nov30-'))).toBe(true)
    expect(await view.exportCsv(new Date('2026-12-01T00:00:00Z'))).toBe(1200)
    const file = fake.saved.at(-1)!
    expect(file.name).toBe('tsunagu-history-2026-12-01.csv')
    expect(file.text.startsWith('\ufeffstart,answered,end,direction,result,number,name')).toBe(true)
    expect(file.text.trim().split('\r\n')).toHaveLength(1201)
  })

  it('redials the other party of a row', async () => {
    const { softphone, calls, view } = await setup()
    const call = softphone.ring({ remoteUser: '0312345678' })
    softphone.remoteHangup(call.id, 'cancelled')
    await view.open()
    await view.redial(view.rows[0]!)
    expect(calls.active[0]?.sip).toMatchObject({ direction: 'out', remoteUser: '0312345678' })
  })
})

function row(callId: string, startedAt: number): HistoryRow {
  return {
    callId, direction: 'in', remoteNumber: '0312345678', localNumber: '1001', values: {},
    startedAt, endedAt: startedAt + 1000, lastSeenAt: startedAt + 1000, durationSeconds: 0,
    result: 'missed', endedBy: 'remote', cutOff: false,
  }
}
