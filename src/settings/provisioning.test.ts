import { describe, expect, it } from 'vitest'
import { canonicalJson, documentHash } from './document-hash'
import { deepMerge } from './merge'
import { applyProvisioning, decodeBase64Url, encodeBase64Url, provisioningSource } from './provisioning'
import { defaultSettings } from './settings'

const now = new Date('2026-04-01T09:00:00Z')

describe('provisioningSource', () => {
  it('reads ?config= first, then #config=', () => {
    expect(provisioningSource('https://phone/?config=https%3A%2F%2Fit%2Fa.json#config=e30')).toEqual({ kind: 'url', url: 'https://it/a.json' })
    const inline = encodeBase64Url(JSON.stringify({ sip: { user: '山田' } }))
    expect(provisioningSource(`https://phone/#config=${inline}`)).toEqual({ kind: 'inline', label: '#config', text: '{"sip":{"user":"山田"}}' })
    expect(provisioningSource('https://phone/#config=***')).toMatchObject({ kind: 'inline-invalid' })
    expect(provisioningSource('https://phone/?dial=0312345678')).toBeUndefined()
  })

  it('decodes base64url with or without padding, and refuses what is not', () => {
    expect(decodeBase64Url('eyJhIjoxfQ')).toBe('{"a":1}')
    expect(decodeBase64Url('eyJhIjoxfQ==')).toBe('{"a":1}')
    expect(decodeBase64Url('a')).toBeUndefined()
    expect(decodeBase64Url('/w')).toBeUndefined() // 0xff is no UTF-8
  })
})

describe('documentHash', () => {
  it('ignores key order and white space', async () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}')
    expect(await documentHash({ a: 1, b: 2 })).toBe(await documentHash(JSON.parse('{ "b": 2, "a": 1 }')))
    expect(await documentHash({ a: 1 })).not.toBe(await documentHash({ a: 2 }))
  })
})

describe('applyProvisioning', () => {
  const doc = {
    version: 1,
    sip: { server: 'wss://pbx/ws', domain: 'pbx', user: '1001' },
    popup: { anonymousLabel: 'ひつうち' },
    cti: { numbers: ['0501111', '0502222'] },
    locked: ['sip.server', 'call.dnd'],
  }

  it('applies a new document: objects merge, arrays replace, locks recorded', () => {
    const saved = deepMerge(defaultSettings(), { sip: { displayName: 'Mine' }, cti: { numbers: ['0'] } })
    const applied = applyProvisioning(saved, doc, 'h1', 'https://it/a.json', undefined, now)
    expect(applied.changed).toBe(true)
    expect(applied.settings.sip).toMatchObject({ server: 'wss://pbx/ws', user: '1001', displayName: 'Mine' })
    expect(applied.settings.cti.numbers).toEqual(['0501111', '0502222'])
    expect(applied.settings.locked).toEqual(['sip.server', 'call.dnd'])
    expect(applied.provisioning).toEqual({
      hash: 'h1', source: 'https://it/a.json', appliedAt: now.toISOString(),
      locked: [{ path: 'sip.server', value: 'wss://pbx/ws' }, { path: 'call.dnd', value: false }],
      trust: 'it',
    })
  })

  it('keeps the agent’s change of an unlocked field when the same document comes again, but re-applies locked ones', () => {
    const first = applyProvisioning(defaultSettings(), doc, 'h1', 'u', undefined, now)
    const edited = deepMerge(first.settings, { popup: { anonymousLabel: 'Anonymous' }, sip: { server: 'wss://other/ws' }, call: { dnd: true } })
    const again = applyProvisioning(edited, doc, 'h1', 'u', first.provisioning, new Date('2026-04-02T00:00:00Z'))
    expect(again.changed).toBe(false)
    expect(again.settings.popup.anonymousLabel).toBe('Anonymous')
    expect(again.settings.sip.server).toBe('wss://pbx/ws')
    expect(again.settings.call.dnd).toBe(false)
    expect(again.provisioning.appliedAt).toBe(now.toISOString())
  })

  it('applies a changed document over the agent’s changes', () => {
    const first = applyProvisioning(defaultSettings(), doc, 'h1', 'u', undefined, now)
    const edited = deepMerge(first.settings, { popup: { anonymousLabel: 'Anonymous', size: 'large' } })
    const next = applyProvisioning(edited, { ...doc, locked: [] }, 'h2', 'u', first.provisioning, now)
    expect(next.changed).toBe(true)
    expect(next.settings.popup).toMatchObject({ anonymousLabel: 'ひつうち', size: 'large' })
    expect(next.settings.locked).toEqual([])
  })
})

describe('applyProvisioning: trust order (it > link)', () => {
  const it_ = { sip: { server: 'wss://pbx/ws' }, cti: { target: 'custom' }, locked: ['sip.server', 'cti'] }
  const attack = { sip: { server: 'wss://evil/ws' }, cti: { target: 'none' }, popup: { size: 'large' }, locked: [] }

  it('a link cannot unlock or change what IT locked; its unlocked keys apply', () => {
    const first = applyProvisioning(defaultSettings(), it_, 'h1', 'https://it/a.json', undefined, now, 'it')
    expect(first.provisioning.trust).toBe('it')
    const next = applyProvisioning(first.settings, attack, 'h2', '#config', first.provisioning, now, 'link')
    expect(next.settings.sip.server).toBe('wss://pbx/ws')
    expect(next.settings.cti).toEqual({ target: 'custom' })
    expect(next.settings.locked).toEqual(['sip.server', 'cti'])
    expect(next.settings.popup.size).toBe('large')
    expect(next.keptLocked).toEqual(['sip.server', 'cti', 'locked'])
    expect(next.provisioning).toMatchObject({ trust: 'it', source: 'https://it/a.json', hash: 'h2', locked: first.provisioning.locked })
    // And it stays so at the next start with the same link.
    const again = applyProvisioning(next.settings, attack, 'h2', '#config', next.provisioning, now, 'link')
    expect(again.settings.sip.server).toBe('wss://pbx/ws')
  })

  it('a document of equal trust replaces the locks; IT replaces a link’s locks', () => {
    const first = applyProvisioning(defaultSettings(), it_, 'h1', 'u', undefined, now, 'it')
    const unlocked = applyProvisioning(first.settings, { locked: [] }, 'h2', 'https://it/b.json', first.provisioning, now, 'it')
    expect(unlocked.settings.locked).toEqual([])
    expect(unlocked.keptLocked).toEqual([])
    const byLink = applyProvisioning(defaultSettings(), { locked: ['popup.size'] }, 'h1', '#config', undefined, now, 'link')
    expect(byLink.provisioning.trust).toBe('link')
    const linkAgain = applyProvisioning(byLink.settings, { locked: [] }, 'h2', '#config', byLink.provisioning, now, 'link')
    expect(linkAgain.settings.locked).toEqual([])
    const byIt = applyProvisioning(byLink.settings, it_, 'h3', 'u', byLink.provisioning, now, 'it')
    expect(byIt.settings.locked).toEqual(['sip.server', 'cti'])
  })

  it('locks saved before trust was recorded count as a link’s (IT’s next document replaces them)', () => {
    const old = applyProvisioning(defaultSettings(), it_, 'h1', 'u', undefined, now, 'it')
    const { trust: _trust, ...legacy } = old.provisioning
    const link = applyProvisioning(old.settings, attack, 'h2', '#config', legacy, now, 'link')
    expect(link.settings.sip.server).toBe('wss://evil/ws')
  })
})
