import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { SHARED_PHONEBOOK_KEY, usePhonebooksStore } from './phonebooks'
import { useSettingsStore } from './settings'

const URL = 'http://crm.test/phonebook/shared.csv'
const CSV = '\ufeff名前,電話番号,部署\r\n山田商店 本社,03-1234-5678,代表\r\n大阪物産 受付,+81 6 6333 4444,受付\r\n'

function setup(respond: unknown = CSV) {
  const fake = fakePorts()
  fake.respond(URL, respond)
  setupStores(fake.ports)
  const settings = useSettingsStore()
  settings.settings = { ...settings.settings, phonebooks: { shared: URL, account: '', refreshMinutes: 60 } }
  return { fake, books: usePhonebooksStore() }
}

describe('the shared phonebook', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('is fetched at start and answers names for a number in any format', async () => {
    const { books } = setup()
    await books.start()
    expect(books.nameFor('0312345678')).toBe('山田商店 本社')
    expect(books.nameFor('+81312345678')).toBe('山田商店 本社')
    expect(books.nameFor('06-6333-4444')).toBe('大阪物産 受付')
    expect(books.nameFor('0522223333')).toBeUndefined()
    expect(books.sizes).toEqual({ terminal: 0, shared: 2 })
  })

  it('is kept in this browser: a start without the network still has the names, and says why it is old', async () => {
    const first = setup()
    await first.books.start()
    const stored = first.fake.store.get(SHARED_PHONEBOOK_KEY)
    expect(stored).toMatchObject({ url: URL })

    const offline = fakePorts()
    offline.store.set(SHARED_PHONEBOOK_KEY, stored)
    offline.respond(URL, new TypeError('Failed to fetch'))
    setupStores(offline.ports)
    const settings = useSettingsStore()
    settings.settings = { ...settings.settings, phonebooks: { shared: URL, account: '', refreshMinutes: 60 } }
    const books = usePhonebooksStore()
    await books.start()
    await vi.waitFor(() => expect(books.problems).toEqual([{ kind: 'fetch', url: URL, message: 'Failed to fetch' }]))
    expect(books.nameFor('0312345678')).toBe('山田商店 本社')
  })

  it('leaves no first-start wait behind once the book came: the only timer is the next refresh', async () => {
    const { books } = setup()
    await books.start()
    expect(books.sizes.shared).toBe(2)
    expect(vi.getTimerCount()).toBe(1)
    books.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('is refreshed every refreshMinutes', async () => {
    const { fake, books } = setup()
    await books.start()
    fake.respond(URL, '名前,電話番号\r\n山田 新,0312345678\r\n')
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    await vi.waitFor(() => expect(books.nameFor('0312345678')).toBe('山田 新'))
    books.stop()
  })

  it('reports rows it could not use and keeps the good ones', async () => {
    const { books } = setup('名前,電話番号\r\n山田,0312345678\r\n,0663334444\r\n佐藤,not a number\r\n')
    await books.start()
    expect(books.nameFor('0312345678')).toBe('山田')
    expect(books.problems).toEqual([{ kind: 'rows', url: URL, count: 2 }])
  })
})

describe('the account phonebook', () => {
  it('is fetched from the URL the CRM login gives, and answers after the shared phonebook', async () => {
    const { fake, books } = setup()
    await books.start()
    fake.respond('http://crm.test/agent-book?id=agent01&sid=SID-1', '名前,電話番号\r\n担当顧客 山田,0312345678\r\n担当顧客 鈴木,090-1234-5678\r\n')
    books.setAccountSource(() => 'http://crm.test/agent-book?id=agent01&sid=SID-1')
    await vi.waitFor(() => expect(books.sizes).toEqual({ terminal: 0, shared: 2, account: 2 }))
    // The shared phonebook comes first (shared → terminal → account).
    expect(books.nameFor('0312345678')).toBe('山田商店 本社')
    expect(books.nameFor('09012345678')).toBe('担当顧客 鈴木')
    books.setAccountSource(undefined)
    await vi.waitFor(() => expect(books.nameFor('09012345678')).toBeUndefined())
  })
})
