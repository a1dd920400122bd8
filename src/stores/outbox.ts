import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { Outbox, OutboxEntry, OutboxKind, SendResult } from '@/outbox/outbox'
import { usePorts } from '@/ports/ports'

/** Sends one entry of a kind (the CTI store sends `history`). */
export type DeliverySender = (entry: OutboxEntry) => Promise<SendResult>

/** What the history view shows of an entry: its state, not its payload. */
export type DeliveryView = Pick<OutboxEntry, 'id' | 'kind' | 'state' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt'>

const view = (entry: OutboxEntry): DeliveryView => {
  const { id, kind, state, attempts, nextAttemptAt, lastStatus, lastError, deliveredAt } = entry
  return {
    id, kind, state, attempts, nextAttemptAt,
    ...(lastStatus === undefined ? {} : { lastStatus }),
    ...(lastError === undefined ? {} : { lastError }),
    ...(deliveredAt === undefined ? {} : { deliveredAt }),
  }
}

/** The outbox id of a call's history access. */
export const historyDeliveryId = (callId: string) => `history:${callId}`

/**
 * The delivery outbox of this browser (`src/outbox/outbox.ts`): what the CRM is owed for calls
 * (the `history` access), kept in IndexedDB until a 2xx, retried with back-off across reloads.
 *
 * Entries can be added in any tab state (they are stored at once); only the tab that holds the
 * line sends: the session store calls {@link start} there with its answer to "do I hold the
 * line?", and {@link stop} when the line goes elsewhere. A new leader takes up what the old one
 * left (pending, or `sending` when it died mid-request).
 *
 * The outbox code and its IndexedDB load on first use: not in the start bundle.
 */
export const useOutboxStore = defineStore('outbox', () => {
  const ports = usePorts()
  /** States of the entries this tab has seen (sent, enqueued or looked up), by id. */
  const entries = shallowRef<Readonly<Record<string, DeliveryView>>>({})
  const senders = new Map<OutboxKind, DeliverySender>()
  let outbox: Promise<Outbox> | undefined
  let leader: () => boolean = () => false

  function note(entry: OutboxEntry): void {
    entries.value = { ...entries.value, [entry.id]: view(entry) }
  }

  function instance(): Promise<Outbox> {
    const clock = ports.cti.clock
    outbox ??= Promise.all([
      import('@/outbox/outbox'),
      // Private mode or a broken database: deliveries still go out, in memory for this page.
      ports.outbox.open().catch(async () => new (await import('@/outbox/outbox')).MemoryOutboxStorage()),
    ]).then(([m, storage]) => new m.Outbox({
      storage,
      send: (entry) => senders.get(entry.kind)?.(entry) ?? Promise.resolve({ ok: false, retryable: true, reason: 'not-ready' }),
      clock: { now: () => clock.now().getTime(), setTimeout: (work, ms) => clock.setTimeout(work, ms), clearTimeout: (handle) => clock.clearTimeout(handle) },
      random: () => ports.outbox.random(),
      isLeader: () => leader(),
      onChange: note,
    }))
    return outbox
  }

  /** The CTI store's sender for its kind; `undefined` removes it (entries wait, retried later). */
  function setSender(kind: OutboxKind, sender: DeliverySender | undefined): void {
    if (sender) senders.set(kind, sender)
    else senders.delete(kind)
  }

  /** Starts sending in this tab (it holds the line): entries left by earlier pages first. */
  async function start(isLeader: () => boolean): Promise<void> {
    leader = isLeader
    await (await instance()).start()
  }

  function stop(): void {
    leader = () => false
    void outbox?.then((o) => o.stop())
  }

  /** Stores an entry (once per id: a second enqueue of the same id changes nothing). */
  async function enqueue<P>(id: string, kind: OutboxKind, payload: P): Promise<void> {
    note(await (await instance()).enqueue(id, kind, payload))
  }

  /** The agent's "retry now": a pending or failed entry is sent at once (by the leader). */
  async function retryNow(id: string): Promise<void> {
    const entry = await (await instance()).retryNow(id)
    if (entry) note(entry)
  }

  /** Reads the states of these entries (the history view's page). */
  async function load(ids: readonly string[]): Promise<void> {
    const box = await instance()
    const found = await Promise.all(ids.map((id) => box.get(id)))
    const next = { ...entries.value }
    for (const entry of found) if (entry) next[entry.id] = view(entry)
    entries.value = next
  }

  /** Waits for the sends in progress (tests). */
  async function settled(): Promise<void> {
    await (await instance()).whenIdle()
  }

  return { entries, setSender, start, stop, enqueue, retryNow, load, settled }
})
