// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { PORTS } from '@/ports/ports'
import { defaultSettings } from '@/settings/settings'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import { createSettingsDraft, SETTINGS_DRAFT } from '../settings-draft'
import AudioSection from './AudioSection.vue'

function mountSection(options: { refuse?: boolean } = {}) {
  const fake = fakePorts()
  fake.plug([
    { kind: 'audioinput', deviceId: 'mic-1', label: '' },
    { kind: 'audiooutput', deviceId: 'spk-1', label: '' },
  ])
  if (options.refuse) fake.ports.audioDevices = { ...fake.ports.audioDevices, revealLabels: async () => false }
  const { pinia } = setupStores(fake.ports)
  const draft = createSettingsDraft(() => defaultSettings())
  const wrapper = render(AudioSection, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports, [SETTINGS_DRAFT as symbol]: draft } } })
  return { fake, wrapper }
}

describe('AudioSection', () => {
  it('offers to reveal device names while the browser hides them, and hides the offer once named', async () => {
    const { wrapper } = mountSection()
    await flushPromises()
    const reveal = wrapper.get('[data-testid=audio-reveal]')
    await reveal.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid=audio-reveal]').exists()).toBe(false)
  })

  it('says so when the agent refuses the microphone', async () => {
    const { wrapper } = mountSection({ refuse: true })
    await flushPromises()
    await wrapper.get('[data-testid=audio-reveal]').trigger('click')
    await flushPromises()
    expect(wrapper.get('.text-error').text()).toBe('The browser did not allow the microphone, so device names stay hidden.')
  })

  it('follows devices plugged in while open: named ones need no reveal', async () => {
    const { fake, wrapper } = mountSection()
    await flushPromises()
    fake.plug([{ kind: 'audioinput', deviceId: 'mic-9', label: 'USB headset' }])
    await flushPromises()
    expect(wrapper.find('[data-testid=audio-reveal]').exists()).toBe(false)
  })
})
