import type { OutboxDb } from '../ports'

/** IndexedDB through `idb`, loaded with the outbox's first use (not in the start bundle). */
export const browserOutboxDb: OutboxDb = {
  open: async () => (await import('@/outbox/idb-storage')).openIdbOutboxStorage(),
  random: () => Math.random(),
}
