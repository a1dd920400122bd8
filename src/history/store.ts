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
 * is full, so no query loads the whole store. A search of several words (`山田 花子`) walks the
 * gram ranges of its words side by side instead (`walkGrams`): it reads keys only, intersects
 * them, and reads just the records that hold every word's gram, so a common word (`山田`) next
 * to a rarer one costs key reads, not record reads. (A query whose index prefix matches many
 * rows that its other conditions then reject still reads all of those rows: `山田` with
 * `direction: 'out'` reads the `山田` rows until a page of outgoing ones is full.) The gram strings
 * repeat the time because a multiEntry index cannot have a compound key; the index is the same
 * as in version 2 (no upgrade step: the intersection is a way to read it).
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
/** Keys are cheap to read next to records: a several-word walk reads more of them per round. */
const MAX_KEY_CHUNK = 4000
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
  /**
   * Several word grams: walk their `byWord` ranges together (`walkGrams`) between these key
   * suffixes (`<startedAt>\u0001<callId>`, lower inclusive, upper exclusive) instead of `range`.
   */
  grams?: { grams: string[]; lower: string; upper: string }
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
      const lowerSuffix = pad(from)
      const upperSuffix = after ? `${pad(after[0])}${SEP}${after[1]}` : query.to !== undefined ? pad(query.to) : '\uffff'
      const range = IDBKeyRange.bound(`${plan.gram}${SEP}${lowerSuffix}`, `${plan.gram}${SEP}${upperSuffix}`, false, true)
      const walk: Walk = { index: 'byWord', range, accept: accept(undefined) }
      if (plan.kind === 'text' && plan.grams.length > 1) walk.grams = { grams: plan.grams, lower: lowerSuffix, upper: upperSuffix }
      return walk
    }
    const prefixed = (index: IndexName, prefix: string[], skip: 'result' | 'direction' | 'both' | undefined): Walk => ({
      index,
      range: IDBKeyRange.bound([...prefix, from], after ? [...prefix, ...after] : [...prefix, query.to ?? Infinity], false, true),
      accept: accept(skip),
    })
    if (plan) return prefixed('byRemote', [plan.key], undefined)
    if (query.result !== undefined && query.direction !== undefined) return prefixed('byResultDirection', [query.result, query.direction], 'both')
    if (query.result !== undefined) return prefixed('byResult', [query.result], 'result')
    if (query.direction !== undefined) return prefixed('byDirection', [query.direction], 'direction')
    return {
      index: 'byTime',
      range: IDBKeyRange.bound([from], after ?? [query.to ?? Infinity], false, true),
      accept: accept(undefined),
    }
  }

  /** Whether the walk's index alone decides the query (then `count` needs no records). */
  function exact(query: HistoryQuery, { drive: plan, check }: Plans): boolean {
    if (plan) return plan.kind === 'number' && !check && query.result === undefined && query.direction === undefined
    return true
  }

  /**
   * Visits the records of `w.range`, newest first, until `visit` returns false. Reads in chunks
   * with `getAll` (one request per chunk instead of one per record, several times faster than a
   * value cursor): a key cursor walking backwards finds where a chunk ends (`advance`), `getAll`
   * reads the chunk, and the next chunk ends just before it. Index keys are unique (they end in
   * the call id), so the chunks neither overlap nor leave gaps. Chunks start at `first` records
   * and double up to `MAX_CHUNK` while the walk goes on.
   */
  async function walk(w: Walk, first: number, visit: (record: StoredCall) => boolean): Promise<void> {
    if (w.grams) return walkGrams(w, w.grams, first, visit)
    const index: IDBPIndex<HistorySchema, ['calls'], 'calls', IndexName> = db.transaction('calls').store.index(w.index)
    const { lower, lowerOpen } = w.range
    let upper: unknown = w.range.upper
    let upperOpen = w.range.upperOpen
    for (let chunk = Math.max(1, first); ; chunk = Math.min(chunk * 2, MAX_CHUNK)) {
      const range = IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen)
      const newest = await index.openKeyCursor(range, 'prev')
      if (!newest) return
      const oldest = chunk > 1 ? await newest.advance(chunk - 1) : newest
      const records = await index.getAll(oldest ? IDBKeyRange.bound(oldest.key, upper, false, upperOpen) : range)
      for (let i = records.length - 1; i >= 0; i--) {
        const record = records[i] as StoredCall
        if (w.accept(record) && !visit(record)) return
      }
      if (!oldest) return
      upper = oldest.key
      upperOpen = true
    }
  }

  /**
   * `walk` for several word grams: each round takes, for every gram, its newest `chunk` keys
   * below `upper` (a key cursor's `advance`), narrows the window to the newest of their oldest
   * keys (so no gram has more than `chunk` keys in it), reads the window's call ids of every gram
   * (`getAllKeys`: keys, not records), keeps the ids all grams share, and reads only those
   * records, newest first. The next round ends where this window began. A gram with no key left
   * below `upper` ends the walk: nothing older can hold every word. Chunks double up to
   * `MAX_KEY_CHUNK`.
   */
  async function walkGrams(w: Walk, { grams, lower, upper }: NonNullable<Walk['grams']>, first: number, visit: (record: StoredCall) => boolean): Promise<void> {
    const tx = db.transaction('calls')
    const index = tx.store.index('byWord')
    const range = (gram: string, from: string, to: string) => IDBKeyRange.bound(`${gram}${SEP}${from}`, `${gram}${SEP}${to}`, false, true)
    for (let chunk = Math.max(1, first); ; chunk = Math.min(chunk * 2, MAX_KEY_CHUNK)) {
      let windowStart = lower
      let last = true
      for (const gram of grams) {
        const newest = await index.openKeyCursor(range(gram, windowStart, upper), 'prev')
        if (!newest && windowStart === lower) return
        if (!newest) continue
        const oldest = chunk > 1 ? await newest.advance(chunk - 1) : newest
        if (oldest) {
          windowStart = (oldest.key as string).slice(gram.length + SEP.length)
          last = false
        }
      }
      const lists = await Promise.all(grams.map((gram) => index.getAllKeys(range(gram, windowStart, upper))))
      lists.sort((a, b) => a.length - b.length)
      const [driver = [], ...others] = lists
      const sets = others.map((list) => new Set(list))
      const shared = driver.filter((id) => sets.every((set) => set.has(id))).reverse()
      const records = await Promise.all(shared.map((id) => tx.store.get(id)))
      for (const record of records) if (record && w.accept(record) && !visit(record)) return
      if (last) return
      upper = windowStart
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
      const plans = plansFor(query)
      if (!plans) return { rows: [] }
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
      const plans = plansFor(query)
      if (!plans) return 0
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
