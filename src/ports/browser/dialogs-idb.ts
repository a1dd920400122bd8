/**
 * The dialogs kept across page loads (issue 12) in IndexedDB through `idb`: one record per
 * call, keyed by our call id, written at every change of the call and removed when it ends.
 */
import { openDB, type DBSchema } from 'idb'
import type { DialogStore } from '../ports'

interface DialogSchema extends DBSchema {
  dialogs: { key: string; value: { callId: string } }
}

export async function openDialogStore(name = 'tsunagu-dialogs'): Promise<DialogStore> {
  const db = await openDB<DialogSchema>(name, 1, {
    upgrade(database) {
      database.createObjectStore('dialogs', { keyPath: 'callId' })
    },
  })
  return {
    list: () => db.getAll('dialogs'),
    async put(record) {
      // JSON by contract: no Vue proxy or class instance reaches the structured clone.
      await db.put('dialogs', JSON.parse(JSON.stringify(record)) as { callId: string })
    },
    delete: (callId) => db.delete('dialogs', callId),
  }
}
