import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { FakeSoftphone } from '@/sip/fake-softphone'
import type { SoftphoneConfig } from '@/sip'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore } from './calls'
import { useLineStore } from './line'
import { usePopupStore } from './popup'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'

const CONFIG_URL = 'http://crm.test/provision/agent.json'
const PROVISIONING = { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } }

function setup() {
  const fake = fakePorts({ location: { href: `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}` } })
  fake.respond(CONFIG_URL, PROVISIONING)
  fake.deploy({ provisioning: { origins: ['http://crm.test'] } })
  setupStores(fake.ports)
  const softphone = new FakeSoftphone()
  let config: SoftphoneConfig | undefined
  const factory = async (c: SoftphoneConfig) => {
    config = c
    return softphone
  }
  return { fake, softphone, factory, config: () => config }
}

describe('session start-up', () => {
  it('provisions from ?config=, saves the settings and registers with a stable contact', async () => {
    const { fake, factory, config } = setup()
    await useSessionStore().start(factory)
    expect(useLineStore().registration.state).toBe('registered')
    expect(config()).toMatchObject({ server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', displayName: 'Agent 1001' })
    expect(config()!.contactName).toMatch(/^[a-z0-9]{8}$/)
    expect(config()!.viaHost).toBe(`${config()!.contactName}.invalid`)
    expect(fake.store.get('tsunagu.settings')).toMatchObject({ schema: 2, settings: { sip: { user: '1001' } } })
  })

  it('keeps the saved settings and says why when the provisioning URL fails', async () => {
    const { fake, factory } = setup()
    fake.store.set('tsunagu.settings', { ...PROVISIONING, sip: { ...PROVISIONING.sip, user: '2002' } })
    fake.respond(CONFIG_URL, new TypeError('Failed to fetch'))
    await useSessionStore().start(factory)
    const settings = useSettingsStore()
    expect(settings.settings.sip.user).toBe('2002')
    expect(settings.problems).toEqual([{ kind: 'provisioning-fetch', url: CONFIG_URL, message: 'Failed to fetch' }])
  })

  it('reports an invalid provisioning file field by field and applies nothing', async () => {
    const { fake, factory } = setup()
    fake.respond(CONFIG_URL, { version: 1, sip: { server: 'http://wrong' } })
    await useSessionStore().start(factory)
    expect(useSettingsStore().problems[0]).toMatchObject({ kind: 'provisioning-invalid', errors: [{ path: 'sip.server' }] })
    expect(useSessionStore().configured).toBe(false)
  })

  it('reuses the device identity across starts', async () => {
    const first = setup()
    await useSessionStore().start(first.factory)
    const saved = first.fake.store.get('tsunagu.device')
    const second = fakePorts()
    second.store.set('tsunagu.device', saved)
    second.store.set('tsunagu.settings', PROVISIONING)
    setupStores(second.ports)
    let contact = ''
    await useSessionStore().start(async (c) => { contact = c.contactName; return new FakeSoftphone() })
    expect(contact).toBe((saved as { contactName: string }).contactName)
  })
})

describe('calls', () => {
  let ctx: ReturnType<typeof setup>
  beforeEach(async () => {
    ctx = setup()
    await useSessionStore().start(ctx.factory)
  })

  it('rings, pops up without # codes, answers and returns to idle', async () => {
    const phone = useCallsStore()
    const popups = usePopupStore()
    const call = ctx.softphone.ring({ remoteUser: '0312345678#A1#B2', remoteDisplayName: 'Yamada' })
    expect(phone.ringing.map((c) => c.id)).toEqual([call.id])
    expect(popups.popups).toEqual([{ callId: call.id, number: '0312345678', name: 'Yamada', anonymous: false, values: {}, searching: false, searchFailed: false }])
    await nextTick()
    expect(ctx.fake.log).toContain('ring')
    await phone.answer(call.id)
    expect(popups.popups).toEqual([])
    expect(phone.active[0]?.sip.state).toBe('active')
    await nextTick()
    expect(ctx.fake.log.filter((l) => l === 'ring' || l === 'silence').at(-1)).toBe('silence')
    await phone.hangup(call.id)
    expect(phone.active).toEqual([])
  })

  it('declines with the main screen and emits ended once', async () => {
    const phone = useCallsStore()
    const ended: string[] = []
    phone.onCall('ended', (c) => ended.push(`${c.id}:${c.sip.endReason}`))
    const call = ctx.softphone.ring({ remoteUser: '0312345678' })
    await phone.decline(call.id)
    ctx.softphone.remoteHangup(call.id)
    expect(ended).toEqual([`${call.id}:declined`])
    expect(ctx.softphone.actions).toContain(`decline ${call.id}`)
  })

  it('an arriving INVITE pops up before it is a call, then stays the same popup as the call, with the one reading', async () => {
    const phone = useCallsStore()
    const popups = usePopupStore()
    const added: string[] = []
    phone.onCall('added', (c) => added.push(c.reading.requestId))
    const arrival = ctx.softphone.arrive({ remoteUser: '0312345678#A1#B2', remoteDisplayName: 'Yamada' })
    expect(popups.popups.map((p) => [p.callId, p.number, p.name])).toEqual([[arrival.info.id, '0312345678', 'Yamada']])
    // Only shown: not a call yet, so no CTI, history or ringer hears of it.
    expect(phone.active).toEqual([])
    expect(added).toEqual([])
    const early = phone.arriving[0]!.reading
    arrival.become()
    expect(phone.arriving).toEqual([])
    expect(phone.ringing.map((c) => c.id)).toEqual([arrival.info.id])
    expect(phone.ringing[0]!.reading).toBe(early)
    expect(added).toEqual([early.requestId])
    expect(popups.popups.map((p) => p.callId)).toEqual([arrival.info.id])
  })

  it('answer pressed on an arriving popup waits for the call; a withdrawn arrival leaves no popup and no call', async () => {
    const phone = useCallsStore()
    const arrival = ctx.softphone.arrive({ remoteUser: '0312345678' })
    const answering = phone.answer(arrival.info.id)
    await nextTick()
    expect(ctx.softphone.actions).not.toContain(`answer ${arrival.info.id}`)
    arrival.become()
    await answering
    expect(ctx.softphone.actions).toContain(`answer ${arrival.info.id}`)

    const ended: string[] = []
    phone.onCall('ended', (c) => ended.push(c.id))
    const gone = ctx.softphone.arrive({ remoteUser: '0663334444' })
    const declining = phone.decline(gone.info.id)
    expect(usePopupStore().popups.map((p) => p.callId)).toContain(gone.info.id)
    gone.withdraw()
    await declining
    expect(usePopupStore().popups.map((p) => p.callId)).not.toContain(gone.info.id)
    expect(phone.arriving).toEqual([])
    expect(ctx.softphone.actions).not.toContain(`decline ${gone.info.id}`)
    expect(ended).toEqual([])
  })

  it('rehearse() reads a made-up call while idle and keeps nothing; not while a call is up', () => {
    const phone = useCallsStore()
    const read: string[] = []
    phone.setReader((facts) => {
      read.push(facts.fromUser)
      return { ...phone.arriving[0]?.reading, popup: true } as never
    })
    expect(read).toEqual(['0312345678#1#2'])
    expect(phone.rehearse()).toMatchObject({ popup: true })
    expect(phone.calls).toEqual([])
    expect(phone.arriving).toEqual([])
    ctx.softphone.ring({ remoteUser: '0663334444' })
    const before = read.length
    expect(phone.rehearse()).toBeUndefined()
    expect(read.length).toBe(before)
  })

  it('gives a second concurrent call its own popup', () => {
    ctx.softphone.ring({ remoteUser: '0312345678' })
    ctx.softphone.ring({ remoteUser: '0663334444' })
    expect(usePopupStore().popups.map((p) => p.number)).toEqual(['0312345678', '0663334444'])
  })

  it.each([
    ['From anonymous', { remoteUser: 'anonymous', remoteDisplayName: 'Anonymous' }],
    ['Privacy: id', { remoteUser: '0312345678', remoteDisplayName: 'Yamada', headers: { privacy: 'id' } }],
    ['Privacy: user', { remoteUser: '0312345678', remoteDisplayName: 'Yamada', headers: { privacy: 'user' } }],
  ])('a withheld number (%s): the label, no SIP name, in popup, notification and call card', async (_name, from) => {
    ctx.fake.setHidden(true)
    const call = ctx.softphone.ring(from)
    await nextTick()
    expect(usePopupStore().popups[0]).toMatchObject({ number: '非通知', name: '', anonymous: true })
    expect(ctx.fake.shown[0]).toMatchObject({ title: '非通知', body: '非通知' })
    expect(useCallsStore().active.find((c) => c.id === call.id)?.reading).toMatchObject({ anonymous: true, tel: '', telName: '' })
  })

  it('notifies only when the agent cannot see the page, and closes the notification on answer', async () => {
    const popups = usePopupStore()
    void popups
    ctx.softphone.ring({ remoteUser: '0312345678' })
    await nextTick()
    expect(ctx.fake.shown).toHaveLength(0)
    ctx.fake.setHidden(true)
    const call = ctx.softphone.ring({ remoteUser: '0663334444', remoteDisplayName: 'Sato' })
    await nextTick()
    expect(ctx.fake.shown).toHaveLength(1)
    expect(ctx.fake.shown[0]).toMatchObject({ title: 'Sato (0663334444)', body: '0663334444', closed: false })
    ctx.fake.shown[0]!.onClick()
    expect(ctx.fake.log).toContain('focus')
    ctx.softphone.remoteAnswer(call.id)
    await nextTick()
    expect(ctx.fake.shown[0]!.closed).toBe(true)
  })

  it('plays remote audio for a call and stops it when the call ends', async () => {
    const call = ctx.softphone.ring({ remoteUser: '1002' })
    ctx.softphone.events.emit('remoteStream', call.id, {} as MediaStream)
    ctx.softphone.remoteHangup(call.id)
    expect(ctx.fake.log).toEqual(expect.arrayContaining([`play ${call.id}`, `stop ${call.id}`]))
  })

  it('dials and reports not-registered without a line', async () => {
    const phone = useCallsStore()
    expect(await phone.dial('1002')).toBe(true)
    expect(phone.active[0]?.sip).toMatchObject({ direction: 'out', state: 'dialing', remoteUser: '1002' })
    ctx.softphone.setRegistration({ state: 'reconnecting' })
    expect(await phone.dial('1003')).toBe(false)
    expect(phone.lastError).toBe('not-registered')
  })
})
