/**
 * Phonebook lookup at 50,000 entries per book (`{TELNAME}` on the ring path: goal ≤ 1 ms).
 * `npx vitest bench --run bench/phonebook.bench.ts`
 */
import { bench, describe } from 'vitest'
import { buildIndex, lookupName, type PhonebookEntry, type Phonebooks } from '@/phonebook/phonebook'
import { parsePhonebookCsv } from '@/phonebook/phonebook'

const ENTRIES = 50_000
const book = (prefix: string, spell: (i: number) => string): PhonebookEntry[] =>
  Array.from({ length: ENTRIES }, (_, i) => ({ name: `${prefix}${i}`, number: spell(i) }))
const four = (i: number) => String(i % 10_000).padStart(4, '0')
const shared = book('共有', (i) => `03-${String(1000 + Math.floor(i / 10_000))}-${four(i)}`)
const terminal = book('端末', (i) => `090${String(1000 + Math.floor(i / 10_000))}${four(i)}`)
const account = book('アカウント', (i) => `+81 50 ${String(1000 + Math.floor(i / 10_000))} ${four(i)}`)

let t = performance.now()
const csv = `name,number\r\n${shared.map((e) => `${e.name},${e.number}`).join('\r\n')}\r\n`
const parsed = parsePhonebookCsv(csv)
const parseMs = performance.now() - t
t = performance.now()
const books: Phonebooks = { shared: buildIndex(parsed.entries), terminal: buildIndex(terminal), account: buildIndex(account) }
const buildMs = (performance.now() - t) / 3
console.log(`parse CSV of ${ENTRIES} entries: ${parseMs.toFixed(0)} ms; build one index of ${ENTRIES}: ${buildMs.toFixed(0)} ms`)

let i = 0
const next = () => (i = (i * 7_919 + 13) % ENTRIES)

describe(`lookupName, three books of ${ENTRIES} entries`, () => {
  bench('hit in the shared book, caller ID as E.164', () => { lookupName(`+8131${String(1000 + Math.floor(next() / 10_000)).slice(1)}${four(i)}`, books, 'SIP') })
  bench('hit in the shared book, national with BIZTEL codes', () => { lookupName(`031${String(Math.floor(next() / 10_000)).padStart(3, '0')}${four(i)}#A1#B2`, books, 'SIP') })
  bench('hit in the account book (after two misses)', () => { lookupName(`050${String(1000 + Math.floor(next() / 10_000))}${four(i)}`, books, 'SIP') })
  bench('miss in all three, SIP name', () => { lookupName(`06${String(10_000_000 + next())}`, books, 'SIP') })
  bench('extension', () => { lookupName('1001', books, 'Desk') })
})
