import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { FakeSoftphone } from '@/sip/fake-softphone'
import type { SoftphoneConfig } from '@/sip'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCtiStore } from './cti'
import { useDevicesStore } from './devices'
import { useCallsStore } from './calls'
import { useDialConsentStore } from './dial-consent'
import { useLineStore } from './line'
import { usePopupStore } from './popup'
import { useSettingsStore } from './settings'

const CONFIG: SoftphoneConfig = {
  server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001',
  contactName: 'abc', viaHost: 'abc.invalid', iceServers: [], iceGatheringTimeoutMs: 1500, registerExpires: 300,
}

/** The stores as the app wires them (the CTI store sets the call reader), on a fake line. */
async function setup(href = 'http://127.0.0.1/', referrer?: string, trustedOrigins: string[] = []) {
  const fake = fakePorts({ location: { href, referrer } })
  setupStores(fake.ports)
  const settings = useSettingsStore()
  settings.deployment = { ...settings.deployment, dial: { trustedOrigins } }
  await useCtiStore().start()
  const popup = usePopupStore()
  const phone = useCallsStore()
  const line = useLineStore()
  const softphone = new FakeSoftphone()
  await line.connect(CONFIG, async () => softphone)
  return { fake, settings, popup, phone, line, softphone }
}

type Ctx = Awaited<ReturnType<typeof setup>>

function patchSettings(ctx: Ctx, patch: { call?: object; audio?: object; locked?: string[] }): void {
  const s = ctx.settings.settings
  ctx.settings.settings = { ...s, call: { ...s.call, ...patch.call }, audio: { ...s.audio, ...patch.audio }, locked: patch.locked ?? s.locked }
}

describe('call waiting and hold', () => {
  let ctx: Ctx
  beforeEach(async () => { ctx = await setup() })

  it('pops up a second call while talking and holds the first before answering it', async () => {
    const first = ctx.softphone.ring({ remoteUser: '0312345678' })
    await ctx.phone.answer(first.id)
    const second = ctx.softphone.ring({ remoteUser: '0663334444' })
    expect(ctx.popup.popups.map((p) => p.callId)).toEqual([second.id])
    await ctx.phone.answer(second.id)
    const actions = ctx.softphone.actions
    expect(actions.indexOf(`hold ${first.id}`)).toBeGreaterThan(-1)
    expect(actions.indexOf(`hold ${first.id}`)).toBeLessThan(actions.indexOf(`answer ${second.id}`))
    expect(ctx.phone.active.map((c) => [c.id, c.sip.state, c.sip.held])).toEqual([[first.id, 'active', true], [second.id, 'active', false]])
    expect(ctx.popup.popups).toEqual([])
  })

  it('resuming one call holds the other: one party at a time', async () => {
    const a = ctx.softphone.ring({ remoteUser: '1002' })
    await ctx.phone.answer(a.id)
    const b = ctx.softphone.ring({ remoteUser: '1003' })
    await ctx.phone.answer(b.id)
    await ctx.phone.resume(a.id)
    expect(ctx.softphone.actions.slice(-2)).toEqual([`hold ${b.id}`, `unhold ${a.id}`])
    expect(ctx.phone.active.map((c) => c.sip.held)).toEqual([false, true])
  })

  it('keeps the call as it was when the other side refuses the hold', async () => {
    const a = ctx.softphone.ring({ remoteUser: '1002' })
    await ctx.phone.answer(a.id)
    ctx.softphone.holdAccepted = false
    expect(await ctx.phone.hold(a.id)).toBe(false)
    expect(ctx.phone.active[0]?.sip.held).toBe(false)
  })

  it('mutes and unmutes without touching the hold state', async () => {
    const a = ctx.softphone.ring({ remoteUser: '1002' })
    await ctx.phone.answer(a.id)
    ctx.phone.toggleMute(a.id)
    expect(ctx.phone.active[0]?.sip).toMatchObject({ muted: true, held: false })
    ctx.phone.toggleMute(a.id)
    expect(ctx.phone.active[0]?.sip.muted).toBe(false)
    expect(ctx.softphone.actions.slice(-2)).toEqual([`mute ${a.id}`, `unmute ${a.id}`])
  })
})

describe('DTMF', () => {
  it.each([['rfc4733'], ['info']] as const)('collects the digits sent and says how they went (%s)', async (method) => {
    const ctx = await setup()
    ctx.softphone.dtmfMethod = method
    const a = ctx.softphone.ring({ remoteUser: '0120444444' })
    await ctx.phone.answer(a.id)
    await ctx.phone.sendDtmf(a.id, '1')
    await ctx.phone.sendDtmf(a.id, '#')
    expect(ctx.phone.dtmf[a.id]).toEqual({ sent: '1#', method })
    expect(ctx.softphone.actions).toContain(`dtmf ${a.id} # ${method}`)
    ctx.softphone.remoteHangup(a.id)
    expect(ctx.phone.dtmf[a.id]).toBeUndefined()
  })
})

describe('transfer', () => {
  let ctx: Ctx
  beforeEach(async () => { ctx = await setup() })

  it('blind: REFERs the caller and the call ends as transferred', async () => {
    const ended: string[] = []
    ctx.phone.onCall('ended', (c) => ended.push(`${c.id}:${c.sip.endReason}`))
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    await ctx.phone.answer(a.id)
    expect(await ctx.phone.transfer(a.id, ' 1002 ')).toEqual({ ok: true })
    expect(ctx.softphone.actions).toContain(`transfer ${a.id} 1002`)
    expect(ended).toEqual([`${a.id}:transferred`])
  })

  it('blind: a failed transfer leaves the call with the agent and says so', async () => {
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    await ctx.phone.answer(a.id)
    ctx.softphone.transferResult = { ok: false, reason: '486 Busy Here' }
    await ctx.phone.transfer(a.id, '1002')
    expect(ctx.phone.active[0]?.sip).toMatchObject({ id: a.id, state: 'active', transfer: 'failed' })
    expect(ctx.phone.notices).toEqual([expect.objectContaining({ kind: 'transfer-failed', number: '0312345678' })])
    ctx.phone.dismiss(ctx.phone.notices[0]!.id)
    expect(ctx.phone.notices).toEqual([])
  })

  it('attended: holds the caller, calls the target, then connects them and leaves both calls', async () => {
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    await ctx.phone.answer(a.id)
    expect(await ctx.phone.consult(a.id, '1003')).toBe(true)
    const consult = ctx.phone.active.find((c) => c.sip.remoteUser === '1003')!
    expect(ctx.phone.consultations).toEqual({ [consult.id]: a.id })
    expect(ctx.phone.active.find((c) => c.id === a.id)?.sip.held).toBe(true)
    ctx.softphone.remoteAnswer(consult.id)
    expect(await ctx.phone.completeTransfer(consult.id)).toEqual({ ok: true })
    expect(ctx.softphone.actions).toContain(`attended ${a.id} ${consult.id}`)
    expect(ctx.phone.active).toEqual([])
    expect(ctx.phone.consultations).toEqual({})
  })

  it('being transferred: the new call shows and the agent is told', async () => {
    const a = ctx.softphone.ring({ remoteUser: '1002' })
    await ctx.phone.answer(a.id)
    const next = ctx.softphone.remoteRefer(a.id, '1004')
    expect(ctx.phone.active.map((c) => c.id)).toContain(next.id)
    expect(ctx.phone.notices).toEqual([expect.objectContaining({ kind: 'referred', number: '1004' })])
  })
})

describe('do not disturb', () => {
  it('follows the setting; a call under DND never pops, rings or reaches the CTI', async () => {
    const ctx = await setup()
    const added: string[] = []
    ctx.phone.onCall('added', (c) => added.push(c.id))
    await ctx.line.setDoNotDisturb(true)
    expect(ctx.softphone.actions).toContain('dnd on')
    ctx.softphone.ring({ remoteUser: '0312345678' })
    await nextTick()
    expect(added).toEqual([])
    expect(ctx.popup.popups).toEqual([])
    expect(ctx.fake.log).not.toContain('ring')
    expect(ctx.softphone.actions).toContain('reject-dnd 0312345678')
    await ctx.line.setDoNotDisturb(false)
    ctx.softphone.ring({ remoteUser: '0312345678' })
    expect(added).toHaveLength(1)
  })

  it('cannot be switched when IT locked it', async () => {
    const ctx = await setup()
    patchSettings(ctx, { locked: ['call'] })
    expect(ctx.line.dndLocked).toBe(true)
    await ctx.line.setDoNotDisturb(true)
    expect(ctx.settings.settings.call.dnd).toBe(false)
  })
})

describe('auto-answer', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('answers a call by itself after the configured seconds when the agent is free', async () => {
    const ctx = await setup()
    patchSettings(ctx, { call: { autoAnswerSeconds: 3 } })
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    await vi.advanceTimersByTimeAsync(2900)
    expect(ctx.phone.active[0]?.sip.state).toBe('ringing')
    await vi.advanceTimersByTimeAsync(200)
    expect(ctx.phone.active[0]?.sip.state).toBe('active')
    // A second call while talking is left to the agent.
    const b = ctx.softphone.ring({ remoteUser: '0663334444' })
    await vi.advanceTimersByTimeAsync(5000)
    expect(ctx.phone.active.find((c) => c.id === b.id)?.sip.state).toBe('ringing')
    expect(ctx.softphone.actions.filter((x) => x.startsWith('answer'))).toEqual([`answer ${a.id}`])
  })

  it('does nothing for a call that stopped ringing before', async () => {
    const ctx = await setup()
    patchSettings(ctx, { call: { autoAnswerSeconds: 2 } })
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    ctx.softphone.remoteHangup(a.id, 'cancelled')
    await vi.advanceTimersByTimeAsync(3000)
    expect(ctx.softphone.actions.some((x) => x.startsWith('answer'))).toBe(false)
  })
})

describe('click-to-dial', () => {
  it('asks the agent before dialling ?dial= from a page IT does not trust (the offer getting ready meanwhile), and dials only on Call', async () => {
    const ctx = await setup(`http://127.0.0.1/?dial=${encodeURIComponent('tel:0570-000-000')}`, 'https://evil.example/page')
    const consent = useDialConsentStore()
    await vi.waitFor(() => expect(consent.waiting).toEqual({ target: '0570000000', from: 'https://evil.example' }))
    expect(ctx.softphone.actions.filter((x) => x.startsWith('dial'))).toEqual([])
    // The line gets the call's offer ready while the question is on screen.
    expect(ctx.softphone.readyToDialCount).toBe(1)
    consent.call()
    await vi.waitFor(() => expect(ctx.softphone.actions).toContain('dial 0570000000'))
  })

  it('Cancel places no call', async () => {
    const ctx = await setup(`http://127.0.0.1/?dial=0312345678`)
    const consent = useDialConsentStore()
    await vi.waitFor(() => expect(consent.waiting).toEqual({ target: '0312345678' }))
    consent.cancel()
    await Promise.resolve()
    expect(consent.waiting).toBeUndefined()
    expect(ctx.softphone.actions.filter((x) => x.startsWith('dial'))).toEqual([])
    expect(ctx.fake.dialParameter).toEqual({ registered: true, forgotten: true })
  })

  it('dials ?dial= from a trusted origin once registered, offers the tel:/sip: handler and clears the parameter', async () => {
    const ctx = await setup(`http://127.0.0.1/?dial=${encodeURIComponent('tel:03-1234-5678')}`, 'https://crm.example/customer/1', ['https://crm.example'])
    await vi.waitFor(() => expect(ctx.softphone.actions).toContain('dial 0312345678'))
    expect(useDialConsentStore().waiting).toBeUndefined()
    expect(ctx.fake.dialParameter).toEqual({ registered: true, forgotten: true })
    // A later re-registration does not dial again.
    ctx.softphone.setRegistration({ state: 'reconnecting' })
    ctx.softphone.setRegistration({ state: 'registered' })
    await Promise.resolve()
    expect(ctx.softphone.actions.filter((x) => x.startsWith('dial'))).toHaveLength(1)
  })
})

describe('audio devices', () => {
  it('applies the chosen microphone and speakers and keeps them across a reload', async () => {
    const ctx = await setup()
    ctx.fake.plug([
      { kind: 'audioinput', deviceId: 'mic-2', label: 'Headset mic' },
      { kind: 'audiooutput', deviceId: 'spk-1', label: 'Headset' },
      { kind: 'audiooutput', deviceId: 'spk-2', label: 'Desk speaker' },
    ])
    const devices = useDevicesStore()
    await devices.refresh()
    expect(devices.inputs.map((d) => d.deviceId)).toEqual(['mic-2'])
    await devices.choose('input', 'mic-2')
    await devices.choose('output', 'spk-1')
    await vi.waitFor(() => expect(ctx.fake.log).toEqual(expect.arrayContaining(['call-output spk-1', 'ringer-output spk-1'])))
    // The ringtone may go to its own speaker, the call stays in the headset.
    await devices.choose('ringer', 'spk-2')
    await vi.waitFor(() => expect(ctx.fake.log.at(-1)).toBe('ringer-output spk-2'))
    expect(ctx.softphone.actions).toContain('microphone mic-2')

    // Reload: a fresh app on the same browser storage finds the choice again.
    const saved = ctx.fake.store.get('tsunagu.settings')
    const again = fakePorts()
    again.store.set('tsunagu.settings', saved)
    setupStores(again.ports)
    await useSettingsStore().load()
    expect(useSettingsStore().settings.audio).toMatchObject({ input: 'mic-2', output: 'spk-1', ringer: 'spk-2' })
  })

  it('tells whether the ringtone can play, until the ringer is unlocked (App.vue does it on the first click)', async () => {
    const ctx = await setup()
    ctx.fake.setUnlocked(false)
    const devices = useDevicesStore()
    expect(devices.audioUnlocked).toBe(false)
    await ctx.fake.ports.ringer.unlock()
    expect(devices.audioUnlocked).toBe(true)
  })
})

describe('popup', () => {
  it('gives no popup or notification for a call that replaces one of ours', async () => {
    const ctx = await setup()
    ctx.fake.setHidden(true)
    ctx.softphone.ring({ remoteUser: '0312345678', replaces: 'fake-0' })
    await nextTick()
    expect(ctx.popup.popups).toEqual([])
    expect(ctx.fake.shown).toEqual([])
    expect(ctx.phone.ringing).toEqual([])
  })

  it('keeps a blocked CRM tab link after the call ended, until dismissed', async () => {
    const ctx = await setup()
    await ctx.settings.update({ ...ctx.settings.settings, cti: { target: 'custom', accesses: { ring: { method: 'get', url: 'http://crm.test/customer?tel={TEL}&pw=x' } } } })
    const cti = useCtiStore()
    await cti.start()
    ctx.fake.world.tabs.blocked = true
    const a = ctx.softphone.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(cti.blockedTabs).toEqual([{ callId: a.id, url: 'http://crm.test/customer?tel=0312345678&pw=x', label: 'http://crm.test/customer?tel=0312345678&pw=***' }]))
    ctx.softphone.remoteHangup(a.id)
    await cti.start()
    expect(cti.blockedTabs).toHaveLength(1)
    cti.dismissBlocked(a.id)
    expect(cti.blockedTabs).toEqual([])
  })
})

describe('leaving the page', () => {
  it('asks the browser to confirm closing the tab only while a call is up', async () => {
    const ctx = await setup()
    const call = ctx.softphone.ring({ remoteUser: '0312345678' })
    await nextTick()
    expect(ctx.fake.log).toContain('guard on')
    ctx.softphone.remoteHangup(call.id)
    await nextTick()
    expect(ctx.fake.log.filter((l) => l.startsWith('guard'))).toEqual(['guard on', 'guard off'])
  })
})
