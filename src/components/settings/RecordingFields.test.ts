// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { PORTS } from '@/ports/ports'
import { defaultSettings, type Settings } from '@/settings/settings'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import AccessEditor from './AccessEditor.vue'
import { createSettingsDraft, SETTINGS_DRAFT } from './settings-draft'

function saved(recording: Record<string, unknown>): Settings {
  const doc = defaultSettings() as Settings & { cti?: Record<string, unknown> }
  return { ...doc, cti: { ...(doc.cti ?? {}), accesses: { recording: { method: 'post-internal', url: 'http://127.0.0.1:8090/recordings', ...recording } } } } as Settings
}

function mountEditor(recording: Record<string, unknown> = {}, locale: 'en' | 'ja' = 'en') {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  const draft = createSettingsDraft(() => saved(recording))
  const wrapper = render(AccessEditor, { props: { name: 'recording' }, global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports, [SETTINGS_DRAFT as symbol]: draft } } }, locale)
  return { wrapper, draft }
}

const fields = (draft: ReturnType<typeof createSettingsDraft>) => draft.get('cti.accesses.recording.fields')

describe('the recording access editor: upload form fields', () => {
  it('shows the provisioned file field and extra fields, and edits, adds and removes rows into the settings', async () => {
    const { wrapper, draft } = mountEditor({ field: 'audio', fields: { callId: '{ID}', agent: '{EXT}' } })
    await flushPromises()
    expect(wrapper.get('[data-testid="setting-cti.accesses.recording.field"] input').element).toHaveProperty('value', 'audio')
    const rows = () => wrapper.findAll('[data-testid=recording-field]')
    expect(rows().map((r) => [r.get('[data-testid=recording-field-name] input').element, r.get('[data-testid=recording-field-value] input').element].map((e) => (e as HTMLInputElement).value)))
      .toEqual([['callId', '{ID}'], ['agent', '{EXT}']])

    await rows()[1]!.get('[data-testid=recording-field-value] input').setValue('{EXT}-{CODE1}')
    await wrapper.get('[data-testid=recording-field-add]').trigger('click')
    await rows()[2]!.get('[data-testid=recording-field-name] input').setValue('started')
    await rows()[2]!.get('[data-testid=recording-field-value] input').setValue('{START}')
    await rows()[0]!.get('[data-testid=recording-field-remove]').trigger('click')
    expect(fields(draft)).toEqual({ agent: '{EXT}-{CODE1}', started: '{START}' })
    expect(Object.keys(fields(draft) as object)).toEqual(['agent', 'started'])
    expect(draft.errors.value).toEqual([])
    expect(draft.dirty.value).toBe(true)

    await wrapper.get('[data-testid="setting-cti.accesses.recording.field"] input').setValue('recording')
    expect(draft.get('cti.accesses.recording.field')).toBe('recording')
  })

  it('names a row without a name, a name used twice or the file’s own name, and Save waits until it is fixed', async () => {
    const { wrapper, draft } = mountEditor({ fields: { callId: '{ID}' } })
    await flushPromises()
    const rows = () => wrapper.findAll('[data-testid=recording-field]')
    await wrapper.get('[data-testid=recording-field-add]').trigger('click')
    expect(rows()[1]!.text()).toContain('A field needs a name')
    expect(draft.errors.value).toHaveLength(1)
    await rows()[1]!.get('[data-testid=recording-field-name] input').setValue('callId')
    expect(rows()[1]!.text()).toContain('Two fields are named “callId”')
    expect(draft.errors.value.length).toBeGreaterThan(0)
    await rows()[1]!.get('[data-testid=recording-field-name] input').setValue('file')
    expect(rows()[1]!.text()).toContain('“file” is the file’s field')
    // The document still holds the last valid set while a row is wrong.
    expect(fields(draft)).toEqual({ callId: '{ID}' })
    await rows()[1]!.get('[data-testid=recording-field-name] input').setValue('agent')
    expect(draft.errors.value).toEqual([])
    expect(fields(draft)).toEqual({ callId: '{ID}', agent: '' })
    await rows()[1]!.get('[data-testid=recording-field-remove]').trigger('click')
    await rows()[0]!.get('[data-testid=recording-field-remove]').trigger('click')
    expect(wrapper.text()).toContain('No extra fields.')
    expect(fields(draft)).toBeUndefined()
  })

  it('a discard or an import replaces the rows with the document’s fields', async () => {
    const { wrapper, draft } = mountEditor({ fields: { callId: '{ID}' } })
    await flushPromises()
    await wrapper.get('[data-testid=recording-field-add]').trigger('click')
    expect(draft.errors.value).toHaveLength(1)
    draft.reset(saved({ fields: { other: '{TEL}' } }))
    await flushPromises()
    expect(wrapper.findAll('[data-testid=recording-field-name] input').map((i) => (i.element as HTMLInputElement).value)).toEqual(['other'])
    expect(draft.errors.value).toEqual([])
  })

  it('speaks Japanese', async () => {
    const { wrapper } = mountEditor({}, 'ja')
    await flushPromises()
    expect(wrapper.text()).toContain('アップロードのフォーム項目')
    expect(wrapper.text()).toContain('追加の項目はありません。')
    await wrapper.get('[data-testid=recording-field-add]').trigger('click')
    expect(wrapper.text()).toContain('項目名を入力してください')
  })
})
