import { computed, type ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { templateTokenNames } from '@/settings/template-tokens'
import type { Token } from './TemplateField.vue'
import { useSettingsDraft } from './settings-draft'

/** docs/cti-integration.md §6 filters, offered on {TEL} where they are most used. */
const FILTER_EXAMPLES = ['{TEL|e164}', '{TEL|national}', '{TEL|digits}']

/**
 * The placeholders an access template can use (docs/cti-integration.md §6): the built-in ones, then
 * the variables the auth and search response formats extract (with NAME and COMPANY always known).
 */
export function useTemplateTokens(): ComputedRef<Token[]> {
  const { t, te } = useI18n()
  const draft = useSettingsDraft()
  return computed(() => {
    const { builtin, extracted } = templateTokenNames(['auth', 'search'].map((name) => draft.get(`cti.accesses.${name}.format`)))
    return [
      ...builtin.map((name) => ({ text: `{${name}}`, description: te(`settings.placeholders.${name}`) ? t(`settings.placeholders.${name}`) : name })),
      ...extracted.map((name) => ({ text: `{${name}}`, description: t('settings.placeholders.extracted') })),
      ...FILTER_EXAMPLES.map((text) => ({ text, description: t('settings.placeholders.filters') })),
    ]
  })
}

/** Tokens of a text response format: line breaks and the usual variables. */
export function useFormatTokens(): ComputedRef<Token[]> {
  const { t } = useI18n()
  return computed(() => [
    ...(['CRLF', 'CR', 'LF'] as const).map((name) => ({ text: `{${name}}`, description: t(`settings.placeholders.${name}`) })),
    ...['SID', 'NAME', 'COMPANY'].map((name) => ({ text: `{${name}}`, description: t('settings.placeholders.extracted') })),
  ])
}
