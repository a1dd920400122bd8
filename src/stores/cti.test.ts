import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { flush } from '@/cti/testing/fakes'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCtiStore } from './cti'
import { usePhonebooksStore } from './phonebooks'
import { useCallsStore } from './calls'
import { usePopupStore } from './popup'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'

const CRM = 'http://crm.test'
const CONFIG_URL = `${CRM}/provision/agent.json`

function provisioning(extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' },
    cti: {
      target: 'custom',
      accesses: {
        auth: { method: 'get-internal', url: `${CRM}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${CRM}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        click: { method: 'get', url: `${CRM}/crm/customer?tel={TEL}` },
      },
    },
    ...extra,
  }
}

async function start(doc: unknown) {
  const fake = fakePorts({ location: { href: `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}` } })
  fake.respond(CONFIG_URL, doc)
  fake.deploy({ provisioning: { origins: [CRM] } })
  fake.world.http.on(`${CRM}/login`, { body: 'SID-42\r\n' })
  fake.world.http.on(`${CRM}/search`, { body: '山田 太郎\r\n株式会社つなぐ商事\r\n', headers: { 'content-type': 'text/plain; charset=utf-8' } })
  setupStores(fake.ports)
  const softphone = new FakeSoftphone()
  await useSessionStore().start(async () => softphone)
  return { fake, softphone }
}

describe('CTI wiring', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('asks for the agent login at start when target is custom and no password is provisioned', async () => {
    await start(provisioning())
    const cti = useCtiStore()
    expect(cti.loginOpen).toBe(true)
    expect(cti.auth.state).toBe('logged-out')
    const result = await cti.login({ id: 'agent01', password: 'pass01' }, false)
    expect(result).toMatchObject({ ok: true })
    expect(cti.loginOpen).toBe(false)
    expect(useSettingsStore().settings.agent).toEqual({ id: 'agent01', password: '' })
  })

  it('shows the login screen at each start even with a remembered password, prefilled', async () => {
    const first = await start(provisioning())
    await useCtiStore().login({ id: 'agent01', password: 'pass01' }, true)
    const saved = first.fake.store.get('tsunagu.settings')
    // The next start of the same browser, from a bookmark without ?config=.
    const again = fakePorts()
    again.store.set('tsunagu.settings', saved)
    setupStores(again.ports)
    await useSessionStore().start(async () => new FakeSoftphone())
    expect(useCtiStore().loginOpen).toBe(true)
    expect(useSettingsStore().settings.agent).toEqual({ id: 'agent01', password: 'pass01' })
    expect(again.world.http.urls).toEqual([])
  })

  it('after the login, the account phonebook is fetched with the agent\'s {AID} and {SID}, and names the caller', async () => {
    const { fake, softphone } = await start(provisioning({ phonebooks: { account: `${CRM}/book?aid={AID}&sid={SID}` } }))
    fake.respond(`${CRM}/book?aid=agent01&sid=SID-42`, '名前,電話番号\r\n担当 山田様,03-1234-5678\r\n')
    await useCtiStore().login({ id: 'agent01', password: 'pass01' }, false)
    await vi.waitFor(() => expect(usePhonebooksStore().sizes).toMatchObject({ account: 1 }))
    softphone.ring({ remoteUser: '0312345678', remoteDisplayName: 'Yamada' })
    expect(usePopupStore().popups[0]).toMatchObject({ number: '0312345678', name: '担当 山田様' })
  })

  it('logs in by itself with provisioned agent credentials and masks the password in the log', async () => {
    const { fake } = await start(provisioning({ agent: { id: 'agent01', password: 'pass01' } }))
    await flush()
    const cti = useCtiStore()
    expect(cti.loginOpen).toBe(false)
    expect(cti.auth.state).toBe('ok')
    expect(fake.world.http.urls[0]).toBe(`${CRM}/login?userid=agent01&password=pass01`)
    expect(cti.log[0]?.url).not.toContain('pass01')
  })

  it('searches on ring, shows name and company in the popup and the notification, and closes the popup on answer', async () => {
    const { fake, softphone } = await start(provisioning({ agent: { id: 'agent01', password: 'pass01' } }))
    await flush()
    fake.setHidden(true)
    const call = softphone.ring({ remoteUser: '0312345678#A1#B2', remoteDisplayName: 'Yamada' })
    const popups = usePopupStore()
    // The popup is there before the engine hears of the call; the search starts in the same task.
    expect(popups.popups[0]).toMatchObject({ number: '0312345678', searching: false, values: {} })
    await nextTick()
    expect(fake.world.http.urls).toContain(`${CRM}/search?tel=0312345678&sid=SID-42`)
    expect(popups.popups[0]).toMatchObject({ number: '0312345678', searching: true, values: {} })
    await flush()
    expect(fake.world.http.urls).toContain(`${CRM}/search?tel=0312345678&sid=SID-42`)
    expect(popups.popups[0]).toMatchObject({ searching: false, values: { NAME: '山田 太郎', COMPANY: '株式会社つなぐ商事' } })
    // The notification was shown at ring time and replaced once the search answered.
    expect(fake.shown.map((n) => n.title)).toEqual(['Yamada (0312345678)', '山田 太郎 (0312345678)'])
    expect(fake.shown[1]?.body).toBe('株式会社つなぐ商事\n0312345678')
    await useCallsStore().answer(call.id)
    expect(useCallsStore().ringing).toEqual([])
    expect(popups.popups).toEqual([])
  })

  it('an arriving INVITE starts its search at once; the call that follows does not search again and rings after it; a withdrawn one runs nothing more', async () => {
    const doc = provisioning({ agent: { id: 'agent01', password: 'pass01' } }) as { cti: { accesses: Record<string, unknown> } }
    doc.cti.accesses.ring = { method: 'get-internal', url: `${CRM}/ring?tel={TEL}&name={NAME}` }
    const { fake, softphone } = await start(doc)
    await flush()
    const path = (u: string) => u.replace(CRM, '').split('?')[0]
    const arrival = softphone.arrive({ remoteUser: '0312345678' })
    await nextTick()
    expect(fake.world.http.urls.map(path)).toEqual(['/login', '/search'])
    arrival.become()
    await flush()
    expect(fake.world.http.urls.map(path)).toEqual(['/login', '/search', '/ring'])
    expect(fake.world.http.urls.at(-1)).toBe(`${CRM}/ring?tel=0312345678&name=${encodeURIComponent('山田 太郎')}`)
    expect(usePopupStore().popups[0]).toMatchObject({ values: { NAME: '山田 太郎' } })

    const gone = softphone.arrive({ remoteUser: '0663334444' })
    await nextTick()
    gone.withdraw()
    await flush()
    expect(fake.world.http.urls.map(path)).toEqual(['/login', '/search', '/ring', '/search'])
    expect(useCtiStore().log.filter((entry) => entry.callId === gone.info.id).map((entry) => entry.access)).toEqual(['search'])
  })

  it('the idle rehearsal runs the search of the made-up call without sending or logging anything', async () => {
    const { fake } = await start(provisioning({ agent: { id: 'agent01', password: 'pass01' } }))
    await flush()
    const before = fake.world.http.urls.length
    const cti = useCtiStore()
    const logged = cti.log.length
    const reading = useCallsStore().rehearse()
    expect(reading).toBeDefined()
    cti.rehearse(reading!)
    await flush()
    expect(fake.world.http.urls.length).toBe(before)
    expect(cti.log).toHaveLength(logged)
    expect(usePopupStore().popups).toEqual([])
  })

  it('a popup click runs the click access and copies the number when set', async () => {
    const doc = provisioning({ agent: { id: 'agent01', password: 'pass01' } })
    const { fake, softphone } = await start({ ...doc, popup: { copyNumberOnClick: true } })
    await flush()
    const call = softphone.ring({ remoteUser: '0312345678#A1' })
    usePopupStore().clicked(call.id)
    usePopupStore().clicked(call.id)
    await flush()
    expect(fake.world.tabs.opened.map((t) => t.url)).toEqual([`${CRM}/crm/customer?tel=0312345678`, `${CRM}/crm/customer?tel=0312345678`])
    expect(fake.copied).toEqual(['0312345678', '0312345678'])
  })

  it('the display time closes the popup while the call still rings in the main screen', async () => {
    const { softphone } = await start({ ...provisioning(), popup: { displaySeconds: 5 } })
    const call = softphone.ring({ remoteUser: '0312345678' })
    expect(usePopupStore().popups).toHaveLength(1)
    vi.advanceTimersByTime(5000)
    expect(usePopupStore().popups).toHaveLength(0)
    expect(useCallsStore().ringing.map((c) => c.id)).toEqual([call.id])
  })

  it('hidden size shows no popup and no notification', async () => {
    const { fake, softphone } = await start({ ...provisioning(), popup: { size: 'hidden' } })
    fake.setHidden(true)
    softphone.ring({ remoteUser: '0312345678' })
    expect(usePopupStore().popups).toEqual([])
    expect(fake.shown).toEqual([])
  })

  it('a call from 9999 or to an untargeted number never pops up', async () => {
    const doc = provisioning()
    const { softphone } = await start({ ...doc, cti: { ...doc.cti, numbers: ['0501111', '0502222'], targetNumbers: ['0501111'] } })
    softphone.ring({ remoteUser: '9999' })
    softphone.ring({ remoteUser: '0312345678', localUser: '0502222' })
    expect(usePopupStore().popups).toEqual([])
    softphone.ring({ remoteUser: '0312345678', localUser: '0501111' })
    expect(usePopupStore().popups.map((p) => p.number)).toEqual(['0312345678'])
  })

  it('with an invalid cti section, 9999 and untargeted calls still never pop up', async () => {
    const doc = provisioning()
    const { fake, softphone } = await start({ ...doc, cti: { ...doc.cti, timeoutSeconds: 'ten', targetNumbers: ['0501111'] } })
    expect(useCtiStore().configErrors.map((e) => e.path)).toContain('cti.timeoutSeconds')
    fake.setHidden(true)
    softphone.ring({ remoteUser: '9999', localUser: '0501111' })
    softphone.ring({ remoteUser: '0312345678', localUser: '0502222' })
    await flush()
    expect(usePopupStore().popups).toEqual([])
    expect(fake.shown).toEqual([])
    softphone.ring({ remoteUser: '0312345678', localUser: '0501111' })
    expect(usePopupStore().popups.map((p) => p.number)).toEqual(['0312345678'])
  })

  it('an E.164 called number matches a national target number', async () => {
    const doc = provisioning()
    const { softphone } = await start({ ...doc, cti: { ...doc.cti, numbers: ['050-1234-567'], targetNumbers: ['050-1234-567'] } })
    softphone.ring({ remoteUser: '0312345678', localUser: '+81501234567' })
    expect(usePopupStore().popups.map((p) => p.number)).toEqual(['0312345678'])
  })

  it('reports an invalid cti section by field and still rings', async () => {
    const { softphone } = await start({ ...provisioning(), cti: { target: 'custom', timeoutSeconds: 'ten' } })
    expect(useCtiStore().configErrors.map((e) => e.path)).toContain('cti.timeoutSeconds')
    softphone.ring({ remoteUser: '0312345678' })
    expect(usePopupStore().popups).toHaveLength(1)
  })

  it('a caller withheld by Privacy: user shows the anonymous label and copies nothing, as the CRM sees it', async () => {
    const doc = provisioning({ agent: { id: 'agent01', password: 'pass01' } })
    const { fake, softphone } = await start({ ...doc, popup: { copyNumberOnClick: true } })
    await flush()
    const call = softphone.ring({ remoteUser: '0312345678', headers: { privacy: 'user' } })
    expect(usePopupStore().popups[0]).toMatchObject({ number: '非通知', anonymous: true })
    usePopupStore().clicked(call.id)
    await flush()
    expect(fake.copied).toEqual([])
    expect(fake.world.http.urls.filter((u) => u.includes('/search'))).toEqual([])
  })
})
