import { describe, expect, it } from 'vitest'
import { crmStateOf } from './tab-line'

describe('the CRM state another tab sends for a call', () => {
  it('is taken as text values with a known search state', () => {
    expect(crmStateOf({ searchState: 'done', values: { NAME: '山田 太郎', COMPANY: '<b>x</b>' }, searchFailed: false }))
      .toEqual({ searchState: 'done', values: { NAME: '山田 太郎', COMPANY: '<b>x</b>' }, searchFailed: false })
  })

  it.each([
    ['not an object', 'done'],
    ['null', null],
    ['an unknown search state', { searchState: 'hacked', values: {} }],
    ['values that are no object', { searchState: 'done', values: 'NAME' }],
  ])('is dropped when it is %s', (_what, data) => {
    expect(crmStateOf(data)).toBeUndefined()
  })

  it('keeps only string values (a newer or broken tab may send more)', () => {
    expect(crmStateOf({ searchState: 'failed', values: { NAME: 'A', N: 1, O: { x: 1 } }, searchFailed: true }))
      .toEqual({ searchState: 'failed', values: { NAME: 'A' }, searchFailed: true })
  })
})
