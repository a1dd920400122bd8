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

const withCredentials = deepMerge(current, {
  sip: {
    iceServers: [
      { urls: 'stun:stun.example.com' },
      { urls: ['turn:turn.example.com:3478'], username: 'turn-user', credential: 'turn-secret' },
    ],
  },
  cti: {
    target: 'custom',
    accesses: {
      auth: { method: 'get-internal', url: 'https://crm/login?user={AID}&password={APW}', format: '{SID}' },
      search: { method: 'get-internal', url: 'https://crm/s?tel={TEL}&access_token=tok-secret&api_key=key-secret' },
      ring: { method: 'get', url: 'https://bot:url-secret@crm/ring?tel={TEL}&user_password=pw-secret&pin=4321' },
      hangup: { method: 'command', url: 'crm.exe --pin 9876 --tel {TEL}' },
    },
  },
})

describe('exportDocument without passwords', () => {
  const plain = exportDocument(withCredentials, false)
  const doc = JSON.parse(plain)

  it.each(['sip-secret', 'agent-secret', 'turn-secret', 'tok-secret', 'key-secret', 'url-secret', 'pw-secret', '4321', '9876'])(
    'holds no %s',
    (secret) => {
      expect(plain).not.toContain(secret)
    },
  )

  it('keeps everything else: TURN server and user, templates with their placeholders', () => {
    expect(doc.sip.iceServers).toEqual([{ urls: 'stun:stun.example.com' }, { urls: ['turn:turn.example.com:3478'], username: 'turn-user' }])
    expect(doc.cti.accesses.auth.url).toBe('https://crm/login?user={AID}&password={APW}')
    expect(doc.cti.accesses.search.url).toBe('https://crm/s?tel={TEL}&access_token=&api_key=')
    expect(doc.cti.accesses.ring.url).toBe('https://bot@crm/ring?tel={TEL}&user_password=&pin=')
    expect(doc.cti.accesses.hangup.url).toBe('crm.exe --pin "" --tel {TEL}')
  })

  it('holds every credential when the agent asks for them', () => {
    const full = exportDocument(withCredentials, true)
    for (const secret of ['sip-secret', 'agent-secret', 'turn-secret', 'tok-secret', 'url-secret', '9876']) expect(full).toContain(secret)
  })

  it('imported again, keeps this browser’s TURN credential and typed passwords', () => {
    const result = importDocument(withCredentials, plain, lockedValuesOf(withCredentials, withCredentials.locked))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.settings.sip.iceServers).toEqual(withCredentials.sip.iceServers)
    expect(result.settings.cti).toEqual(withCredentials.cti)
  })

  it('a changed template or TURN server from the file wins', () => {
    const changed = deepMerge(JSON.parse(plain), {
      sip: { iceServers: [{ urls: ['turn:other.example.com'], username: 'turn-user' }] },
      cti: { accesses: { search: { url: 'https://crm/s2?tel={TEL}&access_token=' } } },
    })
    const result = importDocument(withCredentials, JSON.stringify(changed), [])
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.settings.sip.iceServers).toEqual([{ urls: ['turn:other.example.com'], username: 'turn-user' }])
    expect((result.settings.cti as { accesses: { search: { url: string } } }).accesses.search.url).toBe('https://crm/s2?tel={TEL}&access_token=')
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
