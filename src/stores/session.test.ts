import { describe, expect, it, vi } from 'vitest'
import { FakeClock } from '@/sip/fake-clock'
import { FakeSoftphone } from '@/sip/fake-softphone'
import type { SoftphoneConfig } from '@/sip'
import { cloneJson } from '@/settings/paths'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCtiStore } from './cti'
import { useDialConsentStore } from './dial-consent'
import { useLineStore } from './line'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'

const CONFIG_URL = 'http://it.test/provision/1001.json'

async function start() {
  const fake = fakePorts({ location: { href: `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}` } })
  fake.respond(CONFIG_URL, { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001' } })
  fake.deploy({ provisioning: { origins: ['http://it.test'] } })
  setupStores(fake.ports)
  const connected: { config: SoftphoneConfig; softphone: FakeSoftphone }[] = []
  await useSessionStore().start(async (config) => {
    const softphone = new FakeSoftphone()
    connected.push({ config, softphone })
    return softphone
  })
  return { fake, connected }
}

function edited(change: (s: ReturnType<typeof useSettingsStore>['settings']) => void) {
  const next = cloneJson(useSettingsStore().settings)
  change(next)
  return next
}

describe('session: applying changed settings', () => {
  it('a SIP change registers again with the new account', async () => {
    const { connected } = await start()
    const result = await useSessionStore().applySettings(edited((s) => { s.sip.displayName = 'Yamada' }))
    expect(result.ok).toBe(true)
    expect(connected.map((c) => c.config.displayName)).toEqual(['', 'Yamada'])
    expect(connected[0]!.softphone.actions).toContain('stop')
    expect(useLineStore().registration.state).toBe('registered')
  })

  it('a CTI change rebuilds the engine without touching the line', async () => {
    const { connected } = await start()
    expect(useCtiStore().config?.timeoutSeconds).toBe(10)
    await useSessionStore().applySettings(edited((s) => { s.cti = { timeoutSeconds: 3 } }))
    expect(useCtiStore().config?.timeoutSeconds).toBe(3)
    expect(connected).toHaveLength(1)
  })

  it('popup changes apply live, with no restart', async () => {
    const { connected } = await start()
    await useSessionStore().applySettings(edited((s) => { s.popup.size = 'large' }))
    expect(useSettingsStore().settings.popup.size).toBe('large')
    expect(connected).toHaveLength(1)
  })

  it('waits for the call in progress to end before registering again', async () => {
    const { connected } = await start()
    const call = connected[0]!.softphone.ring({ remoteUser: '0312345678' })
    await useSessionStore().applySettings(edited((s) => { s.sip.displayName = 'Later' }))
    expect(connected).toHaveLength(1)
    expect(useSessionStore().pending.line).toBe(true)
    connected[0]!.softphone.remoteHangup(call.id)
    await vi.waitFor(() => expect(connected.map((c) => c.config.displayName)).toEqual(['', 'Later']))
    expect(useSessionStore().pending).toEqual({ line: false, cti: false })
  })

  it('an invalid change is refused and restarts nothing', async () => {
    const { connected } = await start()
    const result = await useSessionStore().applySettings(edited((s) => { s.sip.server = 'http://x' }))
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'sip.server' }] })
    expect(connected).toHaveLength(1)
  })

  it('an import is applied like an edit', async () => {
    const { connected } = await start()
    const result = await useSessionStore().importSettings('{"sip": {"user": "1002"}}')
    expect(result.ok).toBe(true)
    expect(connected.map((c) => c.config.user)).toEqual(['1001', '1002'])
  })
})

describe('one phone tab per browser', () => {
  const DOC = { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } }

  it('does not register while another tab has the line, and registers when the agent moves it here', async () => {
    const fake = fakePorts()
    fake.store.set('tsunagu.settings', DOC)
    fake.line.heldElsewhere = true
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    const session = useSessionStore()
    await session.start(async () => softphone)
    expect(session.elsewhere).toBe('busy')
    expect(session.role).toBe('follower')
    expect(softphone.actions).not.toContain('start')
    await session.useHere()
    expect(session.role).toBe('leader')
    expect(fake.line.waiting).toBeUndefined()
    expect(session.elsewhere).toBe(false)
    expect(softphone.actions).toContain('start')
    expect(useLineStore().registration.state).toBe('registered')
  })

  it('unregisters, then tells the other tab, when the line is taken over', async () => {
    const fake = fakePorts()
    fake.store.set('tsunagu.settings', DOC)
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    const session = useSessionStore()
    await session.start(async () => softphone)
    expect(useLineStore().registration.state).toBe('registered')
    fake.loseLine()
    await vi.waitFor(() => expect(fake.line.released).toBe(1))
    expect(session.elsewhere).toBe('moved')
    expect(softphone.actions.filter((a) => a === 'start' || a === 'stop')).toEqual(['start', 'stop'])
    // It follows the other tab's line now, and queues to take it back.
    await vi.waitFor(() => expect(session.role).toBe('follower'))
    expect(fake.line.waiting).toBeDefined()
  })
})

describe('click-to-dial with the phone open in another tab', () => {
  const DOC = { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } }

  it('a tab opened by a tel: link hands the number to the phone\'s tab instead of dialling itself', async () => {
    const fake = fakePorts({ location: { href: 'http://127.0.0.1/?dial=tel%3A0312345678' } })
    fake.store.set('tsunagu.settings', DOC)
    fake.line.heldElsewhere = true
    setupStores(fake.ports)
    const session = useSessionStore()
    await session.start(async () => new FakeSoftphone())
    expect(fake.line.handedOff).toEqual(['0312345678'])
    expect(session.handedOff).toBe('0312345678')
  })

  it('the phone\'s tab dials a number handed over by another tab, asking first and getting the offer ready meanwhile', async () => {
    const fake = fakePorts()
    fake.store.set('tsunagu.settings', DOC)
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    await useSessionStore().start(async () => softphone)
    for (const listener of fake.line.dialListeners) listener('0663334444', 'https://evil.example')
    // The agent is asked first: a page IT does not trust asked for it.
    const consent = useDialConsentStore()
    await vi.waitFor(() => expect(consent.waiting).toEqual({ target: '0663334444', from: 'https://evil.example' }))
    expect(softphone.actions).not.toContain('dial 0663334444')
    // Its offer gets ready while the agent reads the question.
    expect(softphone.readyToDialCount).toBe(1)
    consent.call()
    await vi.waitFor(() => expect(softphone.actions).toContain('dial 0663334444'))
  })
})

describe('closing the tab', () => {
  it('unregisters the line when the page goes away', async () => {
    const fake = fakePorts()
    fake.store.set('tsunagu.settings', { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: '' } })
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    await useSessionStore().start(async () => softphone)
    fake.leavePage()
    await vi.waitFor(() => expect(softphone.actions).toContain('stop'))
  })
})

describe('frozen, hidden, sleeping or offline page', () => {
  const DOC = { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: '' } }

  async function startWith(fake: ReturnType<typeof fakePorts>) {
    fake.store.set('tsunagu.settings', DOC)
    setupStores(fake.ports)
    const softphone = new FakeSoftphone()
    const session = useSessionStore()
    await session.start(async () => softphone)
    return { softphone, session }
  }

  it.each(['resume', 'visible', 'pageshow', 'online', 'clock-jump'] as const)('%s → the line is checked at once', async (reason) => {
    const fake = fakePorts()
    const { softphone } = await startWith(fake)
    fake.wake(reason)
    expect(softphone.actions.filter((a) => a === 'verify')).toEqual(['verify'])
  })

  it('the page shown again checks the line at most every 30 s (agents switch tabs all day); resume always does', async () => {
    const clock = new FakeClock()
    const fake = fakePorts({ clock })
    const { softphone } = await startWith(fake)
    const checks = () => softphone.actions.filter((a) => a === 'verify').length
    fake.wake('visible')
    clock.advance(10_000)
    fake.wake('visible')
    expect(checks()).toBe(1)
    fake.wake('resume')
    expect(checks()).toBe(2)
    clock.advance(20_000)
    fake.wake('visible')
    expect(checks()).toBe(3)
  })

  it('offline → the line is checked at once (a socket on the lost network is found dead)', async () => {
    const fake = fakePorts()
    const { softphone } = await startWith(fake)
    fake.goOffline()
    expect(softphone.actions).toContain('verify')
  })

  it('a tab that does not hold the line checks nothing', async () => {
    const fake = fakePorts()
    fake.line.heldElsewhere = true
    const { softphone } = await startWith(fake)
    fake.wake('resume')
    fake.goOffline()
    expect(softphone.actions).not.toContain('verify')
  })

  it('a load that brought back a discarded tab tells the agent, until dismissed', async () => {
    const fake = fakePorts()
    fake.lifecycle.wasDiscarded = true
    await startWith(fake)
    expect(useLineStore().discarded).toBe(true)
    useLineStore().dismissDiscarded()
    expect(useLineStore().discarded).toBe(false)
  })
})
