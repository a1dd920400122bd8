import { describe, expect, it } from 'vitest'
import { planEviction, type StoredRecordingInfo } from './eviction'

const MB = 1024 * 1024
const rec = (id: string, mb: number, createdAt: number, uploaded: boolean): StoredRecordingInfo => ({ id, bytes: mb * MB, createdAt, uploaded })

describe('planEviction: room for a new recording under recording.maxMegabytes', () => {
  const stored = [rec('old-up', 3, 1, true), rec('old-new', 3, 2, false), rec('mid-up', 3, 3, true), rec('new-new', 3, 4, false)]

  it('evicts nothing while the new one fits', () => {
    expect(planEviction(stored, 3 * MB, 15 * MB)).toEqual({ fits: true, evict: [], lost: [] })
  })

  it('evicts uploaded recordings first, oldest first, and loses no un-uploaded one while that is enough', () => {
    expect(planEviction(stored, 7 * MB, 15 * MB)).toEqual({ fits: true, evict: ['old-up', 'mid-up'], lost: [] })
    expect(planEviction(stored, 4 * MB, 15 * MB)).toEqual({ fits: true, evict: ['old-up'], lost: [] })
  })

  it('only then un-uploaded ones, oldest first, each reported as lost', () => {
    expect(planEviction(stored, 9 * MB, 12 * MB)).toEqual({ fits: true, evict: ['old-up', 'mid-up', 'old-new'], lost: ['old-new'] })
  })

  it('a recording larger than the whole cap is not stored, and nothing is evicted for it', () => {
    expect(planEviction(stored, 13 * MB, 12 * MB)).toEqual({ fits: false, evict: [], lost: [] })
  })

  it('ties in age go by id, so every tab plans the same', () => {
    expect(planEviction([rec('b', 1, 5, true), rec('a', 1, 5, true)], 1 * MB, 1 * MB).evict).toEqual(['a', 'b'])
  })
})
