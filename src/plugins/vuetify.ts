import 'vuetify/styles'
import { useI18n } from 'vue-i18n'
import { createVuetify } from 'vuetify'
import { aliases, mdi } from 'vuetify/iconsets/mdi-svg'
import { createVueI18nAdapter } from 'vuetify/locale/adapters/vue-i18n'

/**
 * Vuetify's own texts ("No data available", pagination, close labels) come from vue-i18n too
 * (`$vuetify` messages, see `src/i18n/vuetify.messages.ts`), so they follow the app's language.
 */
export function createAppVuetify(i18n: object) {
  return createVuetify({
    icons: { defaultSet: 'mdi', aliases, sets: { mdi } },
    theme: { defaultTheme: 'light' },
    // The adapter's types predate vue-i18n 11's message-schema generics; any i18n instance works.
    locale: { adapter: createVueI18nAdapter({ i18n: i18n as Parameters<typeof createVueI18nAdapter>[0]['i18n'], useI18n }) },
  })
}
