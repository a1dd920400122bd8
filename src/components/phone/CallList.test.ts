// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { PORTS } from '@/ports/ports'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { usePopupStore } from '@/stores/popup'
import { useSessionStore } from '@/stores/session'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import CallList from './CallList.vue'

const CRM = 'http://crm.test'
const DOC = {
  version: 1,
  sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' },
  cti: { target: 'custom', accesses: { search: { method: 'get-internal', url: `${CRM}/search?tel={TEL}`, format: '{NAME}{COMPANY}' } } },
}

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

describe('CallList', () => {
  it('shows a CRM answer a painted frame after the popup, and does not render for it before (the popup\'s frame)', async () => {
    const frame: (() => void)[] = []
    const paint = () => { for (const work of frame.splice(0)) work() }
    const fake = fakePorts({ visibility: { isHidden: () => false, focusPhone: () => undefined, afterPaint: (work) => void frame.push(work) } })
    fake.store.set('tsunagu.settings', DOC)
    // The CRM answers on the CTI world's clock: after the list has shown the ringing call.
    fake.world.http.on(`${CRM}/search`, { body: 'Yamada\r\nTsunagu Inc.\r\n', delayMs: 500 })
    const { pinia } = setupStores(fake.ports)
    const phone = new FakeSoftphone()
    await useSessionStore(pinia).start(async () => phone)
    // Every update of a component in the list (its rows' slots render in Vuetify's components).
    const renders = vi.fn()
    mounted = render(CallList, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports }, mixins: [{ updated: () => renders() }] } })
    phone.ring({ remoteUser: '0312345678' })
    await flushPromises()
    paint()
    await flushPromises()
    expect(mounted.findAll('[data-testid=call]')).toHaveLength(1)
    renders.mockClear()

    await fake.world.clock.advance(500)
    const popup = usePopupStore(pinia)
    await vi.waitFor(() => expect(popup.popups[0]?.values).toEqual({ NAME: 'Yamada', COMPANY: 'Tsunagu Inc.' }))
    await flushPromises()
    expect(renders).not.toHaveBeenCalled()
    expect(mounted.find('[data-testid=call-crm]').exists()).toBe(false)

    paint()
    await flushPromises()
    expect(mounted.get('[data-testid=call-crm]').text()).toBe('Yamada · Tsunagu Inc.')
    expect(renders).toHaveBeenCalled()
  })
})
