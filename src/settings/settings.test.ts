import { describe, expect, it } from 'vitest'
import { deepMerge, defaultSettings, parseSettings } from './settings'

describe('parseSettings', () => {
  it('accepts the minimal provisioning form of the foundation', () => {
    const result = parseSettings({ version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } })
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.settings.sip.user).toBe('1001')
      expect(result.settings.popup.anonymousLabel).toBe('非通知')
    }
  })

  it.each([
    [{ sip: { server: 'http://pbx' } }, 'sip.server'],
    [{ sip: { user: 1001 } }, 'sip.user'],
    [{ version: 2 }, 'version'],
    [{ sip: { iceServers: 'stun:x' } }, 'sip.iceServers'],
  ])('names the wrong field in %j', (input, path) => {
    const result = parseSettings(input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors.map((e) => e.path)).toContain(path)
  })

  it('rejects a non-object', () => {
    expect(parseSettings('[]').ok).toBe(false)
  })
})

describe('deepMerge', () => {
  it('merges objects and replaces arrays', () => {
    const base = { ...defaultSettings(), sip: { ...defaultSettings().sip, iceServers: [{ urls: 'stun:a' }] } }
    const merged = deepMerge(base, { sip: { user: '2001', iceServers: [] } })
    expect(merged.sip.user).toBe('2001')
    expect(merged.sip.iceServers).toEqual([])
    expect(merged.popup.size).toBe('standard')
  })
})
