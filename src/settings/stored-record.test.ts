import { describe, expect, it } from 'vitest'
import { defaultSettings } from './settings'
import { readStoredRecord, STORE_SCHEMA } from './stored-record'

/** What the Foundation and CTI engine releases saved: the document itself, before audio/call existed. */
const schema1 = {
  version: 1,
  sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: 'pw', authUser: '', displayName: 'A', iceServers: [] },
  popup: { size: 'large', buttons: true, displaySeconds: 0, copyNumberOnClick: false, anonymousLabel: '非通知' },
  locked: [],
  cti: { target: 'custom' },
  agent: { id: 'agent01', password: '' },
  ui: { language: 'ja' },
}

describe('readStoredRecord (migrations)', () => {
  it('upgrades a schema-1 record (the bare document) and fills keys added since', () => {
    const read = readStoredRecord(structuredClone(schema1))
    expect(read.kind).toBe('ok')
    if (read.kind !== 'ok') return
    expect(read.upgradedFrom).toBe(1)
    expect(read.record.schema).toBe(STORE_SCHEMA)
    expect(read.record.settings.sip.password).toBe('pw')
    expect(read.record.settings.popup.size).toBe('large')
    expect(read.record.settings.audio).toEqual(defaultSettings().audio)
    expect(read.record.settings.call).toEqual({ dnd: false, autoAnswerSeconds: 0, resumeSeconds: 60 })
    expect(read.record.provisioning).toBeUndefined()
  })

  it('reads a current record as it is', () => {
    const provisioning = { hash: 'ab', source: 'https://it/x.json', appliedAt: '2026-01-01T00:00:00.000Z', locked: [{ path: 'sip.server', value: 'wss://p' }] }
    const read = readStoredRecord({ schema: 2, settings: defaultSettings(), provisioning })
    expect(read).toEqual({ kind: 'ok', record: { schema: 2, settings: defaultSettings(), provisioning } })
  })

  it('reports a record of a newer Tsunagu and leaves it unchanged', () => {
    const raw = { schema: 3, settings: { anything: true } }
    const copy = structuredClone(raw)
    expect(readStoredRecord(raw)).toEqual({ kind: 'newer', schema: 3 })
    expect(raw).toEqual(copy)
    expect(readStoredRecord({ ...schema1, version: 2 })).toEqual({ kind: 'newer', schema: 2 })
  })

  it.each([
    ['a string', 'garbage'],
    ['no schema number', { settings: {} }],
    ['a broken schema number', { schema: 'two', settings: {} }],
    ['a wrong value inside', { schema: 2, settings: { sip: { server: 42 } } }],
    ['a damaged provisioning state', { schema: 2, settings: {}, provisioning: { hash: 1 } }],
  ])('reports a corrupt record (%s) with the reason', (_name, raw) => {
    const read = readStoredRecord(raw)
    expect(read.kind).toBe('corrupt')
    if (read.kind === 'corrupt') expect(read.errors[0]?.message).toBeTruthy()
  })

  it('has nothing to read when nothing was saved', () => {
    expect(readStoredRecord(undefined)).toEqual({ kind: 'empty' })
  })
})
