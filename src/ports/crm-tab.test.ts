import { describe, expect, it } from 'vitest'
import { crmTabTarget } from './crm-tab'

describe('crmTabTarget', () => {
  it.each([
    ['crm', 'phone', 'crm'],
    ['phone', 'phone', 'phone-crm'],
    // An empty name (refused by the schema) still never opens into an unnamed, new tab each time.
    ['', 'phone', 'tsunagu-crm-crm'],
    ['', '', 'tsunagu-crm-crm'],
  ])('tab %j seen from a phone tab named %j opens as %j', (tabName, ownName, expected) => {
    expect(crmTabTarget(tabName, ownName)).toBe(expected)
  })
})
