import { describe, expect, it } from 'vitest'
import * as cti from '@/cti'
import { ACCESS_METHODS, ACCESS_NAMES, defaultCtiSettings } from './cti-defaults'
import { deepMerge } from './merge'
import { defaultSettings } from './settings'
import { validateCtiSection, validateDocument } from './validate'

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
    const checked = cti.checkCtiSection(explicit)
    expect(checked.ok && cti.normalizeCtiConfig(checked.section, sip).config).toEqual(cti.defaultCtiConfig(sip))
  })

  it('the document validator and the engine read cti by the one schema: same verdict, same paths', () => {
    const good = { target: 'custom', accesses: { search: { method: 'get-internal', url: 'https://crm/?{TEL}', format: '{NAME}' } } }
    expect(cti.checkCtiSection(good).ok).toBe(true)
    expect(validateDocument(deepMerge(defaultSettings(), { cti: good }), { cti: 'strict' }).errors).toEqual([])
    for (const bad of [{ timeoutSeconds: -1 }, { internalPattern: '[' }, { tabName: '_top' }, { accesses: { ring: { method: 'get' } } }, { accesses: { search: { method: 'get-internal', url: 'x', format: { regex: 'x' } } } }]) {
      const section = validateCtiSection(bad)
      expect(section.ok).toBe(false)
      const document = validateDocument(deepMerge(defaultSettings(), { cti: bad }), { cti: 'strict' }).errors
      expect(section.ok ? [] : section.errors).toEqual(document)
    }
  })
})
