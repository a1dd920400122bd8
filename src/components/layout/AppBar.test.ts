// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { h } from 'vue'
import { VApp } from 'vuetify/components'
import { PORTS } from '@/ports/ports'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import AppBar from './AppBar.vue'

describe('AppBar', () => {
  it('asks for notifications only when the agent clicks, and drops the button once answered', async () => {
    const fake = fakePorts()
    const asked: string[] = []
    fake.ports.notifier = { ...fake.ports.notifier, permission: 'default', requestPermission: async () => { asked.push('asked'); return 'granted' } }
    const { pinia } = setupStores(fake.ports)
    const wrapper = render({ render: () => h(VApp, () => h(AppBar)) }, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } })
    await flushPromises()
    expect(asked).toEqual([])
    await wrapper.get('[data-testid=enable-notifications]').trigger('click')
    await flushPromises()
    expect(asked).toEqual(['asked'])
    expect(wrapper.find('[data-testid=enable-notifications]').exists()).toBe(false)
  })
})
