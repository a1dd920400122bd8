import type { AppBadge, HistoryDb } from '../ports'

/** The history store loads with its first use (libphonenumber is ~40 KB; not for the first paint). */
export const browserHistoryDb: HistoryDb = {
  open: async () => (await import('@/history/store')).openHistoryStore(),
}

type BadgeNavigator = Navigator & { setAppBadge?: (count?: number) => Promise<void>; clearAppBadge?: () => Promise<void> }

/** Installed web apps show it on their icon; elsewhere the API is missing or refuses: ignored. */
export const browserAppBadge: AppBadge = {
  set(count) {
    const nav = navigator as BadgeNavigator
    try {
      const done = count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.()
      void done?.catch(() => undefined)
    } catch {
      // Not allowed here (not installed, insecure context): the in-page badge is enough.
    }
  },
}
