/**
 * The app's outbox, loaded on first use by `src/stores/outbox.ts` (a lazy chunk: the store in
 * the start bundle keeps only the entries' states). It adapts the ports to the outbox core (the
 * CTI clock; IndexedDB, or memory where the browser refuses it; the jitter's randomness), keeps
 * the senders of each kind, and writes every state change into the store's `entries`.
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
}

export async function createAppOutbox(
  ports: { outbox: OutboxDb; clock: ClockPort },
  entries: { value: Readonly<Record<string, DeliveryView>> },
): Promise<AppOutbox> {
  const senders = new Map<OutboxKind, DeliverySender>()
  let leader: () => boolean = () => false
  const note = (entry: OutboxEntry | undefined) => {
    if (entry) entries.value = { ...entries.value, [entry.id]: deliveryView(entry) }
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
      const next = { ...entries.value }
      for (const entry of found) if (entry) next[entry.id] = deliveryView(entry)
      entries.value = next
    },
    settled: () => outbox.whenIdle(),
  }
}
