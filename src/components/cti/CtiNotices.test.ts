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
  useCtiStore().blockedTabs = [{ callId: 'c1', url: 'https://crm.example/customer?tel=0312345678' }]
  useCtiStore().configErrors = [{ path: 'cti.tabName', code: 'tab-name', message: 'must be a tab name not starting with "_"' }]
  return render(CtiNotices, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
}

describe('CtiNotices', () => {
  it('links a blocked CRM page into the CRM tab the accesses use', () => {
    const link = mountNotices('tsunagu-phone').get('[data-testid=blocked-tab-link]')
    expect(link.attributes('href')).toBe('https://crm.example/customer?tel=0312345678')
    expect(link.attributes('target')).toBe('tsunagu-crm')
  })

  it('never targets the phone’s own tab, even when the CRM tab has its name', () => {
    expect(mountNotices('tsunagu-crm').get('[data-testid=blocked-tab-link]').attributes('target')).toBe('tsunagu-crm-crm')
  })

  it('names the wrong setting and what is wrong with it in the UI language', () => {
    const error = mountNotices('tsunagu-phone', 'ja').get('[data-testid=cti-config-error]')
    expect(error.attributes('data-path')).toBe('cti.tabName')
    expect(error.text()).toContain('_')
    expect(error.text()).not.toContain('must be')
  })
})
