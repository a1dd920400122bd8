import { describe, expect, it } from 'vitest'
import type { HistoryRow } from './record'
import { rowParties } from './row-parties'

const base: HistoryRow = {
  callId: 'c', direction: 'in', remoteNumber: '0312345678', localNumber: '0501234567', values: {}, startedAt: 0, lastSeenAt: 0,
  durationSeconds: 0, result: 'missed', endedBy: 'remote', cutOff: false,
}

describe('rowParties: a past call\'s placeholders', () => {
  it('incoming: TEL is the caller, CALLED our number, with its codes, {ID} and the phonebook\'s name', () => {
    expect(rowParties({ ...base, code1: 'A1', code2: 'B2', requestId: 'REQ1', sipName: 'Yamada', phonebookName: '山田商店' })).toEqual({
      direction: 'in', tel: '0312345678', code1: 'A1', code2: 'B2', anonymous: false, called: '0501234567', remote: '0312345678',
      telName: '山田商店', calledName: '', requestId: 'REQ1',
    })
  })

  it('outgoing: TEL is our extension, CALLED the number dialled; an anonymous caller has no TEL', () => {
    expect(rowParties({ ...base, direction: 'out', remoteNumber: '0120444444', localNumber: '1001', sipName: 'Help' }))
      .toMatchObject({ direction: 'out', tel: '1001', called: '0120444444', remote: '0120444444', calledName: 'Help', requestId: '' })
    expect(rowParties({ ...base, remoteNumber: '' })).toMatchObject({ tel: '', anonymous: true })
  })
})
