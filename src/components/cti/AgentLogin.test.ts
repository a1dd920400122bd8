// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { h } from 'vue'
import { VApp } from 'vuetify/components'
import type { AuthResult } from '@/cti'
import { PORTS } from '@/ports/ports'
import { useCtiStore } from '@/stores/cti'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import AgentLogin from './AgentLogin.vue'

// jsdom has no visual viewport; Vuetify's dialog positions itself with it.
beforeAll(() => {
  vi.stubGlobal('visualViewport', { width: 1024, height: 768, offsetLeft: 0, offsetTop: 0, scale: 1, addEventListener: () => undefined, removeEventListener: () => undefined })
})

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

/** The dialog in a follower tab, whose login runs in the tab with the line (`remote`). */
function mountFollower(answer: AuthResult | undefined, locale: 'en' | 'ja' = 'en') {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  const cti = useCtiStore()
  cti.setRemote({ openInCrm: () => undefined, openPast: async () => undefined, login: async () => answer, logout: () => undefined })
  cti.loginOpen = true
  mounted = render({ render: () => h(VApp, () => h(AgentLogin)) }, { attachTo: document.body, global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
}

async function submit(): Promise<string> {
  const id = document.querySelector<HTMLInputElement>('[data-testid=login-id] input')!
  id.value = 'agent01'
  id.dispatchEvent(new Event('input'))
  document.querySelector<HTMLElement>('[data-testid=login-submit]')!.click()
  await vi.waitFor(() => expect(document.querySelector('[data-testid=login-error]')).not.toBeNull())
  return document.querySelector('[data-testid=login-error]')!.textContent!.trim()
}

describe('AgentLogin', () => {
  it('says the CRM refused, with its status', async () => {
    mountFollower({ ok: false, reason: 'http-error', status: 401 })
    await vi.waitFor(() => expect(document.querySelector('[data-testid=login-submit]')).not.toBeNull())
    expect(await submit()).toBe('The CRM refused the login (HTTP 401). Check ID and password.')
  })

  it.each([
    ['en', 'The login did not go through: the tab with the line changed meanwhile. Please try again.'],
    ['ja', 'ログインできませんでした（その間に回線を持つタブが変わりました）。もう一度お試しください。'],
  ] as const)('a login the tab with the line never answered (it went away) says so and stays open (%s)', async (locale, text) => {
    mountFollower(undefined, locale)
    await vi.waitFor(() => expect(document.querySelector('[data-testid=login-submit]')).not.toBeNull())
    expect(await submit()).toBe(text)
    expect(document.querySelector('[data-testid=agent-login]')).not.toBeNull()
    expect(document.querySelector('[data-testid=login-submit]')!.classList).not.toContain('v-btn--loading')
  })
})
