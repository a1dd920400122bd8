import { describe, expect, it } from 'vitest'
import { numberHaystack, planSearch, rowGrams } from './search-keys'

describe('planSearch', () => {
  it.each([
    ['03-1234-5678', { kind: 'digits', gram: 'D:12345678', digits: '0312345678' }],
    ['＋８１ ３ １２３４ ５６７８', { kind: 'digits', gram: 'D:12345678', digits: '81312345678' }],
    ['0312#A1', { kind: 'digits', gram: 'd:0312', digits: '0312' }],
    ['0312345678#A1#B2', { kind: 'digits', gram: 'D:12345678', digits: '0312345678' }],
    ['#A1', { kind: 'text', gram: 't:a1', grams: ['t:a1'], words: ['a1'] }],
    ['5678', { kind: 'digits', gram: 'd:5678', digits: '5678' }],
    ['100', { kind: 'number', key: '100' }],
    ['山田 花子', { kind: 'text', gram: 't:山田', grams: ['t:山田', 't:花子'], words: ['山田', '花子'] }],
    ['山田 存在しない', { kind: 'text', gram: 't:存在', grams: ['t:存在', 't:山田'], words: ['山田', '存在しない'] }],
    ['山田 山田花子', { kind: 'text', gram: 't:山田', grams: ['t:山田'], words: ['山田', '山田花子'] }],
    ['a bb ccc dddd', { kind: 'text', gram: 't:dd', grams: ['t:dd', 't:cc', 't:bb'], words: ['a', 'bb', 'ccc', 'dddd'] }],
    ['株式会社つなぐ', { kind: 'text', gram: 't:株式', grams: ['t:株式'], words: ['株式会社つなぐ'] }],
    ['ＡＣＭＥ', { kind: 'text', gram: 't:ac', grams: ['t:ac'], words: ['acme'] }],
    ['田', { kind: 'text', gram: 't:田', grams: ['t:田'], words: ['田'] }],
    ['12', { kind: 'text', gram: 't:12', grams: ['t:12'], words: ['12'] }],
    ['  ', undefined],
    ['!!!', undefined],
  ])('%j → %j', (text, plan) => {
    expect(planSearch(text)).toEqual(plan)
  })
})

describe('row grams', () => {
  it('holds characters, pairs and digit runs, once each', () => {
    const grams = rowGrams(['山田 山田', undefined], ['0312345678'])
    expect(grams).toEqual(expect.arrayContaining(['t:山', 't:田', 't:山田', 'd:0312', 'd:5678', 'D:03123456', 'D:12345678']))
    expect(grams.filter((g) => g === 't:山田')).toHaveLength(1)
    expect(grams).not.toContain('t:田山')
  })

  it('compares numbers in every form the agent may type', () => {
    expect(numberHaystack('+81312345678#A1', '+81312345678').sort()).toEqual(['0312345678', '81312345678'])
    expect(numberHaystack('anonymous', undefined)).toEqual([])
  })
})
