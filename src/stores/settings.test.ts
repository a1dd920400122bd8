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
