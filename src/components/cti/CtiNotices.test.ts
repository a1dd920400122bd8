// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { PORTS } from '@/ports/ports'
import { useCtiStore } from '@/stores/cti'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import CtiNotices from './CtiNotices.vue'

function mountNotices(ownTabName: string, locale: 'en' | 'ja' = 'en') {
  const fake = fakePorts()
  fake.page.ownTabName = ownTabName
  const { pinia } = setupStores(fake.ports)
  useCtiStore().blockedTabs = [{ callId: 'c1', url: 'https://crm.example/customer?tel=0312345678', label: 'https://crm.example/customer?tel=0312345678' }]
  useCtiStore().configErrors = [{ path: 'cti.tabName', code: 'tab-name', message: 'must be a tab name not starting with "_"' }]
  const wrapper = render(CtiNotices, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
  fakes.set(wrapper, fake)
  return wrapper
}

const fakes = new WeakMap<object, ReturnType<typeof fakePorts>>()
const fakeOf = (wrapper: object) => fakes.get(wrapper)!

describe('CtiNotices', () => {
  it('a plain click on a blocked CRM page opens it the way the accesses do, into the CRM tab', async () => {
    const wrapper = mountNotices('tsunagu-phone')
    const link = wrapper.get('[data-testid=blocked-tab-link]')
    expect(link.attributes('href')).toBe('https://crm.example/customer?tel=0312345678')
    // Should the browser refuse again, the link itself opens without an opener to the phone.
    expect(link.attributes('rel')).toBe('noopener')
    await link.trigger('click', { button: 0 })
    expect(fakeOf(wrapper).world.tabs.opened).toEqual([{ url: 'https://crm.example/customer?tel=0312345678', tabName: 'tsunagu-crm' }])
    expect(wrapper.find('[data-testid=blocked-tab]').exists()).toBe(false)
  })

  it('names the wrong setting and what is wrong with it in the UI language', () => {
    const error = mountNotices('tsunagu-phone', 'ja').get('[data-testid=cti-config-error]')
    expect(error.attributes('data-path')).toBe('cti.tabName')
    expect(error.text()).toContain('_')
    expect(error.text()).not.toContain('must be')
  })
})
