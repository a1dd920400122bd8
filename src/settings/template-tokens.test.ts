import { describe, expect, it } from 'vitest'
import { templateTokenNames } from './template-tokens'

describe('templateTokenNames', () => {
  it('lists the built-in names, then NAME, COMPANY and what the formats extract, built-ins not twice', () => {
    const { builtin, extracted } = templateTokenNames(['{SID}', { json: { NAME: '/n', TEL: '/t', RANK: '/r' } }])
    expect(builtin).toContain('TEL')
    expect(extracted).toEqual(['NAME', 'COMPANY', 'SID', 'RANK'])
  })

  it('skips a format that is being typed and cannot be read yet', () => {
    expect(templateTokenNames([{ regex: '(' }, 42, null]).extracted).toEqual(['NAME', 'COMPANY'])
  })
})
