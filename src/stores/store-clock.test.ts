import { describe, expect, it, vi } from 'vitest'
import { FakeClock } from '@/sip/fake-clock'
import { FakeSoftphone } from '@/sip/fake-softphone'
import type { SoftphoneConfig } from '@/sip'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useLineStore } from './line'
import { usePopupStore } from './popup'
import { useSettingsStore } from './settings'

const CONFIG: SoftphoneConfig = {
  server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001',
  contactName: 'abc', viaHost: 'abc.invalid', iceServers: [], iceGatheringTimeoutMs: 1500, registerExpires: 300,
}

/** The stores on the ports' injected clock: time moves only when the test says so. */
async function onFakeClock() {
  const clock = new FakeClock()
  const fake = fakePorts({ clock })
  setupStores(fake.ports)
  await useCtiStore().start()
  const settings = useSettingsStore()
  const s = settings.settings
  settings.settings = { ...s, call: { ...s.call, autoAnswerSeconds: 3 }, popup: { ...s.popup, displaySeconds: 5 } }
  const softphone = new FakeSoftphone()
  await useLineStore().connect(CONFIG, async () => softphone)
  return { clock, softphone, calls: useCallsStore(), popup: usePopupStore() }
}

describe('store timers on the injected clock', () => {
  it('auto-answer and the popup\'s display time run on the ports\' clock', async () => {
    const { clock, softphone, calls, popup } = await onFakeClock()
    const call = softphone.ring({ remoteUser: '0312345678' })
    await Promise.resolve()
    expect(clock.pendingDelays).toEqual([3000, 5000])
    clock.advance(2999)
    expect(calls.active[0]?.sip.state).toBe('ringing')
    expect(popup.popups).toHaveLength(1)
    clock.advance(1)
    await vi.waitFor(() => expect(softphone.actions).toContain(`answer ${call.id}`))
  })

  it('a call that ends, and the line that disconnects, leave no store timer behind', async () => {
    const { clock, softphone } = await onFakeClock()
    const call = softphone.ring({ remoteUser: '0312345678' })
    await Promise.resolve()
    expect(clock.pendingDelays).toHaveLength(2)
    softphone.remoteHangup(call.id, 'cancelled')
    await Promise.resolve()
    expect(clock.pendingDelays).toEqual([])
    softphone.ring({ remoteUser: '0663334444' })
    await Promise.resolve()
    await useLineStore().disconnect()
    expect(clock.pendingDelays).toEqual([])
  })
})
