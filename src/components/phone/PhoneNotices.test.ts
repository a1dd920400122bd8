// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { mergeMessages } from '@/i18n'
import resumeMessages from '@/i18n/resume'
import { PORTS } from '@/ports/ports'
import { createLostNotice } from '@/recording/lost-notice'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { useCallsStore } from '@/stores/calls'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import PhoneNotices from './PhoneNotices.vue'

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

/** PhoneNotices as the app shows it, with the recorder's notice wired as `app-recording.ts` does. */
async function mountNotices(locale: 'en' | 'ja') {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  const calls = useCallsStore()
  mounted = render(PhoneNotices, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
  await flushPromises()
  const numbers: Record<string, string> = { c1: '0312345678', c2: '09011112222' }
  const noticeLost = createLostNotice({ numberOf: async (id) => numbers[id], notify: (n) => calls.notify(n), mergeMessages })
  return { wrapper: mounted, noticeLost }
}

const notices = () => mounted?.findAll('[data-testid=phone-notice][data-kind=recording-lost]') ?? []

describe('PhoneNotices: a recording the size cap removed before the CRM got it', () => {
  it('shows one alert per call on the main screen with its number (en), each dismissible', async () => {
    const { wrapper, noticeLost } = await mountNotices('en')
    expect(notices()).toHaveLength(0)
    await noticeLost(['c1', 'c2'])
    await vi.waitFor(() => expect(notices()).toHaveLength(2))
    expect(notices().map((n) => n.attributes('role'))).toEqual(['alert', 'alert'])
    expect(notices()[0]!.text()).toContain('The recording size limit removed the recording of the call with 0312345678 before the CRM received it.')
    expect(notices()[1]!.text()).toContain('09011112222')
    await wrapper.get('[data-testid=phone-notice][data-kind=recording-lost] button[aria-label=Dismiss]').trigger('click')
    await vi.waitFor(() => expect(notices()).toHaveLength(1))
    expect(notices()[0]!.text()).toContain('09011112222')
  })

  it('says it in Japanese', async () => {
    const { noticeLost } = await mountNotices('ja')
    await noticeLost(['c1'])
    await vi.waitFor(() => expect(notices()[0]?.text()).toContain('録音の容量上限のため、0312345678 との通話の録音を CRM に送信する前に削除しました。'))
    expect(mounted?.find('[data-testid=phone-notice] button[aria-label=閉じる]').exists()).toBe(true)
  })
})

describe('PhoneNotices: a call that could not be resumed', () => {
  it('its call-back button gets the line\'s offer ready on pointer or focus, and dials the number on click', async () => {
    await mountNotices('en')
    // The resume texts load with the resume logic (`stores/resume.ts`).
    mergeMessages(resumeMessages)
    const softphone = new FakeSoftphone()
    const calls = useCallsStore()
    calls.attach(softphone)
    calls.notify({ kind: 'resume-failed', number: '0312345678', reason: 'gone' })
    await flushPromises()
    expect(mounted!.text()).toContain('Call back')
    const button = mounted!.get('[data-testid=resume-call-back]')
    await button.trigger('pointerenter')
    await button.trigger('focus')
    expect(softphone.readyToDialCount).toBe(2)
    await button.trigger('click')
    await vi.waitFor(() => expect(softphone.actions).toContain('dial 0312345678'))
    expect(calls.notices).toEqual([])
  })
})
