/**
 * The delivery outbox of the `history` and `recording` accesses: each entry is delivered at
 * least once, and never again once the CRM answered 2xx.
 *
 * ```
 *            enqueue                       send → 2xx
 *  (none) ──────────► pending ──send──► sending ─────────► delivered   (never sent again)
 *                       ▲   ▲              │
 *                       │   │  retryable   │ not retryable, or maxAttempts reached
 *                       │   └──(back-off)──┤
 *                       │                  ▼
 *                       └───retryNow── failed-permanent
 *  restart: sending ──► pending (the page died during a send)
 * ```
 *
 * The guarantees rest on the order of the writes: the entry is stored as `sending` (with the
 * attempt counted) before the request goes out, and as `delivered` as soon as a 2xx comes back.
 * A page that dies between the two leaves `sending`; the next outbox over the same storage
 * sends it again. That repeat can duplicate a delivery the CRM received but whose answer we
 * never saw: the one case at-least-once delivery cannot avoid. A CRM that must not record a call
 * twice can key on `{ID}`/the entry id, which stays the same across attempts.
 *
 * Only one runner sends: the outbox asks `isLeader()` before each send (the app answers with
 * the tab that holds the line, e.g. a Web Lock), and one outbox never runs two sends at once.
 * Time, randomness and timers are injected, so tests drive the back-off with a fake clock.
 */

export type OutboxKind = 'history' | 'recording'
export type OutboxState = 'pending' | 'sending' | 'delivered' | 'failed-permanent'

export interface OutboxEntry<P = unknown> {
  /** Stable across attempts; enqueueing an id that exists is a no-op (`history:<callId>`). */
  id: string
  kind: OutboxKind
  /** Structured-cloneable (a recording's Blob included); the sender knows how to send it. */
  payload: P
  state: OutboxState
  attempts: number
  createdAt: number
  updatedAt: number
  /** When the next attempt may start (pending entries). */
  nextAttemptAt: number
  deliveredAt?: number
  /** HTTP status of the last answer, when there was one. */
  lastStatus?: number
  /** Why the last attempt failed, in plain words. */
  lastError?: string
}

/** `ok: true` only for an answer that means the CRM has it (2xx): it is never sent again. */
export type SendResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; reason: string; status?: number }

export type Sender = (entry: OutboxEntry) => Promise<SendResult>

/** Where entries live: IndexedDB in the app (`idb-storage.ts`), a Map in tests. */
export interface OutboxStorage {
  get(id: string): Promise<OutboxEntry | undefined>
  /** Stores a new entry; `false`, changing nothing, when the id exists (atomically: two tabs, one entry). */
  add(entry: OutboxEntry): Promise<boolean>
  put(entry: OutboxEntry): Promise<void>
  /** Entries in these states (all when omitted), any order. */
  list(states?: readonly OutboxState[]): Promise<OutboxEntry[]>
  delete(id: string): Promise<void>
}

export interface OutboxClock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface BackoffOptions {
  /** Delay before the second attempt. Default 5 s. */
  baseMs: number
  /** Growth per attempt. Default 2. */
  factor: number
  /** Longest delay. Default 10 min. */
  maxMs: number
  /** Attempts before `failed-permanent`. Default 30 (about four hours at the defaults). */
  maxAttempts: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, factor: 2, maxMs: 600_000, maxAttempts: 30 }

export interface OutboxOptions {
  storage: OutboxStorage
  send: Sender
  clock: OutboxClock
  /** `[0, 1)`, for the jitter. */
  random: () => number
  /** Whether this tab may send now; asked before every send. */
  isLeader: () => boolean | Promise<boolean>
  backoff?: Partial<BackoffOptions>
  /** Every state change of an entry, for the history view. */
  onChange?: (entry: OutboxEntry) => void
  /** When not the leader, how long until asking again. Default 30 s. */
  leaderPollMs?: number
}

/**
 * Delay after failed attempt `attempts` (1-based): `min(maxMs, baseMs · factor^(attempts−1))`,
 * of which a random half is taken away ("equal jitter"), so tabs and agents that failed together
 * do not retry together, and no retry comes sooner than half the nominal delay.
 */
export function backoffDelay(attempts: number, random: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const nominal = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempts - 1))
  return Math.round(nominal / 2 + (nominal / 2) * random)
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

export class Outbox {
  private readonly backoff: BackoffOptions
  private timer: unknown
  private timerAt = Infinity
  private running: Promise<void> | undefined
  private again = false
  private stopped = true
  /** Whether this outbox, as the leader, has taken up the entries a dead page left `sending`. */
  private recovered = false
  private lock: Promise<void> = Promise.resolve()
  private readonly inFlight = new Set<string>()

  constructor(private readonly options: OutboxOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff }
  }

  /**
   * Starts sending. Entries left `sending` by a page that died are taken up again by the first
   * pass that finds this tab the leader (and sent again: see the module comment).
   */
  async start(): Promise<void> {
    this.stopped = false
    await this.run()
  }

  /** No more sends or timers (a send in flight finishes and is recorded). */
  stop(): void {
    this.stopped = true
    this.clearTimer()
  }

  /** Adds an entry, unless one with this id exists (then returns that one, whatever its state). */
  async enqueue<P>(id: string, kind: OutboxKind, payload: P): Promise<OutboxEntry<P>> {
    const now = this.options.clock.now()
    const entry: OutboxEntry<P> = { id, kind, payload, state: 'pending', attempts: 0, createdAt: now, updatedAt: now, nextAttemptAt: now }
    if (!(await this.options.storage.add(entry))) return ((await this.options.storage.get(id)) ?? entry) as OutboxEntry<P>
    this.options.onChange?.(entry)
    void this.run()
    return entry
  }

  /** Sends a pending or permanently failed entry now (its attempt budget starts over). */
  async retryNow(id: string): Promise<OutboxEntry | undefined> {
    const retried = await this.serial(async () => {
      const entry = await this.options.storage.get(id)
      if (!entry || entry.state === 'delivered' || entry.state === 'sending') return entry
      const now = this.options.clock.now()
      const next: OutboxEntry = { ...entry, state: 'pending', nextAttemptAt: now, updatedAt: now, attempts: entry.state === 'failed-permanent' ? 0 : entry.attempts }
      await this.save(next)
      return next
    })
    if (retried?.state !== 'pending') return retried
    await this.run()
    return (await this.options.storage.get(id)) ?? retried
  }

  /** Resolves when no run is going on (tests, and a view that wants settled states). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running
  }

  get(id: string): Promise<OutboxEntry | undefined> {
    return this.options.storage.get(id)
  }

  list(states?: readonly OutboxState[]): Promise<OutboxEntry[]> {
    return this.options.storage.list(states)
  }

  /**
   * Sends every due entry, one at a time, then sets a timer for the next one. Calls while a run
   * is going on make it look again when done, so there is never more than one run.
   */
  run(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.pass()
        } while (this.again && !this.stopped)
      } finally {
        this.running = undefined
      }
    })()
    return this.running
  }

  private async pass(): Promise<void> {
    if (this.stopped) return
    const { clock, storage } = this.options
    let open = await storage.list(['pending', 'sending'])
    if (open.length === 0) return
    if (!(await this.options.isLeader())) {
      this.recovered = false
      this.schedule(clock.now() + (this.options.leaderPollMs ?? 30_000))
      return
    }
    if (!this.recovered) {
      // The leader that wrote these is gone (a tab that lost the lock, or this page before a reload).
      this.recovered = true
      const now = clock.now()
      for (const entry of open.filter((e) => e.state === 'sending' && !this.inFlight.has(e.id))) {
        await this.save({ ...entry, state: 'pending', nextAttemptAt: now, updatedAt: now, lastError: entry.lastError ?? 'interrupted' })
      }
      open = await storage.list(['pending'])
    }
    const due = open.filter((e) => e.state === 'pending').sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
    for (const entry of due) {
      if (this.stopped) return
      if (entry.nextAttemptAt > clock.now()) break
      if (!(await this.options.isLeader())) {
        this.recovered = false
        this.schedule(clock.now() + (this.options.leaderPollMs ?? 30_000))
        return
      }
      await this.attempt(entry)
    }
    const next = (await storage.list(['pending'])).reduce((min, e) => Math.min(min, e.nextAttemptAt), Infinity)
    this.schedule(next)
  }

  private async attempt(queued: OutboxEntry): Promise<void> {
    const { clock, storage } = this.options
    // Read again, and claim it in the same step: retryNow or a restart may have moved it on.
    const sending = await this.serial(async () => {
      const current = await storage.get(queued.id)
      if (current?.state !== 'pending' || current.nextAttemptAt > clock.now()) return undefined
      const claimed: OutboxEntry = { ...current, state: 'sending', attempts: current.attempts + 1, updatedAt: clock.now() }
      await this.save(claimed)
      return claimed
    })
    if (!sending) return
    let result: SendResult
    this.inFlight.add(sending.id)
    try {
      result = await this.options.send(sending)
    } catch (error) {
      result = { ok: false, retryable: true, reason: describe(error) }
    } finally {
      this.inFlight.delete(sending.id)
    }
    const now = clock.now()
    if (result.ok) {
      const { lastError: _, ...rest } = sending
      await this.save({ ...rest, state: 'delivered', deliveredAt: now, updatedAt: now, lastStatus: result.status })
      return
    }
    const permanent = !result.retryable || sending.attempts >= this.backoff.maxAttempts
    const failed: OutboxEntry = {
      ...sending,
      state: permanent ? 'failed-permanent' : 'pending',
      updatedAt: now,
      lastError: result.reason,
      nextAttemptAt: permanent ? sending.nextAttemptAt : now + backoffDelay(sending.attempts, this.options.random(), this.backoff),
    }
    if (result.status !== undefined) failed.lastStatus = result.status
    else delete failed.lastStatus
    await this.save(failed)
  }

  private schedule(at: number): void {
    if (this.stopped || at === Infinity) {
      this.clearTimer()
      return
    }
    if (this.timer !== undefined && this.timerAt <= at) return
    this.clearTimer()
    this.timerAt = at
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      void this.run()
    }, Math.max(0, at - this.options.clock.now()))
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
  }

  /** Runs read-then-write steps on entries one after the other. */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const result = this.lock.then(step)
    this.lock = result.then(() => undefined, () => undefined)
    return result
  }

  private async save(entry: OutboxEntry): Promise<void> {
    await this.options.storage.put(entry)
    this.options.onChange?.(entry)
  }
}

/** Storage in memory, for tests: copies on the way in and out, as IndexedDB would. */
export class MemoryOutboxStorage implements OutboxStorage {
  readonly entries = new Map<string, OutboxEntry>()

  async get(id: string) {
    const entry = this.entries.get(id)
    return entry && structuredClone(entry)
  }

  async add(entry: OutboxEntry) {
    if (this.entries.has(entry.id)) return false
    this.entries.set(entry.id, structuredClone(entry))
    return true
  }

  async put(entry: OutboxEntry) {
    this.entries.set(entry.id, structuredClone(entry))
  }

  async list(states?: readonly OutboxState[]) {
    return [...this.entries.values()].filter((e) => !states || states.includes(e.state)).map((e) => structuredClone(e))
  }

  async delete(id: string) {
    this.entries.delete(id)
  }
}
