import { describe, expect, it } from 'vitest'
import { BUILTIN_NAMES } from './placeholders'
import { buildVariables, localDateParts } from './variables'

describe('localDateParts', () => {
  it.each([
    ['2025-04-01T00:30:45Z', 540, { year: '2025', month: '04', day: '01', hour: '09', minute: '30', second: '45' }],
    ['2025-12-31T15:00:00Z', 540, { year: '2026', month: '01', day: '01', hour: '00', minute: '00', second: '00' }],
    ['2025-01-01T00:00:00Z', 0, { year: '2025', month: '01', day: '01', hour: '00', minute: '00', second: '00' }],
    ['2025-01-01T03:04:05Z', -300, { year: '2024', month: '12', day: '31', hour: '22', minute: '04', second: '05' }],
  ])('%s at %i min → %j', (iso, offset, parts) => {
    expect(localDateParts(new Date(iso), offset)).toEqual(parts)
  })
})

describe('buildVariables', () => {
  const sources = {
    config: { extension: '1001', serverAddress: 'https://pbx' },
    now: new Date('2025-04-01T00:30:45Z'),
    utcOffsetMinutes: 540,
  }

  it('knows every built-in name, NAME and COMPANY, and every extracted name, outside a call too', () => {
    const variables = buildVariables({ ...sources, knownExtracted: ['SID'], extracted: [] })
    for (const name of [...BUILTIN_NAMES, 'NAME', 'COMPANY', 'SID']) expect(variables.has(name), name).toBe(true)
    expect(variables.get('TEL')).toBe('')
    expect(variables.get('EXT')).toBe('1001')
  })

  it('later extracted sources win; built-ins win over all', () => {
    const variables = buildVariables({ ...sources, knownExtracted: ['SID'], extracted: [{ SID: 'auth', EXT: 'x' }, { SID: 'search' }] })
    expect(variables.get('SID')).toBe('search')
    expect(variables.get('EXT')).toBe('1001')
  })
})
