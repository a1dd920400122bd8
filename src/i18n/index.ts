import { createI18n } from 'vue-i18n'

/** A message tree: strings at the leaves. */
export interface MessageTree {
  [key: string]: string | MessageTree
}
import en from './en'
import ja from './ja'

export type Locale = 'ja' | 'en'

/**
 * Messages are split by area so features can add theirs without touching one shared file:
 * each `*.messages.ts` in this folder exports `{ en, ja }` with a top-level key of its own.
 */
const areas = import.meta.glob<{ en: MessageTree; ja: MessageTree }>('./*.messages.ts', { eager: true })

export function allMessages() {
  const messages: { en: MessageTree; ja: MessageTree } = { en: { ...en }, ja: { ...ja } }
  for (const area of Object.values(areas)) {
    Object.assign(messages.en, area.en)
    Object.assign(messages.ja, area.ja)
  }
  return messages
}

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
    // vue-i18n's schema types want one literal message type; ours is merged from areas.
    messages: allMessages() as unknown as { en: typeof en; ja: typeof en },
  })
}
