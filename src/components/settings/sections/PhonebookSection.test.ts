// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { PORTS } from '@/ports/ports'
import { TERMINAL_PHONEBOOK_KEY, usePhonebooksStore } from '@/stores/phonebooks'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import PhonebookSection from './PhonebookSection.vue'

async function mountSection() {
  const fake = fakePorts()
  const { pinia } = setupStores(fake.ports)
  await usePhonebooksStore().start()
  const wrapper = render(PhonebookSection, { global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } })
  return { fake, wrapper, books: usePhonebooksStore() }
}

describe('the terminal phonebook (端末電話帳)', () => {
  it('adds an entry the call reading then finds in any number format, and keeps it in this browser', async () => {
    const { fake, wrapper, books } = await mountSection()
    await wrapper.get('[data-testid=phonebook-name] input').setValue('山田 太郎')
    await wrapper.get('[data-testid=phonebook-number] input').setValue('03-1234-5678')
    await wrapper.get('[data-testid=phonebook-add]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid=phonebook-entry]').map((row) => row.text())).toEqual(['山田 太郎03-1234-5678'])
    expect(books.nameFor('+81312345678')).toBe('山田 太郎')
    expect(fake.store.get(TERMINAL_PHONEBOOK_KEY)).toEqual([{ name: '山田 太郎', number: '03-1234-5678' }])
  })

  it('refuses an entry that is no phone number', async () => {
    const { wrapper, books } = await mountSection()
    await wrapper.get('[data-testid=phonebook-name] input').setValue('誰か')
    await wrapper.get('[data-testid=phonebook-number] input').setValue('abc')
    await wrapper.get('[data-testid=phonebook-add]').trigger('click')
    await flushPromises()
    expect(books.terminal).toEqual([])
    expect(wrapper.text()).toContain('Enter a name and a phone number.')
  })

  it('imports a CSV (replacing the list) and exports an Excel-friendly one', async () => {
    const { fake, books } = await mountSection()
    const problems = await books.importTerminal('\ufeff電話番号,名前\r\n0663334444,佐藤 花子\r\nnot a number,誰か\r\n')
    expect(problems.map((p) => p.line)).toEqual([3])
    expect(books.nameFor('06-6333-4444')).toBe('佐藤 花子')
    await books.exportTerminal(new Date('2026-12-01T00:00:00Z'))
    const saved = fake.saved.at(-1)!
    expect(saved.name).toBe('tsunagu-phonebook-2026-12-01.csv')
    expect(saved.text.startsWith('\ufeffname,number\r\n佐藤 花子,0663334444')).toBe(true)
  })
})
