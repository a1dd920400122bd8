import { describe, expect, it } from 'vitest'
import { lockedValuesOf } from './locks'
import { deepMerge } from './merge'
import { defaultSettings } from './settings'
import { exportDocument, importDocument } from './transfer'

const current = deepMerge(defaultSettings(), {
  sip: { server: 'wss://pbx/ws', domain: 'pbx', user: '1001', password: 'sip-secret' },
  agent: { id: 'agent01', password: 'agent-secret' },
  popup: { size: 'large' },
  locked: ['sip.server'],
})
const locks = lockedValuesOf(current, current.locked)

describe('exportDocument', () => {
  it('leaves out both passwords unless asked', () => {
    const plain = exportDocument(current, false)
    expect(plain).not.toContain('sip-secret')
    expect(plain).not.toContain('agent-secret')
    const doc = JSON.parse(plain)
    expect(doc.sip).not.toHaveProperty('password')
    expect(doc.agent).toEqual({ id: 'agent01' })
    expect(doc.sip.user).toBe('1001')
    expect(JSON.parse(exportDocument(current, true)).sip.password).toBe('sip-secret')
  })
})

describe('importDocument (import errors)', () => {
  it.each([
    ['broken JSON', '{"sip": ', '', 'json'],
    ['not an object', '[1, 2]', '', 'object'],
    ['a wrong value', '{"sip": {"server": "http://pbx"}}', 'sip.server', 'ws-url'],
    ['a wrong CTI value', '{"cti": {"accesses": {"search": {"method": "get-internal", "url": ""}}}}', 'cti.accesses.search.url', 'url-required'],
    ['a newer format', '{"version": 3}', 'version', 'version'],
  ])('refuses %s and names the field', (_name, text, path, code) => {
    const result = importDocument(current, text, locks)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors.map((e) => [e.path, e.code])).toContainEqual([path, code])
  })

  it('a round trip without passwords keeps this browser’s passwords', () => {
    const result = importDocument(current, exportDocument(deepMerge(current, { popup: { size: 'hidden' } }), false), locks)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.settings.popup.size).toBe('hidden')
    expect(result.settings.sip.password).toBe('sip-secret')
    expect(result.settings.agent.password).toBe('agent-secret')
    expect(result.keptLocked).toEqual([])
  })

  it('never changes locked keys or the lock list, and says which were kept', () => {
    const result = importDocument(current, JSON.stringify({ sip: { server: 'wss://evil/ws', user: '2001' }, locked: [] }), locks)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.settings.sip.server).toBe('wss://pbx/ws')
    expect(result.settings.sip.user).toBe('2001')
    expect(result.settings.locked).toEqual(['sip.server'])
    expect(result.keptLocked).toEqual(['sip.server'])
  })
})
