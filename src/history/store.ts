/**
 * Call history in IndexedDB (through `idb`: indexes and cursors, which idb-keyval does not
 * have). The one browser effect of `src/history`; everything it stores comes from `record.ts`.
 *
 * Object store `calls`, keyed by `callId`, one record per call, overwritten at every state
 * change. Each record carries the keys its indexes need:
 *
 * | index         | key                                   | serves                                 |
 * |---------------|---------------------------------------|----------------------------------------|
 * | `byTime`      | `[startedAt, callId]`                 | newest first, date range, retention    |
 * | `byResult`    | `[result, startedAt, callId]`         | filter by result                       |
 * | `byDirection` | `[direction, startedAt, callId]`      | filter by direction                    |
 * | `byResultDirection` | `[result, direction, startedAt, callId]` | filter by both                 |
 * | `byRemote`    | `[remoteKey, startedAt, callId]`      | `number`: the calls of one number, any spelling |
 * | `byWord`      | `"<gram>\u0001<startedAt>\u0001<callId>"`, multiEntry | `text`: name, company, number or part of it |
 * | `byMissed`    | `missedAt` (set only for missed calls the badge counts) | `missedSince` |
 * | `byOpen`      | `openAt` (= `startedAt`, set only while the row is cut off; version 2) | `openCalls`: calls a page that went away never ended |
 *
 * Every key ends in `startedAt, callId`, so each index walks newest first within its prefix and
 * a page ends at an exact position: the `after` token of the next page is that position. A
 * query walks one index (the most selective the query allows) and checks the rest of its
 * conditions on the records it meets, reading them in growing chunks; it stops as soon as a page
 * is full, so no query loads the whole store. A search of several words (`山田 花子`) first
 * finds, by keys only, which word's gram is rarest among the newest rows (`rarest`), and walks
 * that one (`花子` rather than `山田`): every row it meets is checked for all the words, so the
 * results are the same whichever gram drives. (A query whose index prefix matches many rows
 * that its other conditions then reject still reads all of those rows: `山田` with
 * `direction: 'out'` reads `山田` rows until a page of outgoing ones is full.) The gram strings
 * repeat the time because a multiEntry index cannot have a compound key.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPIndex } from 'idb'
import type { CallDirection } from '@/sip/softphone'
import { normalizeNumber, type NormalizeOptions } from '@/phonebook/normalize'
import type { HistoryResult, HistoryRow } from './record'
import { foldText, numberHaystack, planSearch, rowGrams, type SearchPlan } from './search-keys'

export interface HistoryQuery {
  /** What the agent typed: four or more digits of a number in any spelling, or words of a name or company. */
  text?: string
  /** Calls with exactly this number, in any spelling (the normalised-number index). */
  number?: string
  result?: HistoryResult
  direction?: CallDirection
  /** `startedAt >= from` (epoch ms). */
  from?: number
  /** `startedAt < to` (epoch ms). */
  to?: number
  /** Rows per page, default 50. */
  limit?: number
  /** `next` of the previous page. */
  after?: string
}

export interface HistoryPage {
  rows: HistoryRow[]
  /** Pass as `after` for the following page; absent when this page is the last. */
  next?: string
}

export interface HistoryStoreOptions extends NormalizeOptions {
  /** Database name (tests use one per case). Default `tsunagu-history`. */
  name?: string
  /** CRM values that name search covers, besides phonebook and SIP names. Default `NAME`, `COMPANY`. */
  searchValues?: readonly string[]
}

export interface PruneOptions {
  /** Delete calls that started more than this many days before `now`. */
  maxDays?: number
  /** Keep at most this many calls, deleting the oldest. */
  maxRows?: number
  now: number
}

export interface HistoryStore {
  put(row: HistoryRow): Promise<void>
  /** Many rows in one transaction (an import, a benchmark's seed). */
  putMany(rows: Iterable<HistoryRow>): Promise<void>
  get(callId: string): Promise<HistoryRow | undefined>
  page(query?: HistoryQuery): Promise<HistoryPage>
  count(query?: Omit<HistoryQuery, 'limit' | 'after'>): Promise<number>
  /** Missed calls (not answered elsewhere) that started after `ts`: the badge. */
  missedSince(ts: number): Promise<number>
  /** Rows still cut off (no end known) that started at or after `since`, oldest first. */
  openCalls(since: number): Promise<HistoryRow[]>
  /** Retention: deletes oldest first, through the time index. Returns how many rows went. */
  prune(options: PruneOptions): Promise<number>
  close(): void
}

type TimeKey = [number, string]
type PrefixedKey = [string, number, string]
type TwicePrefixedKey = [string, string, number, string]

interface StoredCall extends HistoryRow {
  byTime: TimeKey
  byResult: PrefixedKey
  byDirection: PrefixedKey
  byResultDirection: TwicePrefixedKey
  byRemote?: PrefixedKey
  grams: string[]
  missedAt?: number
  openAt?: number
}

interface HistorySchema extends DBSchema {
  calls: {
    key: string
    value: StoredCall
    indexes: {
      byTime: TimeKey
      byResult: PrefixedKey
      byDirection: PrefixedKey
      byResultDirection: TwicePrefixedKey
      byRemote: PrefixedKey
      byWord: string
      byMissed: number
      byOpen: number
    }
  }
}

type IndexName = keyof HistorySchema['calls']['indexes']

const SEP = '\u0001'
const TIME_DIGITS = 15
const DEFAULT_LIMIT = 50
const MAX_CHUNK = 1000
/** How many of each word's newest rows a several-word search looks at (keys) to find the rarest word. */
const RARITY_SAMPLE = 200
const DAY_MS = 86_400_000
const DERIVED = ['byTime', 'byResult', 'byDirection', 'byResultDirection', 'byRemote', 'grams', 'missedAt', 'openAt'] as const

const pad = (t: number) => String(Math.max(0, Math.floor(t))).padStart(TIME_DIGITS, '0')
const gramKey = (gram: string, startedAt: number, callId: string) => `${gram}${SEP}${pad(startedAt)}${SEP}${callId}`

function encodeAfter(row: HistoryRow): string {
  return `${row.startedAt}:${row.callId}`
}

function decodeAfter(token: string | undefined): TimeKey | undefined {
  if (!token) return undefined
  const colon = token.indexOf(':')
  const time = Number(token.slice(0, colon))
  return colon > 0 && Number.isFinite(time) ? [time, token.slice(colon + 1)] : undefined
}

function strip(record: StoredCall): HistoryRow {
  const row: Partial<StoredCall> = { ...record }
  for (const key of DERIVED) delete row[key]
  return row as HistoryRow
}

/** The plan that drives the walk, and one more the records it meets must pass. */
interface Plans {
  drive?: SearchPlan
  check?: SearchPlan
}

/** Where a query walks: an index and a key range, newest first. */
interface Walk {
  index: IndexName
  range: IDBKeyRange
  /** The conditions the index does not check. */
  accept: (record: StoredCall) => boolean
  /** The record's key in `index` (where the next chunk ends). */
  keyOf: (record: StoredCall) => IDBValidKey
}

export async function openHistoryStore(options: HistoryStoreOptions = {}): Promise<HistoryStore> {
  const searchValues = options.searchValues ?? ['NAME', 'COMPANY']
  const db: IDBPDatabase<HistorySchema> = await openDB<HistorySchema>(options.name ?? 'tsunagu-history', 2, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        const calls = database.createObjectStore('calls', { keyPath: 'callId' })
        calls.createIndex('byTime', 'byTime')
        calls.createIndex('byResult', 'byResult')
        calls.createIndex('byDirection', 'byDirection')
        calls.createIndex('byResultDirection', 'byResultDirection')
        calls.createIndex('byRemote', 'byRemote')
        calls.createIndex('byWord', 'grams', { multiEntry: true })
        calls.createIndex('byMissed', 'missedAt')
      }
      // Version 2: rows written from now on that are still cut off carry `openAt` (rows of
      // version 1 are not rewritten: a call a version-1 page left open is not found by it).
      if (oldVersion < 2) transaction.objectStore('calls').createIndex('byOpen', 'openAt')
    },
  })

  // IndexedDB's newer `getAll({ query, count, direction })`, in browsers that have `getAllRecords`.
  const newestFirstGetAll = typeof IDBIndex !== 'undefined' && 'getAllRecords' in IDBIndex.prototype
  const texts = (row: HistoryRow) => [row.phonebookName, row.sipName, ...searchValues.map((name) => row.values[name])]

  function toStored(row: HistoryRow): StoredCall {
    const remoteKey = normalizeNumber(row.remoteNumber, options)
    const { startedAt, callId } = row
    const grams = rowGrams(texts(row), numberHaystack(row.remoteNumber, remoteKey, options))
    const counted = row.result === 'missed' && !row.answeredElsewhere && !row.cutOff
    const stored: StoredCall = {
      ...row,
      byTime: [startedAt, callId],
      byResult: [row.result, startedAt, callId],
      byDirection: [row.direction, startedAt, callId],
      byResultDirection: [row.result, row.direction, startedAt, callId],
      grams: grams.map((gram) => gramKey(gram, startedAt, callId)),
    }
    if (remoteKey !== undefined) stored.byRemote = [remoteKey, startedAt, callId]
    if (counted) stored.missedAt = startedAt
    if (row.cutOff) stored.openAt = startedAt
    return stored
  }

  /** The plan that drives the walk (a number first) and the one left to check; `null` when nothing can match. */
  function plansFor(query: HistoryQuery): Plans | null {
    let text: SearchPlan | undefined
    if (query.text !== undefined && query.text.trim()) {
      text = planSearch(query.text, options)
      if (!text) return null
    }
    if (query.number === undefined) return { drive: text }
    const key = normalizeNumber(query.number, options)
    return key === undefined ? null : { drive: { kind: 'number', key }, check: text }
  }

  function matchesPlan(plan: SearchPlan | undefined, record: StoredCall): boolean {
    if (!plan) return true
    if (plan.kind === 'number') return record.byRemote?.[0] === plan.key
    if (plan.kind === 'digits') {
      return numberHaystack(record.remoteNumber, record.byRemote?.[0], options).some((d) => d.includes(plan.digits))
    }
    const haystack = texts(record).filter((t): t is string => !!t).map(foldText)
    return plan.words.every((word) => haystack.some((text) => text.includes(word)))
  }

  /** The most selective index the query allows, and what is left to check. */
  function walkFor(query: HistoryQuery, { drive: plan, check }: Plans, after: TimeKey | undefined): Walk {
    const from = query.from ?? -Infinity
    const accept = (skip: 'result' | 'direction' | 'both' | undefined) => (record: StoredCall) =>
      (skip === 'result' || skip === 'both' || query.result === undefined || record.result === query.result)
      && (skip === 'direction' || skip === 'both' || query.direction === undefined || record.direction === query.direction)
      && matchesPlan(plan, record)
      && matchesPlan(check, record)
    if (plan && plan.kind !== 'number') {
      const { gram } = plan
      const lower = `${gram}${SEP}${pad(from)}`
      const upper = after ? gramKey(gram, after[0], after[1]) : query.to !== undefined ? `${gram}${SEP}${pad(query.to)}` : `${gram}${SEP}\uffff`
      return { index: 'byWord', range: IDBKeyRange.bound(lower, upper, false, true), accept: accept(undefined), keyOf: (r) => gramKey(gram, r.startedAt, r.callId) }
    }
    const prefixed = (index: 'byRemote' | 'byResult' | 'byDirection' | 'byResultDirection', prefix: string[], skip: 'result' | 'direction' | 'both' | undefined): Walk => ({
      index,
      range: IDBKeyRange.bound([...prefix, from], after ? [...prefix, ...after] : [...prefix, query.to ?? Infinity], false, true),
      accept: accept(skip),
      keyOf: (r) => r[index] as IDBValidKey,
    })
    if (plan) return prefixed('byRemote', [plan.key], undefined)
    if (query.result !== undefined && query.direction !== undefined) return prefixed('byResultDirection', [query.result, query.direction], 'both')
    if (query.result !== undefined) return prefixed('byResult', [query.result], 'result')
    if (query.direction !== undefined) return prefixed('byDirection', [query.direction], 'direction')
    return {
      index: 'byTime',
      range: IDBKeyRange.bound([from], after ?? [query.to ?? Infinity], false, true),
      accept: accept(undefined),
      keyOf: (r) => r.byTime,
    }
  }

  /**
   * A several-word text plan driven by its rarest word near the newest end of the query's range
   * (where its first pages are), read by keys only: each word's gram gets its newest
   * `RARITY_SAMPLE` call ids (`getAllKeys`, newest first) and the start time of the last of
   * them (one record). A gram with fewer ids is rarer still; else the one whose sample reaches
   * further back is. Without the newest-first `getAllKeys`, the grams' rows are counted.
   * Ties keep the longest word's gram.
   */
  async function rarest(plans: Plans, query: HistoryQuery): Promise<Plans> {
    const plan = plans.drive
    if (plan?.kind !== 'text' || plan.grams.length < 2) return plans
    const after = decodeAfter(query.after)
    const range = (gram: string) => IDBKeyRange.bound(
      `${gram}${SEP}${pad(query.from ?? -Infinity)}`,
      after ? gramKey(gram, after[0], after[1]) : `${gram}${SEP}${query.to !== undefined ? pad(query.to) : '\uffff'}`,
      false, true,
    )
    const tx = db.transaction('calls')
    const index = tx.store.index('byWord')
    const score = async (gram: string): Promise<number> => {
      if (!newestFirstGetAll) return index.count(range(gram))
      const getAllKeys = index.getAllKeys.bind(index) as unknown as (options: { query: IDBKeyRange; count: number; direction: 'prev' }) => Promise<string[]>
      const ids = await getAllKeys({ query: range(gram), count: RARITY_SAMPLE, direction: 'prev' })
      const last = ids.length === RARITY_SAMPLE ? ids.at(-1) : undefined
      // Fewer than the sample: rarer than any full one. Full: the older its last row, the rarer.
      return last === undefined ? ids.length - RARITY_SAMPLE : ((await tx.store.get(last))?.startedAt ?? 0)
    }
    const scores = await Promise.all(plan.grams.map(score))
    let best = Math.max(0, plan.grams.indexOf(plan.gram))
    scores.forEach((n, i) => { if (n < (scores[best] ?? Infinity)) best = i })
    return { ...plans, drive: { ...plan, gram: plan.grams[best] ?? plan.gram } }
  }

  /** Whether the walk's index alone decides the query (then `count` needs no records). */
  function exact(query: HistoryQuery, { drive: plan, check }: Plans): boolean {
    if (plan) return plan.kind === 'number' && !check && query.result === undefined && query.direction === undefined
    return true
  }

  /**
   * Visits the records of `w.range`, newest first, until `visit` returns false, reading them in
   * chunks (one request per chunk instead of one per record, several times faster than a value
   * cursor) that start at `first` records and double up to `MAX_CHUNK` while the walk goes on.
   * Index keys are unique (they end in the call id), so the next chunk ends just before the
   * oldest record of the last one, and chunks neither overlap nor leave gaps.
   *
   * Where `getAll` takes a direction (IndexedDB's options form, detected by `getAllRecords`), a
   * chunk is one `getAll(…, 'prev')`. Elsewhere a key cursor walking backwards finds where the
   * chunk ends (`advance`) and `getAll` reads it.
   */
  async function walk(w: Walk, first: number, visit: (record: StoredCall) => boolean): Promise<void> {
    const index: IDBPIndex<HistorySchema, ['calls'], 'calls', IndexName> = db.transaction('calls').store.index(w.index)
    const { lower, lowerOpen } = w.range
    let upper: unknown = w.range.upper
    let upperOpen = w.range.upperOpen
    for (let chunk = Math.max(1, first); ; chunk = Math.min(chunk * 2, MAX_CHUNK)) {
      const range = IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen)
      let records: StoredCall[]
      let more: boolean
      if (newestFirstGetAll) {
        records = await (index.getAll as unknown as (options: { query: IDBKeyRange; count: number; direction: 'prev' }) => Promise<StoredCall[]>)({ query: range, count: chunk, direction: 'prev' })
        more = records.length === chunk
      } else {
        const newest = await index.openKeyCursor(range, 'prev')
        if (!newest) return
        const oldest = chunk > 1 ? await newest.advance(chunk - 1) : newest
        records = (await index.getAll(oldest ? IDBKeyRange.bound(oldest.key, upper, false, upperOpen) : range)).reverse()
        more = !!oldest
      }
      for (const record of records) if (w.accept(record) && !visit(record)) return
      const last = records.at(-1)
      if (!more || !last) return
      upper = w.keyOf(last)
      upperOpen = true
    }
  }

  return {
    async put(row) {
      await db.put('calls', toStored(row))
    },

    async putMany(rows) {
      const tx = db.transaction('calls', 'readwrite')
      for (const row of rows) void tx.store.put(toStored(row))
      await tx.done
    },

    async get(callId) {
      const record = await db.get('calls', callId)
      return record && strip(record)
    },

    async page(query = {}) {
      const limit = Math.max(1, query.limit ?? DEFAULT_LIMIT)
      const found = plansFor(query)
      if (!found) return { rows: [] }
      const plans = await rarest(found, query)
      const after = decodeAfter(query.after)
      const rows: HistoryRow[] = []
      await walk(walkFor(query, plans, after), limit, (record) => {
        rows.push(strip(record))
        return rows.length < limit
      })
      const last = rows.at(-1)
      return rows.length === limit && last ? { rows, next: encodeAfter(last) } : { rows }
    },

    async count(query = {}) {
      const found = plansFor(query)
      if (!found) return 0
      const plans = await rarest(found, query)
      const w = walkFor(query, plans, undefined)
      if (exact(query, plans)) return db.countFromIndex('calls', w.index, w.range)
      let n = 0
      await walk(w, MAX_CHUNK, () => {
        n++
        return true
      })
      return n
    },

    async openCalls(since) {
      return (await db.getAllFromIndex('calls', 'byOpen', IDBKeyRange.lowerBound(since))).map(strip)
    },

    async missedSince(ts) {
      return db.countFromIndex('calls', 'byMissed', IDBKeyRange.lowerBound(ts, true))
    },

    async prune({ maxDays, maxRows, now }) {
      const tx = db.transaction('calls', 'readwrite')
      const index = tx.store.index('byTime')
      let deleted = 0
      if (maxDays !== undefined) {
        const range = IDBKeyRange.upperBound([now - maxDays * DAY_MS], true)
        for (let cursor = await index.openCursor(range); cursor; cursor = await cursor.continue()) {
          await cursor.delete()
          deleted++
        }
      }
      if (maxRows !== undefined) {
        let excess = (await tx.store.count()) - Math.max(0, maxRows)
        let cursor = excess > 0 ? await index.openCursor() : null
        while (cursor && excess > 0) {
          await cursor.delete()
          deleted++
          excess--
          cursor = excess > 0 ? await cursor.continue() : null
        }
      }
      await tx.done
      return deleted
    },

    close() {
      db.close()
    },
  }
}
