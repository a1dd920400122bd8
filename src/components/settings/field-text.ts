import { useI18n } from 'vue-i18n'
import type { FieldError } from '@/settings/settings'

const ACCESS_PATH = /^cti\.accesses\.(auth|search|click|ring|answer|hangup)(?:\.([A-Za-z]+))?(\..+)?$/

/**
 * Names of settings and their errors in the UI language, so every message says which field is
 * wrong: "SIP server (WebSocket URL) must be a ws:// or wss:// URL".
 */
export function useFieldText() {
  const { t, te } = useI18n()

  function label(path: string): string {
    if (path === '') return t('settings.errors.document')
    const access = ACCESS_PATH.exec(path)
    if (access) {
      const name = t(`settings.access.${access[1]}`)
      const field = access[2] && te(`settings.accessField.${access[2]}`) ? t(`settings.accessField.${access[2]}`) : access[2]
      return [name, field, access[3]?.slice(1)].filter(Boolean).join(' – ')
    }
    if (te(`settings.field.${path}`)) return t(`settings.field.${path}`)
    // A list item or a key below a known one: the known part's name, then the rest as typed.
    const parts = path.split('.')
    for (let i = parts.length - 1; i > 0; i--) {
      const head = parts.slice(0, i).join('.')
      if (te(`settings.field.${head}`)) {
        const rest = parts.slice(i).map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : p))
        return `${t(`settings.field.${head}`)} ${rest.join(' ')}`
      }
    }
    return path
  }

  function message(error: FieldError): string {
    return error.code ? t(`settings.errors.${error.code}`, error.params ?? {}) : error.message
  }

  /** The whole line: the field's name and what is wrong with it. */
  function errorText(error: FieldError): string {
    return t('settings.errorLine', { field: label(error.path), message: message(error) })
  }

  return { label, message, errorText }
}
