import type { Lab } from './fixtures'

/**
 * The record of a call as the reload and take-over specs read it: the CRM stand-in's ring,
 * answer and hang-up accesses (each with the call's `{ID}`), and the page's call history read
 * from IndexedDB directly.
 */

/** The CTI custom integration counting ring, answer and hang-up at the CRM stand-in (no search). */
export function eventSettings(lab: Lab) {
  const crm = lab.crm.url
  return {
    agent: { id: 'agent01', password: 'pass01' },
    cti: {
      target: 'custom',
      // The customer is another extension of the lab: not skipped as an internal call.
      skipInternal: false,
      timeoutSeconds: 3,
      accesses: {
        ring: { method: 'get-internal', url: `${crm}/event/ring?tel={TEL}&id={ID}` },
        answer: { method: 'get-internal', url: `${crm}/event/answer?tel={TEL}&id={ID}` },
        hangup: { method: 'get-internal', url: `${crm}/event/hangup?tel={TEL}&id={ID}` },
      },
    },
  }
}

/** The event accesses the CRM stand-in got, in order, as `path?query`. */
export function eventAccesses(lab: Lab): string[] {
  return lab.crm.requests().filter((r) => r.path.startsWith('/event/')).map((r) => `${r.path}?${r.query}`)
}

/** Which events reached the CRM, in order: `/event/ring`, `/event/answer`, `/event/hangup`. */
export const eventPaths = (lab: Lab): string[] => eventAccesses(lab).map((a) => a.split('?')[0]!)

/** The `{ID}` each event access carried, in order. */
export const eventIds = (lab: Lab): (string | null)[] => eventAccesses(lab).map((a) => new URLSearchParams(a.split('?')[1]).get('id'))

/**
 * The call history rows of the page's browser context, read from IndexedDB directly (what a
 * crash leaves): `page.evaluate(historyRows)`. None before the history was first opened.
 */
export function historyRows(): Promise<{ callId: string; result: string; cutOff: boolean; durationSeconds: number }[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tsunagu-history')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      if (!db.objectStoreNames.contains('calls')) {
        db.close()
        resolve([])
        return
      }
      const all = db.transaction('calls').objectStore('calls').getAll()
      all.onsuccess = () => {
        db.close()
        resolve(all.result as never)
      }
      all.onerror = () => {
        db.close()
        reject(all.error)
      }
    }
  })
}
