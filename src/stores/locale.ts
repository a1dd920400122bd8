import { defineStore } from 'pinia'
import { computed, watch } from 'vue'
import { preferredLocale, type Locale } from '@/i18n'
import { usePorts } from '@/ports/ports'
import { useSettingsStore } from './settings'

/**
 * The UI language: `ui.language`, where `auto` follows the browser's preferred languages. The
 * page's `lang` attribute follows it (screen readers read Japanese as Japanese); App.vue hands
 * `locale` to vue-i18n.
 */
export const useLocaleStore = defineStore('locale', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const locale = computed<Locale>(() => {
    const language = settingsStore.settings.ui.language
    return language === 'auto' ? preferredLocale(ports.language.preferred) : language
  })
  watch(locale, (lang) => ports.language.setDocumentLanguage(lang), { immediate: true })
  return { locale }
})
