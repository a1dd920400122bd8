/**
 * Which stored recordings make room for a new one under `recording.maxMegabytes` (issue 10 §4).
 * Pure: the store (`./store.ts`) applies the plan.
 *
 * Order (stated, and the same everywhere):
 * 1. recordings the CRM already has (`uploaded`), oldest first;
 * 2. only when that is not enough: recordings not uploaded yet, oldest first — and each of these
 *    is returned in `lost`, so the app tells the agent which calls' audio is gone before the CRM
 *    got it. Nothing is ever dropped silently.
 * A recording larger than the whole cap is not stored at all (`fits: false`), and nothing is
 * evicted for it: emptying the store would not make room.
 */

export interface StoredRecordingInfo {
  readonly id: string
  readonly bytes: number
  readonly createdAt: number
  /** The CRM has it (the recording access answered 2xx). */
  readonly uploaded: boolean
}

export interface EvictionPlan {
  /** Whether the new recording can be stored (after `evict`). */
  readonly fits: boolean
  /** Ids to delete, in order. */
  readonly evict: readonly string[]
  /** Of `evict`, the ones the CRM never got: tell the agent. */
  readonly lost: readonly string[]
}

const byAge = (a: StoredRecordingInfo, b: StoredRecordingInfo) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

export function planEviction(stored: readonly StoredRecordingInfo[], incomingBytes: number, capBytes: number): EvictionPlan {
  if (incomingBytes > capBytes) return { fits: false, evict: [], lost: [] }
  let used = stored.reduce((sum, r) => sum + r.bytes, 0)
  const evict: string[] = []
  const lost: string[] = []
  const candidates = [...stored.filter((r) => r.uploaded).sort(byAge), ...stored.filter((r) => !r.uploaded).sort(byAge)]
  for (const recording of candidates) {
    if (used + incomingBytes <= capBytes) break
    evict.push(recording.id)
    if (!recording.uploaded) lost.push(recording.id)
    used -= recording.bytes
  }
  return { fits: used + incomingBytes <= capBytes, evict, lost }
}
