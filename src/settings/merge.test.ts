import { describe, expect, it } from 'vitest'
import { applyLocks, isLocked, lockedConflicts, lockedValuesOf } from './locks'
import { deepMerge } from './merge'
import { getPath, setPath, unsetPath } from './paths'
import { defaultSettings } from './settings'

describe('deepMerge', () => {
  it('merges objects and replaces arrays', () => {
    const base = { ...defaultSettings(), sip: { ...defaultSettings().sip, iceServers: [{ urls: 'stun:a' }] } }
    const merged = deepMerge(base, { sip: { user: '2001', iceServers: [] } })
    expect(merged.sip.user).toBe('2001')
    expect(merged.sip.iceServers).toEqual([])
    expect(merged.popup.size).toBe('standard')
  })

  it('never changes its inputs', () => {
    const base = defaultSettings()
    deepMerge(base, { sip: { user: 'x' } })
    expect(base.sip.user).toBe('')
  })
})

describe('paths', () => {
  it('reads, writes and removes by dotted path without touching the original', () => {
    const doc = { cti: { accesses: { search: { url: 'a' } } }, list: [{ x: 1 }] }
    expect(getPath(doc, 'cti.accesses.search.url')).toBe('a')
    expect(getPath(doc, 'list.0.x')).toBe(1)
    expect(getPath(doc, 'cti.nothing.here')).toBeUndefined()
    expect(setPath(doc, 'cti.accesses.ring.url', 'b')).toEqual({ ...doc, cti: { accesses: { search: { url: 'a' }, ring: { url: 'b' } } } })
    expect(unsetPath(doc, 'cti.accesses.search.url')).toEqual({ ...doc, cti: { accesses: { search: {} } } })
    expect(doc.cti.accesses.search.url).toBe('a')
  })
})

describe('locked keys', () => {
  const locked = ['sip.server', 'cti.accesses', 'cti.extension']
  const provisioned = deepMerge(defaultSettings(), {
    sip: { server: 'wss://pbx/ws' },
    cti: { accesses: { search: { method: 'get-internal', url: 'https://crm/s?tel={TEL}' } } },
  })
  const values = lockedValuesOf(provisioned, locked)

  it('covers the path, the keys below it, and the sections that hold it', () => {
    expect(isLocked(locked, 'sip.server')).toBe(true)
    expect(isLocked(locked, 'cti.accesses.search.url')).toBe(true)
    expect(isLocked(locked, 'cti')).toBe(true)
    expect(isLocked(locked, 'sip.user')).toBe(false)
    expect(isLocked(locked, 'sip.serverName')).toBe(false)
  })

  it('lays the fixed values over any change, including "absent" for a derived key', () => {
    const changed = deepMerge(provisioned, {
      sip: { server: 'wss://evil/ws', user: '2001' },
      cti: { extension: '9999', accesses: { search: { url: 'https://evil/?{TEL}' } } },
    })
    const result = applyLocks(changed, values)
    expect(result.sip.server).toBe('wss://pbx/ws')
    expect(result.sip.user).toBe('2001')
    expect(getPath(result, 'cti.accesses.search.url')).toBe('https://crm/s?tel={TEL}')
    expect(getPath(result, 'cti.extension')).toBeUndefined()
    expect(lockedConflicts(changed, values).sort()).toEqual(['cti.accesses', 'cti.extension', 'sip.server'])
    expect(lockedConflicts(provisioned, values)).toEqual([])
  })
})

describe('inherited names are no paths', () => {
  it('getPath, setPath and unsetPath see own keys only, and never swap a prototype', () => {
    const doc = defaultSettings()
    expect(getPath(doc, 'constructor')).toBeUndefined()
    expect(getPath(doc, 'sip.toString')).toBeUndefined()
    expect(unsetPath(doc, 'toString')).toBe(doc)
    const set = setPath({}, '__proto__.polluted', true) as Record<string, unknown>
    expect(Object.getPrototypeOf(set)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(set)).toEqual(['__proto__'])
  })

  it('deepMerge ignores a `__proto__` key from JSON', () => {
    const merged = deepMerge({ cti: {} }, JSON.parse('{"cti": {"__proto__": {"accesses": {"ring": {"url": "javascript:x"}}}}}')) as { cti: Record<string, unknown> }
    expect(merged.cti.accesses).toBeUndefined()
    expect(Object.getPrototypeOf(merged.cti)).toBe(Object.prototype)
  })
})
