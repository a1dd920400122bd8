import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import type { Component } from 'vue'
import { createVuetify } from 'vuetify'
import { createAppI18n, type Locale } from '@/i18n'
import settingsScreens from '@/i18n/settings-screens'

/**
 * Mounts a component as the app would: a fresh Vuetify and vue-i18n each time (jsdom), with
 * every message loaded (the settings screens' texts too, which the app loads with the dialog).
 * Stores and ports, when the component needs them, come from `setupStores` + `fakePorts`.
 */
export function render<C extends Component>(component: C, options: ComponentMountingOptions<C> = {}, locale: Locale = 'en') {
  return mount(component, {
    ...options,
    global: {
      ...options.global,
      plugins: [createVuetify(), createAppI18n(locale, [settingsScreens]), ...(options.global?.plugins ?? [])],
    },
  } as ComponentMountingOptions<C>)
}
