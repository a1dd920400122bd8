import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { pollDelay } from '@/cti/jitter'
import type { PhonebookEntry, PhonebookIndex, PhonebookProblem as RowProblem, Phonebooks } from '@/phonebook/phonebook'
import { usePorts } from '@/ports/ports'
import { useSettingsStore } from './settings'

/** The shared phonebook as last fetched, kept in this browser for a start without the network. */
export const SHARED_PHONEBOOK_KEY = 'tsunagu.phonebook.shared'
/** 端末電話帳: the entries the agent keeps in this browser. */
export const TERMINAL_PHONEBOOK_KEY = 'tsunagu.phonebook.terminal'

interface StoredBook {
  url: string
  text: string
  contentType: string
  fetchedAt: string
}

/** How long the first start (nothing stored yet) waits for the shared phonebook before the line starts. */
const FIRST_FETCH_WAIT_MS = 3000

export type PhonebookProblem =
  | { kind: 'fetch'; url: string; message: string }
  | { kind: 'rows'; url: string; count: number }

/**
 * The phonebooks behind `{TELNAME}`/`{CALLEDNAME}` and the popup's name (docs/cti-integration.md
 * §6): the shared phonebook (共有電話帳) provisioned by URL, refreshed at start and every
 * `phonebooks.refreshMinutes`, and kept in this browser for offline starts.
 *
 * `nameFor` is what the call reading asks on the ring path: one normalisation and one Map read,
 * synchronous, never waiting for a fetch. The parser and the number formats load with the start,
 * not with the first paint.
 */
export const usePhonebooksStore = defineStore('phonebooks', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  /** Plain indexes (Maps): never reactive, they can hold 50,000 numbers. */
  let books: Phonebooks = {}
  let lookup: ((number: string, books: Phonebooks) => string | undefined) | undefined
  let timer: unknown
  /** The account phonebook's URL with this agent's `{AID}`/`{SID}` (set by the CTI store after login). */
  let accountUrl: (() => string | undefined) | undefined
  const sizes = ref<Partial<Record<keyof Phonebooks, number>>>({})
  const problems = shallowRef<PhonebookProblem[]>([])
  const updatedAt = ref<string>()
  /** 端末電話帳, as the agent edits it (small: a few hundred numbers, so it may be reactive). */
  const terminal = shallowRef<PhonebookEntry[]>([])

  const sharedUrl = computed(() => settingsStore.settings.phonebooks.shared)

  /** The name stored for a number, shared → terminal → account; undefined when none has it. */
  function nameFor(number: string): string | undefined {
    return lookup?.(number, books)
  }

  /** Loads the stored copy, then refreshes from the network (waited for only on a first start). */
  async function start(): Promise<void> {
    stop()
    const module = await import('@/phonebook/phonebook')
    lookup = (number, current) => {
      const found = module.lookupName(number, current)
      return found?.name
    }
    const saved = await ports.storage.get<PhonebookEntry[]>(TERMINAL_PHONEBOOK_KEY).catch(() => undefined)
    setTerminal(module, Array.isArray(saved) ? saved : [])
    const url = sharedUrl.value
    if (!url) {
      const { shared: _gone, ...rest } = books
      books = rest
      return
    }
    const stored = await ports.storage.get<StoredBook>(SHARED_PHONEBOOK_KEY).catch(() => undefined)
    if (stored?.url === url) use(module, stored)
    const fresh = refresh()
    if (stored && stored.url === url) return
    // No copy of this book yet: wait for it a little, then start without it. The wait's timer
    // goes when the book came first.
    let wait: unknown
    await Promise.race([fresh, new Promise((resolve) => { wait = ports.clock.setTimeout(() => resolve(undefined), FIRST_FETCH_WAIT_MS) })])
    ports.clock.clearTimeout(wait)
  }

  function stop(): void {
    ports.clock.clearTimeout(timer)
    timer = undefined
  }

  /**
   * アカウント電話帳: after the CRM login, the URL template expanded with this agent's values;
   * fetched now and at every refresh. `undefined` (logged out) forgets the book.
   */
  function setAccountSource(source: (() => string | undefined) | undefined): void {
    accountUrl = source
    void refreshAccount()
  }

  async function refreshAccount(): Promise<void> {
    const url = accountUrl?.()
    if (!url) {
      const { account: _gone, ...rest } = books
      books = rest
      const { account: _size, ...sizesLeft } = sizes.value
      sizes.value = sizesLeft
      return
    }
    try {
      const response = await ports.fetch(url, { cache: 'no-store', redirect: 'error', credentials: 'include' })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const text = await response.text()
      const module = await import('@/phonebook/phonebook')
      const index = module.buildIndex(module.parsePhonebook(text, response.headers.get('content-type') ?? '').entries)
      books = { ...books, account: index }
      sizes.value = { ...sizes.value, account: index.size }
    } catch (error) {
      problems.value = [...problems.value.filter((p) => !(p.kind === 'fetch' && p.url === 'account')), { kind: 'fetch', url: 'account', message: error instanceof Error ? error.message : String(error) }]
    }
  }

  async function refresh(): Promise<void> {
    const url = sharedUrl.value
    if (!url) return
    try {
      const response = await ports.fetch(url, { cache: 'no-store', redirect: 'error' })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const book: StoredBook = { url, text: await response.text(), contentType: response.headers.get('content-type') ?? '', fetchedAt: new Date().toISOString() }
      const module = await import('@/phonebook/phonebook')
      use(module, book)
      problems.value = problems.value.filter((p) => p.kind !== 'fetch')
      await ports.storage.set(SHARED_PHONEBOOK_KEY, book).catch(() => undefined)
    } catch (error) {
      // The stored copy (if any) stays in use: a CRM or file server outage keeps the names.
      problems.value = [...problems.value.filter((p) => p.kind !== 'fetch'), { kind: 'fetch', url, message: error instanceof Error ? error.message : String(error) }]
    } finally {
      schedule()
    }
  }

  function use(module: typeof import('@/phonebook/phonebook'), book: StoredBook): void {
    const parsed = module.parsePhonebook(book.text, book.contentType)
    const index: PhonebookIndex = module.buildIndex(parsed.entries)
    books = { ...books, shared: index }
    sizes.value = { ...sizes.value, shared: index.size }
    updatedAt.value = book.fetchedAt
    problems.value = [
      ...problems.value.filter((p) => p.kind !== 'rows'),
      ...(parsed.problems.length ? [{ kind: 'rows' as const, url: book.url, count: parsed.problems.length }] : []),
    ]
  }

  function setTerminal(module: typeof import('@/phonebook/phonebook'), entries: PhonebookEntry[]): void {
    terminal.value = entries
    const index = module.buildIndex(entries)
    books = { ...books, terminal: index }
    sizes.value = { ...sizes.value, terminal: index.size }
  }

  async function saveTerminal(entries: PhonebookEntry[]): Promise<void> {
    setTerminal(await import('@/phonebook/phonebook'), entries)
    await ports.storage.set(TERMINAL_PHONEBOOK_KEY, entries)
  }

  /** Adds (or, for a number already there, renames) an entry; false when the number is no phone number. */
  async function addTerminal(entry: PhonebookEntry): Promise<boolean> {
    const module = await import('@/phonebook/normalize')
    const key = module.normalizeNumber(entry.number)
    if (!key || !entry.name.trim()) return false
    const rest = terminal.value.filter((e) => module.normalizeNumber(e.number) !== key)
    await saveTerminal([...rest, { name: entry.name.trim(), number: entry.number.trim() }])
    return true
  }

  async function removeTerminal(number: string): Promise<void> {
    await saveTerminal(terminal.value.filter((e) => e.number !== number))
  }

  /** Replaces the terminal phonebook with a CSV file's rows; the rows it could not use are returned. */
  async function importTerminal(text: string): Promise<RowProblem[]> {
    const module = await import('@/phonebook/phonebook')
    const parsed = module.importPhonebookCsv(text)
    if (parsed.entries.length > 0) await saveTerminal(parsed.entries)
    return parsed.problems
  }

  /** The terminal phonebook as a CSV file Excel opens with Japanese intact (UTF-8 with BOM). */
  async function exportTerminal(now = new Date()): Promise<void> {
    const module = await import('@/phonebook/phonebook')
    ports.files.save(`tsunagu-phonebook-${now.toISOString().slice(0, 10)}.csv`, module.exportPhonebookCsv(terminal.value), 'text/csv')
  }

  function schedule(): void {
    ports.clock.clearTimeout(timer)
    const minutes = settingsStore.settings.phonebooks.refreshMinutes
    // Spread (80–100 % of the period, `cti/jitter.ts`): a whole center must not download the books in one second.
    if (minutes > 0) timer = ports.clock.setTimeout(() => void Promise.all([refresh(), refreshAccount()]), pollDelay(minutes * 60_000, Math.random))
  }

  return { sizes, problems, updatedAt, terminal, nameFor, start, stop, refresh, setAccountSource, addTerminal, removeTerminal, importTerminal, exportTerminal }
})
