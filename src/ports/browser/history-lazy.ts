/** What the history ports load on first use (see `history.ts`): one chunk. */
export { openHistoryStore } from '@/history/store'

type BadgeNavigator = Navigator & { setAppBadge?: (count?: number) => Promise<void>; clearAppBadge?: () => Promise<void> }

/** Installed web apps show it on their icon; elsewhere the API is missing or refuses: ignored. */
export function setAppBadge(count: number): void {
  const nav = navigator as BadgeNavigator
  try {
    const done = count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.()
    void done?.catch(() => undefined)
  } catch {
    // Not allowed here (not installed, insecure context): the in-page badge is enough.
  }
}
