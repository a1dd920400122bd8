import { describe, expect, it } from 'vitest'
import * as cti from '@/cti'
import { ACCESS_METHODS, ACCESS_NAMES, defaultCtiSettings } from './cti-defaults'
import { deepMerge } from './merge'
import { defaultSettings } from './settings'
import { validateDocument } from './validate'

describe('the settings copy of the CTI names and defaults', () => {
  it('equals the engine’s', () => {
    expect(ACCESS_NAMES).toEqual(cti.ACCESS_NAMES)
    expect(ACCESS_METHODS).toEqual(cti.ACCESS_METHODS)
    const engine = cti.defaultCtiConfig()
    // Derived keys are "empty = derive" here; the engine derives them from sip.*.
    expect({ ...defaultCtiSettings(), extension: engine.extension, serverAddress: engine.serverAddress, requestIdHeader: undefined, calledHeader: undefined })
      .toEqual({ ...engine, requestIdHeader: undefined, calledHeader: undefined })
  })

  it('the editor’s full defaults mean the same to the engine as no cti section at all', () => {
    const sip = { user: '1001', server: 'wss://pbx.example.com/ws' }
    const { extension: _e, serverAddress: _s, ...explicit } = defaultCtiSettings()
    const normalized = cti.normalizeCtiConfig(explicit, sip)
    expect(normalized.ok && normalized.config).toEqual(cti.defaultCtiConfig(sip))
  })

  it('documents the engine accepts are valid here, and the engine’s errors are errors here', () => {
    const good = { target: 'custom', accesses: { search: { method: 'get-internal', url: 'https://crm/?{TEL}', format: '{NAME}' } } }
    expect(cti.normalizeCtiConfig(good, { user: '', server: '' }).ok).toBe(true)
    expect(validateDocument(deepMerge(defaultSettings(), { cti: good }), { cti: 'strict' }).errors).toEqual([])
    for (const bad of [{ timeoutSeconds: -1 }, { internalPattern: '[' }, { tabName: '_top' }, { accesses: { ring: { method: 'get' } } }]) {
      expect(cti.normalizeCtiConfig(bad, { user: '', server: '' }).ok).toBe(false)
      expect(validateDocument(deepMerge(defaultSettings(), { cti: bad }), { cti: 'strict' }).errors).not.toEqual([])
    }
  })
})
