/**
 * The app's outbox, loaded on first use by `src/stores/outbox.ts` (a lazy chunk: the store in
 * the start bundle keeps only the entries' states). It adapts the ports to the outbox core (the
 * CTI clock; IndexedDB, or memory where the browser refuses it; the jitter's randomness), keeps
 * the senders of each kind, and the states of the entries this tab has seen (the history view
 * watches them).
 */
import type { ClockPort } from '@/cti/ports'
import type { OutboxDb } from '@/ports/ports'
import { MemoryOutboxStorage, Outbox, type OutboxEntry, type OutboxKind, type SendResult } from './outbox'

/** What the history view shows of an entry: its state, not its payload. */
export type DeliveryView = Pick<OutboxEntry, 'id' | 'kind' | 'state' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt'>

/** Sends one entry of a kind (the CTI store sends `history`). */
export type DeliverySender = (entry: OutboxEntry) => Promise<SendResult>

export function deliveryView(entry: OutboxEntry): DeliveryView {
  const { id, kind, state, attempts, nextAttemptAt, lastStatus, lastError, deliveredAt } = entry
  return {
    id, kind, state, attempts, nextAttemptAt,
    ...(lastStatus === undefined ? {} : { lastStatus }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(deliveredAt === undefined ? {} : { deliveredAt }),
  }
}

export interface AppOutbox {
  /** The sender of a kind; `undefined` removes it (its entries wait, retried later). */
  setSender(kind: OutboxKind, sender: DeliverySender | undefined): void
  /** Starts sending in this tab (it holds the line): entries left by earlier pages first. */
  start(isLeader: () => boolean): Promise<void>
  stop(): void
  /** Stores an entry (once per id: a second enqueue of the same id changes nothing). */
  enqueue(id: string, kind: OutboxKind, payload: unknown): Promise<void>
  /** The agent's "retry now": a pending or failed entry is sent at once (by the leader). */
  retryNow(id: string): Promise<void>
  /** Reads the states of these entries into `entries` (the history view's page). */
  load(ids: readonly string[]): Promise<void>
  /** Waits for the sends in progress (tests). */
  settled(): Promise<void>
  /** The states of the entries this tab has seen (sent, enqueued or looked up), by id. */
  entries(): Readonly<Record<string, DeliveryView>>
  /** Tells of every change of `entries()`; returns the unsubscribe function. */
  watch(listener: () => void): () => void
}

export async function createAppOutbox(ports: { outbox: OutboxDb; clock: ClockPort }): Promise<AppOutbox> {
  const senders = new Map<OutboxKind, DeliverySender>()
  const listeners = new Set<() => void>()
  let known: Readonly<Record<string, DeliveryView>> = {}
  let leader: () => boolean = () => false
  const changed = (next: Readonly<Record<string, DeliveryView>>) => {
    known = next
    for (const listener of listeners) listener()
  }
  const note = (entry: OutboxEntry | undefined) => {
    if (entry) changed({ ...known, [entry.id]: deliveryView(entry) })
  }
  // Private mode or a broken database: deliveries still go out, in memory for this page.
  const storage = await ports.outbox.open().catch(() => new MemoryOutboxStorage())
  const { clock } = ports
  const outbox = new Outbox({
    storage,
    send: (entry) => senders.get(entry.kind)?.(entry) ?? Promise.resolve({ ok: false, retryable: true, reason: 'not-ready' }),
    clock: { now: () => clock.now().getTime(), setTimeout: (work, ms) => clock.setTimeout(work, ms), clearTimeout: (handle) => clock.clearTimeout(handle) },
    random: () => ports.outbox.random(),
    isLeader: () => leader(),
    onChange: note,
  })
  return {
    setSender(kind, sender) {
      if (sender) senders.set(kind, sender)
      else senders.delete(kind)
    },
    async start(isLeader) {
      leader = isLeader
      await outbox.start()
    },
    stop() {
      leader = () => false
      outbox.stop()
    },
    async enqueue(id, kind, payload) {
      note(await outbox.enqueue(id, kind, payload))
    },
    async retryNow(id) {
      note(await outbox.retryNow(id))
    },
    async load(ids) {
      const found = await Promise.all(ids.map((id) => outbox.get(id)))
      const next = { ...known }
      for (const entry of found) if (entry) next[entry.id] = deliveryView(entry)
      changed(next)
    },
    settled: () => outbox.whenIdle(),
    entries: () => known,
    watch(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
