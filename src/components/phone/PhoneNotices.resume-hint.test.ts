// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { nextTick } from 'vue'
import { mergeMessages } from '@/i18n'
import resumeMessages from '@/i18n/resume'
import { PORTS } from '@/ports/ports'
import type { CallInfo } from '@/sip'
import { useCallsStore, type Call } from '@/stores/calls'
import { useSettingsStore } from '@/stores/settings'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import PhoneNotices from './PhoneNotices.vue'

function callIn(state: CallInfo['state']): Call {
  const sip = { id: 'c1', direction: 'in', state, remoteUser: '0312345678', localUser: '1001', startedAt: 0, held: false, muted: false } as CallInfo
  return { id: 'c1', sip, reading: { remote: '0312345678' } as Call['reading'], crm: { searchState: 'idle', values: {}, searchFailed: false } }
}

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

/** The phone's notices with one call in `state` and `call.resumeSeconds` as given. */
async function mountNotices(state: CallInfo['state'], resumeSeconds: number, locale: 'en' | 'ja' = 'en') {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  await useSettingsStore().setValue('call.resumeSeconds', resumeSeconds)
  mounted?.unmount()
  mounted = render(PhoneNotices, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
  // As the resume store does when the line loads it.
  mergeMessages(resumeMessages)
  useCallsStore().calls = [callIn(state)]
  await nextTick()
  return mounted
}

describe('PhoneNotices: what a reload does to the call (issue 12 item 4)', () => {
  it.each([['en', 'continues after the reload'], ['ja', '再読み込み後に続きます']] as const)(
    'with call.resumeSeconds > 0 and a call in progress, says the call continues after a reload (%s)',
    async (locale, text) => {
      const hint = (await mountNotices('active', 60, locale)).get('[data-testid=resume-hint]')
      expect(hint.text()).toContain(text)
    },
  )

  it('says nothing of the kind with call.resumeSeconds 0 (a reload ends the call), nor for a call that only rings', async () => {
    expect((await mountNotices('active', 0)).find('[data-testid=resume-hint]').exists()).toBe(false)
    expect((await mountNotices('ringing', 60)).find('[data-testid=resume-hint]').exists()).toBe(false)
  })
})
