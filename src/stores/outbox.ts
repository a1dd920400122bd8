import { defineStore } from 'pinia'
import type { AppOutbox } from '@/outbox/app-outbox'
import { usePorts } from '@/ports/ports'

export type { AppOutbox, DeliverySender, DeliveryView } from '@/outbox/app-outbox'

/** The outbox id of a call's history access. */
export const historyDeliveryId = (callId: string) => `history:${callId}`

/**
 * The delivery outbox of this browser (`src/outbox/outbox.ts`): what the CRM is owed for calls
 * (the `history` access), kept in IndexedDB until a 2xx, retried with back-off across reloads.
 *
 * Entries can be added in any tab (they are stored at once); only the tab that holds the line
 * sends: the session store starts it there with its answer to "do I hold the line?", and stops
 * it when the line goes elsewhere. A new leader takes up what the old one left (pending, or
 * `sending` when it died mid-request).
 *
 * Only this handle is in the start bundle; the outbox itself (`src/outbox/app-outbox.ts`, with
 * its IndexedDB and the entries' states) loads on first use: `(await outbox.use()).enqueue(…)`.
 */
export const useOutboxStore = defineStore('outbox', () => {
  const ports = usePorts()
  let outbox: Promise<AppOutbox> | undefined

  function use(): Promise<AppOutbox> {
    outbox ??= import('@/outbox/app-outbox').then((m) => m.createAppOutbox({ outbox: ports.outbox, clock: ports.cti.clock }))
    return outbox
  }

  /** No more sends from this tab (when the outbox never loaded, there is nothing to stop). */
  function stop(): void {
    void outbox?.then((o) => o.stop())
  }

  return { use, stop }
})
