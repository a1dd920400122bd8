// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { PORTS } from '@/ports/ports'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { useCallsStore } from '@/stores/calls'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import DialPad from './DialPad.vue'

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

async function mountPad() {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  const phone = new FakeSoftphone()
  useCallsStore().attach(phone)
  mounted = render(DialPad, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } }, attachTo: document.body })
  await flushPromises()
  return { wrapper: mounted, phone }
}

describe('DialPad', () => {
  it('tells the line the agent is at the pad: on focus, on each typed key and each keypad key', async () => {
    const { wrapper, phone } = await mountPad()
    expect(phone.readyToDialCount).toBe(0)
    const input = wrapper.get('[data-testid=dial-input] input')
    await input.trigger('focus')
    expect(phone.readyToDialCount).toBe(1)
    await input.setValue('03')
    expect(phone.readyToDialCount).toBe(2)
    await wrapper.findAll('.keypad button')[0]!.trigger('click')
    expect(phone.readyToDialCount).toBe(3)
    expect((input.element as HTMLInputElement).value).toBe('031')
  })
})
