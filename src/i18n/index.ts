import { createI18n } from 'vue-i18n'
import en from './en'
import ja from './ja'

export type Locale = 'ja' | 'en'

/** Japanese when the browser prefers it, else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  const first = languages.find((l) => /^(ja|en)\b/i.test(l))
  return first && /^ja/i.test(first) ? 'ja' : 'en'
}

export function createAppI18n(locale: Locale) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, ja },
  })
}
