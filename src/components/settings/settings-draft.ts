import { computed, inject, reactive, ref, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import { DERIVED_WHEN_EMPTY, defaultCtiSettings } from '@/settings/cti-defaults'
import { isLocked } from '@/settings/locks'
import { deepMerge } from '@/settings/merge'
import { cloneJson, getPath, isWithin, sameJson, setPath, unsetPath } from '@/settings/paths'
import { defaultSettings, type FieldError, type Settings } from '@/settings/settings'
import { validateDocument } from '@/settings/validate'

/**
 * The settings being edited: a copy of the saved settings that may hold invalid values while
 * the agent types (so each error can be named as it happens), checked on every change by the
 * schema (whose `cti` part is the CTI engine's own). Saving goes through the session store.
 */
export interface SettingsDraft {
  readonly doc: Ref<Settings>
  /** The value at `path`, or its default when the document leaves it out. */
  get(path: string): unknown
  set(path: string, value: unknown): void
  isLocked(path: string): boolean
  /** Errors at `path` or below it. */
  errorsAt(path: string): FieldError[]
  readonly errors: ComputedRef<FieldError[]>
  readonly dirty: ComputedRef<boolean>
  /** Starts over from `saved` (after a save, an import, or "discard"). */
  reset(saved: Settings): void
  /** Values the test console extracted (e.g. {SID} from auth), offered to the next access tried. */
  readonly scratch: Record<string, string>
  /**
   * Problems a screen finds in what it holds but cannot write yet (two extra fields with one
   * name: the document's object cannot say it), under the screen's own `source` key: they count
   * in `errors` (so Save waits) until the screen reports none.
   */
  report(source: string, problems: FieldError[]): void
}

export const SETTINGS_DRAFT: InjectionKey<SettingsDraft> = Symbol('tsunagu.settingsDraft')

/** What the screens show for a key the document leaves out. */
const shownDefaults = deepMerge(defaultSettings(), { cti: defaultCtiSettings() })
const derivedWhenEmpty: readonly string[] = DERIVED_WHEN_EMPTY

export function createSettingsDraft(saved: () => Settings): SettingsDraft {
  const doc = ref(cloneJson(saved())) as Ref<Settings>
  const reported = ref<Record<string, FieldError[]>>({})
  const errors = computed(() => [...validateDocument(doc.value, { cti: 'strict' }).errors, ...Object.values(reported.value).flat()])

  const locked = () => saved().locked

  return {
    doc,
    get: (path) => getPath(doc.value, path) ?? getPath(shownDefaults, path),
    set(path, value) {
      if (isLocked(locked(), path)) return
      // "Empty" of a derived key means "derive it": the key is removed, never saved as ''.
      doc.value = value === '' && derivedWhenEmpty.includes(path) ? unsetPath(doc.value, path) : setPath(doc.value, path, value)
    },
    isLocked: (path) => isLocked(locked(), path),
    errorsAt: (path) => errors.value.filter((e) => isWithin(e.path, path)),
    errors,
    dirty: computed(() => !sameJson(doc.value, saved())),
    reset(next) {
      doc.value = cloneJson(next)
    },
    scratch: reactive({}),
    report(source, problems) {
      const { [source]: _, ...others } = reported.value
      reported.value = problems.length > 0 ? { ...others, [source]: problems } : others
    },
  }
}

export function useSettingsDraft(): SettingsDraft {
  const draft = inject(SETTINGS_DRAFT, undefined)
  if (!draft) throw new Error('useSettingsDraft() needs SettingsDialog to provide SETTINGS_DRAFT')
  return draft
}
