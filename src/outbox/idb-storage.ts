/**
 * The outbox's entries in IndexedDB (through `idb`), so they survive reloads and browser
 * restarts and every tab of the origin sees the same outbox. An index on `state` lists the
 * open entries without reading the delivered ones.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { OutboxEntry, OutboxState, OutboxStorage } from './outbox'

interface OutboxSchema extends DBSchema {
  entries: {
    key: string
    value: OutboxEntry
    indexes: { byState: OutboxState }
  }
}

const STATES: readonly OutboxState[] = ['pending', 'sending', 'delivered', 'failed-permanent']

export interface IdbOutboxStorage extends OutboxStorage {
  close(): void
}

export async function openIdbOutboxStorage(name = 'tsunagu-outbox'): Promise<IdbOutboxStorage> {
  const db: IDBPDatabase<OutboxSchema> = await openDB<OutboxSchema>(name, 1, {
    upgrade(database) {
      database.createObjectStore('entries', { keyPath: 'id' }).createIndex('byState', 'state')
    },
  })
  return {
    get: (id) => db.get('entries', id),
    async add(entry) {
      const tx = db.transaction('entries', 'readwrite')
      if ((await tx.store.getKey(entry.id)) !== undefined) return false
      await tx.store.add(entry)
      await tx.done
      return true
    },
    async put(entry) {
      await db.put('entries', entry)
    },
    async list(states = STATES) {
      const tx = db.transaction('entries')
      const lists = await Promise.all(states.map((state) => tx.store.index('byState').getAll(state)))
      return lists.flat()
    },
    delete: (id) => db.delete('entries', id),
    close: () => db.close(),
  }
}
