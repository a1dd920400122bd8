/**
 * History store at 100,000 calls: time to the first page of a search, and the cost of one
 * `put` (a row written at a state change). `npx vitest bench --run bench/history.bench.ts`
 *
 * Runs in Node against fake-indexeddb, an in-memory JavaScript IndexedDB: it shows that every
 * query walks an index and stops at a full page, but its absolute times are not a browser's
 * (Chromium's IndexedDB runs on LevelDB in another process: slower per cursor step, and the
 * work happens off the page's main thread).
 */
import 'fake-indexeddb/auto'
import { bench, describe } from 'vitest'
import type { HistoryResult, HistoryRow } from '@/history/record'
import { openHistoryStore, type HistoryQuery } from '@/history/store'

const ROWS = Number(process.env.HISTORY_ROWS ?? 100_000)
const T0 = Date.UTC(2026, 8, 1)
const SPAN = 90 * 86_400_000
const SURNAMES = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本', '井上', '木村', '林', '斎藤', '清水']
const GIVEN = ['太郎', '花子', '一郎', '美咲', '健', '陽菜', '翔太', 'さくら', '大輔', '愛']
const COMPANIES = ['株式会社つなぐ', 'ACME Corp.', '山田商事', '東京物産', 'Example Inc.', '日本テレコム', '大阪工業', '札幌システム']
const RESULTS: HistoryResult[] = ['answered', 'answered', 'answered', 'answered', 'missed', 'missed', 'declined', 'failed', 'cancelled', 'transferred']

/** Deterministic pseudo-random numbers, so every run stores the same calls. */
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
}

function rows(): HistoryRow[] {
  const next = random(42)
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T
  return Array.from({ length: ROWS }, (_, i) => {
    const startedAt = T0 + Math.floor((i / ROWS) * SPAN)
    const subscriber = String(Math.floor(next() * 20_000)).padStart(4, '0')
    const remoteNumber = next() < 0.5 ? `03-${subscriber.slice(0, 4)}-${String(i % 10_000).padStart(4, '0')}` : `090${subscriber}${String(i % 10_000).padStart(4, '0')}`
    const known = next() < 0.7
    return {
      callId: `call-${i}`, direction: next() < 0.7 ? 'in' : 'out', remoteNumber, localNumber: '1001',
      sipName: known ? undefined : 'Unknown',
      values: (known ? { NAME: `${pick(SURNAMES)} ${pick(GIVEN)}`, COMPANY: pick(COMPANIES) } : {}) as Record<string, string>,
      startedAt, lastSeenAt: startedAt + 60_000, answeredAt: startedAt + 5_000, endedAt: startedAt + 60_000, durationSeconds: 55,
      result: pick(RESULTS), endedBy: 'remote', cutOff: false,
    } satisfies HistoryRow
  })
}

const seedStart = performance.now()
const store = await openHistoryStore({ name: 'history-bench' })
const all = rows()
for (let i = 0; i < all.length; i += 1_000) await store.putMany(all.slice(i, i + 1_000))
console.log(`seeded ${ROWS} rows in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
const sample = all[Math.floor(ROWS / 2)] as HistoryRow

const queries: [string, HistoryQuery][] = [
  ['newest first, no filter', {}],
  ['result missed', { result: 'missed' }],
  ['result missed + direction out', { result: 'missed', direction: 'out' }],
  ['date range (one day, 45 days ago)', { from: T0 + 44 * 86_400_000, to: T0 + 45 * 86_400_000 }],
  ['complete number (text)', { text: sample.remoteNumber }],
  ['complete number (exact index)', { number: sample.remoteNumber }],
  ['last four digits', { text: sample.remoteNumber.slice(-4) }],
  ['common surname 山田', { text: '山田' }],
  ['company つなぐ', { text: 'つなぐ' }],
  ['surname + given name 山田 花子', { text: '山田 花子' }],
  ['worst case: common gram, no match (山田 存在しない)', { text: '山田 存在しない' }],
  ['a name nobody has', { text: '存在しない名前' }],
]

describe(`first page (50 rows) over ${ROWS} calls`, () => {
  for (const [name, query] of queries) bench(name, async () => { await store.page({ ...query, limit: 50 }) }, { time: 500, iterations: 5 })
})

describe('writes', () => {
  let n = 0
  bench('put one row (a state change of a new call)', async () => {
    const i = n++
    await store.put({ ...sample, callId: `bench-${i}`, startedAt: Date.now() + i })
  }, { time: 500, iterations: 20 })
  bench('missedSince (badge)', async () => { await store.missedSince(T0 + 80 * 86_400_000) }, { time: 300, iterations: 5 })
})
