import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import type { CallDirection } from '@/sip/softphone'
import type { HistoryResult, HistoryRow } from './record'
import { openDB } from 'idb'
import { openHistoryStore, type HistoryQuery, type HistoryStore } from './store'

const T0 = Date.UTC(2026, 11, 1, 0, 0, 0)
const MIN = 60_000
const DAY = 86_400_000

function row(callId: string, startedAt: number, extra: Partial<HistoryRow> = {}): HistoryRow {
  return {
    callId, direction: 'in', remoteNumber: '0312345678', localNumber: '1001', values: {}, startedAt, lastSeenAt: startedAt,
    durationSeconds: 0, result: 'answered', endedBy: 'remote', cutOff: false, ...extra,
  }
}

let store: HistoryStore | undefined
let dbCount = 0
async function open(): Promise<HistoryStore> {
  store = await openHistoryStore({ name: `history-test-${++dbCount}` })
  return store
}
afterEach(() => store?.close())

const ids = (rows: HistoryRow[]) => rows.map((r) => r.callId)

describe('history store', () => {
  it('writes a row at every state change and reads back the last one', async () => {
    const s = await open()
    await s.put(row('c1', T0, { cutOff: true, result: 'missed', endedBy: 'system' }))
    await s.put(row('c1', T0, { answeredAt: T0 + 1_000, values: { NAME: '山田' } }))
    expect(await s.get('c1')).toEqual(row('c1', T0, { answeredAt: T0 + 1_000, values: { NAME: '山田' } }))
    expect(await s.count()).toBe(1)
    expect(await s.get('nope')).toBeUndefined()
  })

  it('openCalls: the rows still cut off (a page went away mid-call), through their own index; an ended call leaves it', async () => {
    const s = await open()
    await s.put(row('old', T0 - 9 * DAY, { cutOff: true }))
    await s.put(row('open', T0, { cutOff: true, result: 'missed' }))
    await s.put(row('ended', T0 + MIN, { cutOff: true }))
    await s.put(row('ended', T0 + MIN))
    expect(ids(await s.openCalls(T0 - 7 * DAY))).toEqual(['open'])
    expect((await s.openCalls(T0 - 7 * DAY))[0]).toEqual(row('open', T0, { cutOff: true, result: 'missed' }))
  })

  it('opens a version-1 database and keeps its rows (the open-calls index is added)', async () => {
    const name = `history-test-${++dbCount}`
    const v1 = await openDB(name, 1, { upgrade: (db) => db.createObjectStore('calls', { keyPath: 'callId' }).createIndex('byTime', 'byTime') })
    await v1.put('calls', { ...row('kept', T0), byTime: [T0, 'kept'] })
    v1.close()
    store = await openHistoryStore({ name })
    expect(await store.get('kept')).toEqual(row('kept', T0))
    await store.put(row('new', T0 + MIN, { cutOff: true }))
    expect(ids(await store.openCalls(0))).toEqual(['new'])
  })

  it('pages newest first with an after token, ties broken by call id', async () => {
    const s = await open()
    for (let i = 0; i < 7; i++) await s.put(row(`c${i}`, T0 + Math.floor(i / 2) * MIN))
    const first = await s.page({ limit: 3 })
    expect(ids(first.rows)).toEqual(['c6', 'c5', 'c4'])
    const second = await s.page({ limit: 3, after: first.next })
    expect(ids(second.rows)).toEqual(['c3', 'c2', 'c1'])
    const third = await s.page({ limit: 3, after: second.next })
    expect(third).toEqual({ rows: [expect.objectContaining({ callId: 'c0' })] })
  })

  describe('search', () => {
    async function seeded() {
      const s = await open()
      await s.put(row('yamada', T0, { remoteNumber: '03-1234-5678', phonebookName: '山田 太郎', values: { COMPANY: '株式会社つなぐ' } }))
      await s.put(row('sato', T0 + MIN, { remoteNumber: '+819011112222#A1#B2', sipName: 'Sato Hanako', values: { NAME: '佐藤', COMPANY: 'ACME Corp.' } }))
      await s.put(row('ext', T0 + 2 * MIN, { remoteNumber: '1001', sipName: 'Desk 1001' }))
      await s.put(row('ext100', T0 + 3 * MIN, { remoteNumber: '100' }))
      await s.put(row('yamada2', T0 + 4 * MIN, { remoteNumber: '0312345678', direction: 'out', values: { NAME: '山田 花子' } }))
      await s.put(row('anon', T0 + 5 * MIN, { remoteNumber: 'anonymous', sipName: 'Anonymous' }))
      return s
    }

    it.each<[string, string[]]>([
      // a complete number in any spelling
      ['+81 3 1234 5678', ['yamada2', 'yamada']],
      ['０３－１２３４－５６７８', ['yamada2', 'yamada']],
      ['090-1111-2222', ['sato']],
      ['+819011112222', ['sato']],
      // part of a number
      ['5678', ['yamada2', 'yamada']],
      ['1234-56', ['yamada2', 'yamada']],
      ['0312345', ['yamada2', 'yamada']],
      ['03-1234', ['yamada2', 'yamada']],
      ['031234567', ['yamada2', 'yamada']],
      ['1111', ['sato']],
      ['9011112222', ['sato']],
      ['+8190111', ['sato']],
      ['1001', ['ext']],
      ['100', ['ext100']],
      // names and companies, also inside words, any case and width
      ['山田', ['yamada2', 'yamada']],
      ['田', ['yamada2', 'yamada']],
      ['花子', ['yamada2']],
      ['つなぐ', ['yamada']],
      ['株式会社', ['yamada']],
      ['acme', ['sato']],
      ['ＡＣＭＥ', ['sato']],
      ['hanako sato', ['sato']],
      ['佐藤', ['sato']],
      ['desk', ['ext']],
      ['anonymous', ['anon']],
      ['鈴木', []],
      ['山田 鈴木', []],
      ['!!!', []],
    ])('%j finds %j', async (text, expected) => {
      const s = await seeded()
      expect(ids((await s.page({ text })).rows)).toEqual(expected)
      expect(await s.count({ text })).toBe(expected.length)
    })

    it.each<[string, string[]]>([
      ['03-1234-5678', ['yamada2', 'yamada']],
      ['+81312345678', ['yamada2', 'yamada']],
      ['09011112222', ['sato']],
      ['1001', ['ext']],
      ['100', ['ext100']],
      ['0312345', []],
      ['anonymous', []],
    ])('number %j (exact, any spelling) finds %j', async (number, expected) => {
      const s = await seeded()
      expect(ids((await s.page({ number })).rows)).toEqual(expected)
      expect(await s.count({ number })).toBe(expected.length)
    })

    it('narrows calls of one number by text', async () => {
      const s = await seeded()
      expect(ids((await s.page({ number: '0312345678', text: '花子' })).rows)).toEqual(['yamada2'])
      expect(await s.count({ number: '0312345678', text: '花子' })).toBe(1)
    })

    it('treats an empty search as no search', async () => {
      const s = await seeded()
      expect((await s.page({ text: '  ' })).rows).toHaveLength(6)
    })

    it('combines a search with filters and pages through it', async () => {
      const s = await seeded()
      expect(ids((await s.page({ text: '山田', direction: 'out' })).rows)).toEqual(['yamada2'])
      expect(ids((await s.page({ text: '5678', to: T0 + MIN })).rows)).toEqual(['yamada'])
      const first = await s.page({ text: '山田', limit: 1 })
      expect(ids(first.rows)).toEqual(['yamada2'])
      expect(ids((await s.page({ text: '山田', limit: 1, after: first.next })).rows)).toEqual(['yamada'])
    })
  })

  describe('filters', () => {
    const results: [HistoryResult, CallDirection][] = [
      ['answered', 'in'], ['missed', 'in'], ['answered', 'out'], ['cancelled', 'out'], ['missed', 'in'], ['failed', 'out'],
    ]
    async function seeded() {
      const s = await open()
      for (const [i, [result, direction]] of results.entries()) await s.put(row(`c${i}`, T0 + i * DAY, { result, direction }))
      return s
    }

    it.each<[string, object, string[]]>([
      ['result', { result: 'missed' }, ['c4', 'c1']],
      ['direction', { direction: 'out' }, ['c5', 'c3', 'c2']],
      ['result and direction', { result: 'answered', direction: 'out' }, ['c2']],
      ['date range (from inclusive, to exclusive)', { from: T0 + DAY, to: T0 + 4 * DAY }, ['c3', 'c2', 'c1']],
      ['result in a date range', { result: 'missed', from: T0 + 2 * DAY }, ['c4']],
      ['nothing', {}, ['c5', 'c4', 'c3', 'c2', 'c1', 'c0']],
    ])('by %s', async (_, query, expected) => {
      const s = await seeded()
      expect(ids((await s.page(query)).rows)).toEqual(expected)
      expect(await s.count(query)).toBe(expected.length)
    })

    it('pages a filtered list', async () => {
      const s = await seeded()
      const first = await s.page({ direction: 'out', limit: 2 })
      expect(ids(first.rows)).toEqual(['c5', 'c3'])
      expect(ids((await s.page({ direction: 'out', limit: 2, after: first.next })).rows)).toEqual(['c2'])
    })
  })

  it('pages through a large filtered list without losing or repeating a row', async () => {
    const s = await open()
    const all = Array.from({ length: 1_100 }, (_, i) => row(`c${String(i).padStart(4, '0')}`, T0 + Math.floor(i / 3) * MIN, {
      result: i % 3 === 0 ? 'missed' : 'answered', direction: i % 7 === 0 ? 'out' : 'in', values: i % 5 === 0 ? { NAME: '山田' } : {},
    }))
    await s.putMany(all)
    const newestFirst = [...all].sort((a, b) => b.startedAt - a.startedAt || (a.callId < b.callId ? 1 : -1))
    const cases: [object, (r: HistoryRow) => boolean][] = [
      [{ result: 'missed', direction: 'out' }, (r) => r.result === 'missed' && r.direction === 'out'],
      [{ text: '山田', result: 'answered' }, (r) => r.values.NAME === '山田' && r.result === 'answered'],
      [{}, () => true],
    ]
    for (const [query, keep] of cases) {
      const seen: string[] = []
      let next: string | undefined
      do {
        const page = await s.page({ ...query, limit: 37, after: next })
        seen.push(...ids(page.rows))
        next = page.next
      } while (next)
      expect(seen).toEqual(ids(newestFirst.filter(keep)))
      expect(await s.count(query)).toBe(seen.length)
    }
  }, 60_000)

  // Browsers without `getAll({ direction })` (no `getAllRecords`) walk with a key cursor instead.
  it.each([['getAll newest first', true], ['a key cursor (browsers without getAllRecords)', false]])('finds several-word searches through the rarest word, walking by %s: the same rows, pages and counts as checking every row', async (_, direction) => {
    const proto = IDBIndex.prototype as unknown as Record<string, unknown>
    const saved = Object.getOwnPropertyDescriptor(proto, 'getAllRecords')
    if (!direction) delete proto.getAllRecords
    onTestFinished(() => { if (saved) Object.defineProperty(proto, 'getAllRecords', saved) })
    const s = await open()
    const surnames = ['山田', '佐藤', '田中']
    const given = ['花子', '太郎', '花']
    const companies = ['山田商事', 'ACME Corp.', '花子屋']
    const all = Array.from({ length: 900 }, (_, i) => row(`c${String(i).padStart(4, '0')}`, T0 + Math.floor(i / 4) * MIN, {
      direction: i % 3 === 0 ? 'out' : 'in',
      result: i % 4 === 0 ? 'missed' : 'answered',
      values: i % 11 === 0 ? {} : { NAME: `${surnames[i % 3]} ${given[(i >> 2) % 3]}`, COMPANY: companies[(i >> 3) % 3] ?? '' },
    }))
    await s.putMany(all)
    const newestFirst = [...all].sort((a, b) => b.startedAt - a.startedAt || (a.callId < b.callId ? 1 : -1))
    const holds = (r: HistoryRow, words: string[]) => words.every((w) => [r.values.NAME, r.values.COMPANY].some((t) => t?.toLowerCase().includes(w)))
    const cases: [HistoryQuery, (r: HistoryRow) => boolean][] = [
      [{ text: '山田 花子' }, (r) => holds(r, ['山田', '花子'])],
      [{ text: '花子 山田' }, (r) => holds(r, ['山田', '花子'])],
      [{ text: '田 花' }, (r) => holds(r, ['田', '花'])],
      [{ text: '佐藤 acme 太郎' }, (r) => holds(r, ['佐藤', 'acme', '太郎'])],
      [{ text: '山田 商事', direction: 'out' }, (r) => holds(r, ['山田', '商事']) && r.direction === 'out'],
      [{ text: '山田 花子', result: 'missed', from: T0 + 30 * MIN, to: T0 + 180 * MIN }, (r) => holds(r, ['山田', '花子']) && r.result === 'missed' && r.startedAt >= T0 + 30 * MIN && r.startedAt < T0 + 180 * MIN],
      [{ text: '山田 存在しない' }, () => false],
      [{ text: '山田' }, (r) => holds(r, ['山田'])],
      [{ direction: 'out', result: 'missed' }, (r) => r.direction === 'out' && r.result === 'missed'],
    ]
    for (const [query, keep] of cases) {
      for (const limit of [3, 50]) {
        const seen: string[] = []
        let next: string | undefined
        do {
          const page = await s.page({ ...query, limit, after: next })
          seen.push(...ids(page.rows))
          next = page.next
        } while (next)
        expect(seen, `${JSON.stringify(query)} by ${limit}`).toEqual(ids(newestFirst.filter(keep)))
      }
      expect(await s.count(query)).toBe(newestFirst.filter(keep).length)
    }
  }, 60_000)

  it('counts missed calls since a moment for the badge, not those answered elsewhere or still ringing', async () => {
    const s = await open()
    await s.put(row('old', T0, { result: 'missed' }))
    await s.put(row('new', T0 + 2 * MIN, { result: 'missed' }))
    await s.put(row('elsewhere', T0 + 3 * MIN, { result: 'missed', answeredElsewhere: true }))
    await s.put(row('ringing', T0 + 4 * MIN, { result: 'missed', cutOff: true }))
    await s.put(row('answered', T0 + 5 * MIN))
    expect(await s.missedSince(T0)).toBe(1)
    expect(await s.missedSince(T0 - 1)).toBe(2)
    expect(await s.count({ result: 'missed' })).toBe(4)
    // the ringing call is answered: it leaves the missed list
    await s.put(row('ringing', T0 + 4 * MIN))
    expect(await s.count({ result: 'missed' })).toBe(3)
  })

  it('prunes by age and by row count, oldest first', async () => {
    const s = await open()
    for (let i = 0; i < 10; i++) await s.put(row(`c${i}`, T0 + i * DAY))
    const now = T0 + 10 * DAY
    expect(await s.prune({ maxDays: 7, now })).toBe(3)
    expect(ids((await s.page()).rows).at(-1)).toBe('c3')
    expect(await s.prune({ maxRows: 4, now })).toBe(3)
    expect(ids((await s.page()).rows)).toEqual(['c9', 'c8', 'c7', 'c6'])
    expect(await s.prune({ maxDays: 30, maxRows: 10, now })).toBe(0)
    expect(await s.prune({ maxRows: 0, now })).toBe(4)
    expect(await s.count()).toBe(0)
  })

  it('keeps its index keys out of the rows it returns', async () => {
    const s = await open()
    await s.put(row('c1', T0, { values: { NAME: '山田' } }))
    const [found] = (await s.page({ text: '山田' })).rows
    expect(Object.keys(found ?? {}).sort()).toEqual(Object.keys(row('c1', T0)).sort())
  })
})
