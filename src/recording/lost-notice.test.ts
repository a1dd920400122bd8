import { describe, expect, it } from 'vitest'
import { createLostNotice } from './lost-notice'

function harness(numbers: Record<string, string>) {
  const notices: { kind: string; number: string }[] = []
  const merged: unknown[] = []
  const noticeLost = createLostNotice({
    numberOf: async (id) => numbers[id],
    notify: (n) => notices.push(n),
    mergeMessages: (m) => merged.push(m),
  })
  return { noticeLost, notices, merged }
}

describe('the notice of recordings the size cap removed before the CRM got them', () => {
  it('puts one notice per lost call on the main screen, naming its number (the call id when its row is gone), texts merged once', async () => {
    const { noticeLost, notices, merged } = harness({ c1: '0312345678', c2: '09011112222' })
    await noticeLost([])
    expect([notices, merged]).toEqual([[], []])
    await noticeLost(['c1', 'c2'])
    await noticeLost(['gone'])
    expect(notices).toEqual([
      { kind: 'recording-lost', number: '0312345678' },
      { kind: 'recording-lost', number: '09011112222' },
      { kind: 'recording-lost', number: 'gone' },
    ])
    expect(merged).toHaveLength(1)
    expect(merged[0]).toEqual({
      en: { calls: { notices: { 'recording-lost': expect.stringContaining('{number}') } } },
      ja: { calls: { notices: { 'recording-lost': expect.stringContaining('{number}') } } },
    })
  })
})
