import { createI18n, type I18n } from 'vue-i18n'

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

/** The app's i18n instance, for messages that load later (`loadSettingsScreenMessages`). */
let appI18n: I18n | undefined

/**
 * The settings screens' texts, merged into the app's messages before the settings dialog
 * opens (it awaits this): about 6 KB of gzip JavaScript the first paint does without.
 */
export async function loadSettingsScreenMessages(): Promise<void> {
  const screens = (await import('./settings-screens')).default
  const global = appI18n?.global as { mergeLocaleMessage(locale: string, messages: MessageTree): void } | undefined
  global?.mergeLocaleMessage('en', screens.en)
  global?.mergeLocaleMessage('ja', screens.ja)
}

/** Messages of an area loaded later (e.g. with the line: `resume.ts`), merged into the app's. */
export function mergeMessages(messages: { en: MessageTree; ja: MessageTree }): void {
  const global = appI18n?.global as { mergeLocaleMessage(locale: string, messages: MessageTree): void } | undefined
  global?.mergeLocaleMessage('en', messages.en)
  global?.mergeLocaleMessage('ja', messages.ja)
}

/** `extra`: messages merged in from the start (tests mount settings screens without the dialog). */
export function createAppI18n(locale: Locale, extra: readonly { en: MessageTree; ja: MessageTree }[] = []) {
  const i18n = createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    // vue-i18n's schema types want one literal message type; ours is merged from areas.
    messages: allMessages() as unknown as { en: typeof en; ja: typeof en },
  })
  appI18n = i18n as unknown as I18n
  const global = i18n.global as unknown as { mergeLocaleMessage(locale: string, messages: MessageTree): void }
  for (const messages of extra) {
    global.mergeLocaleMessage('en', messages.en)
    global.mergeLocaleMessage('ja', messages.ja)
  }
  return i18n
}
