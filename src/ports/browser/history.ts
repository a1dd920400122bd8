import type { AppBadge, HistoryDb } from '../ports'

/**
 * Both load with the history's first use, in one chunk (`history-lazy.ts`): the store's number
 * normalisation (libphonenumber) is not for the first paint, and the badge is only ever set once
 * the store counted the missed calls.
 */
const lazy = () => import('./history-lazy')

export const browserHistoryDb: HistoryDb = {
  open: async () => (await lazy()).openHistoryStore(),
}

export const browserAppBadge: AppBadge = {
  set: (count) => void lazy().then((m) => m.setAppBadge(count)).catch(() => undefined),
}
