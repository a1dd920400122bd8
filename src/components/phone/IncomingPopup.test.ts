// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { render } from '@/testing/render'
import IncomingPopup from './IncomingPopup.vue'

/** Caller IDs and CRM answers are hostile input: they must reach the screen as text. */
const HOSTILE = '<img src=x onerror="window.__owned=1">山田 & <b>太郎</b>'

function popup(overrides: Record<string, unknown> = {}) {
  return {
    callId: 'c1',
    number: '0312345678',
    name: HOSTILE,
    anonymous: false,
    values: { COMPANY: '<script>alert(1)</script>株式会社', NOTE: '"quoted" <i>note</i>' },
    searching: false,
    searchFailed: false,
    ...overrides,
  }
}

describe('IncomingPopup', () => {
  it('shows caller name and CRM values as text, never as HTML', () => {
    const wrapper = render(IncomingPopup, { props: { popup: popup(), size: 'standard', buttons: true } })
    expect(wrapper.get('[data-testid=popup-name]').text()).toBe(HOSTILE)
    expect(wrapper.get('[data-testid=popup-company]').text()).toBe('<script>alert(1)</script>株式会社')
    expect(wrapper.get('[data-testid=popup-value-NOTE]').text()).toContain('"quoted" <i>note</i>')
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
  })

  it('prefers the CRM name over the SIP display name, and hides the buttons when asked', () => {
    const wrapper = render(IncomingPopup, { props: { popup: popup({ values: { NAME: '佐藤 花子' } }), size: 'large', buttons: false } })
    expect(wrapper.get('[data-testid=popup-name]').text()).toBe('佐藤 花子')
    expect(wrapper.find('[data-testid=popup-answer]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=incoming-popup]').attributes('data-size')).toBe('large')
  })

  it('a click on the body is the popup click; the buttons are not', async () => {
    const wrapper = render(IncomingPopup, { props: { popup: popup(), size: 'standard', buttons: true } })
    await wrapper.get('[data-testid=popup-answer]').trigger('click')
    expect(wrapper.emitted('answer')).toHaveLength(1)
    expect(wrapper.emitted('click')).toBeUndefined()
    await wrapper.get('[data-testid=incoming-popup]').trigger('click')
    expect(wrapper.emitted('click')).toHaveLength(1)
  })
})
