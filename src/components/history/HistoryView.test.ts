// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { Blob as NodeBlob } from 'node:buffer'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { h } from 'vue'
import { VApp } from 'vuetify/components'
import type { HistoryRow } from '@/history/record'
import type { OutboxEntry, OutboxState } from '@/outbox/outbox'
import { PORTS } from '@/ports/ports'
import { recordings } from '@/recording/shared'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { useCallsStore } from '@/stores/calls'
import { useHistoryStore } from '@/stores/history'
import { fakePorts } from '@/testing/fake-ports'
import { render } from '@/testing/render'
import { setupStores } from '@/testing/setup-store'
import AppBar from '../layout/AppBar.vue'
import HistoryView from './HistoryView.vue'

// jsdom has no visual viewport; Vuetify's dialog positions itself with it.
beforeAll(() => {
  vi.stubGlobal('visualViewport', { width: 1024, height: 768, offsetLeft: 0, offsetTop: 0, scale: 1, addEventListener: () => undefined, removeEventListener: () => undefined })
})

const NOW = Date.UTC(2026, 11, 1, 9, 0, 0)
const ROWS: HistoryRow[] = [
  {
    callId: 'a', direction: 'in', remoteNumber: '0312345678', localNumber: '1001', sipName: 'Yamada', values: { NAME: '山田 太郎', COMPANY: '株式会社つなぐ' },
    startedAt: NOW - 60_000, answeredAt: NOW - 55_000, endedAt: NOW - 10_000, lastSeenAt: NOW - 10_000, durationSeconds: 45, result: 'answered', endedBy: 'remote', cutOff: false,
  },
  {
    callId: 'b', direction: 'in', remoteNumber: '0663334444', localNumber: '1001', phonebookName: '佐藤商店', values: {},
    startedAt: NOW - 30_000, endedAt: NOW - 20_000, lastSeenAt: NOW - 20_000, durationSeconds: 0, result: 'missed', endedBy: 'remote', cutOff: false,
  },
]

let mounted: VueWrapper | undefined
afterEach(() => {
  mounted?.unmount()
  mounted = undefined
})

async function mountWith(locale: 'en' | 'ja', component: 'view' | 'bar' = 'view', before: (fake: ReturnType<typeof fakePorts>) => void = () => undefined, rows: HistoryRow[] = ROWS) {
  const fake = fakePorts()
  before(fake)
  const db = await fake.ports.history.open()
  await db.putMany(rows)
  db.close()
  const { pinia } = setupStores(fake.ports)
  const history = useHistoryStore()
  await history.start()
  const child = component === 'view' ? () => h(HistoryView, { modelValue: true }) : () => h(AppBar)
  const wrapper = render({ render: () => h(VApp, child) }, { attachTo: document.body, global: { plugins: [pinia], provide: { [PORTS as symbol]: fake.ports } } }, locale)
  mounted = wrapper
  await history.settled()
  if (component === 'view') await vi.waitFor(() => expect(rowTexts()).toHaveLength(2))
  await flushPromises()
  return { wrapper, history, fake }
}

const rowTexts = () => [...document.querySelectorAll('[data-testid=history-row]')].map((el) => el.textContent ?? '')

describe('HistoryView', () => {
  it('shows each call newest first with number, name and result word (en)', async () => {
    await mountWith('en')
    const [missed, answered] = rowTexts()
    expect(missed).toContain('0663334444')
    expect(missed).toContain('佐藤商店')
    expect(missed).toContain('missed')
    expect(answered).toContain('0312345678')
    expect(answered).toContain('山田 太郎')
    expect(answered).toContain('answered')
  })

  it('uses the Japanese result words', async () => {
    await mountWith('ja')
    const [missed, answered] = rowTexts()
    expect(missed).toContain('不在')
    expect(answered).toContain('応答')
  })

  it('opening the view clears the missed-call count', async () => {
    const { history, fake } = await mountWith('en')
    expect(history.missedCount).toBe(0)
    expect(fake.badge.count).toBe(0)
  })
})

describe('HistoryView: delivery of each call\'s record to the CRM', () => {
  const entry = (callId: string, state: OutboxState, extra: Partial<OutboxEntry> = {}): OutboxEntry =>
    ({ id: `history:${callId}`, kind: 'history', payload: {}, state, attempts: 1, createdAt: NOW, updatedAt: NOW, nextAttemptAt: NOW, ...extra })

  it('shows sent and failed, and "retry now" only where the record is still owed', async () => {
    await mountWith('en', 'view', (fake) => {
      fake.outboxStorage.entries.set('history:a', entry('a', 'delivered', { deliveredAt: NOW }))
      fake.outboxStorage.entries.set('history:b', entry('b', 'failed-permanent', { lastStatus: 400, lastError: 'HTTP 400' }))
    })
    await vi.waitFor(() => expect(document.querySelectorAll('[data-testid=history-delivery]')).toHaveLength(2))
    const [missed, answered] = [...document.querySelectorAll('[data-testid=history-row]')]
    expect(answered!.querySelector('[data-testid=history-delivery]')!.textContent).toContain('CRM: sent')
    expect(answered!.querySelector('[data-testid=history-retry]')).toBeNull()
    expect(missed!.querySelector('[data-testid=history-delivery]')!.getAttribute('data-state')).toBe('failed-permanent')
    expect(missed!.querySelector('[data-testid=history-delivery]')!.textContent).toContain('CRM: failed')
    expect(missed!.querySelector('[data-testid=history-retry]')!.textContent).toContain('Retry now')
  })

  it('"retry now" makes a failed record pending again (the tab with the line sends it)', async () => {
    const { fake } = await mountWith('ja', 'view', (f) => {
      f.outboxStorage.entries.set('history:b', entry('b', 'failed-permanent', { lastStatus: 400 }))
    })
    await vi.waitFor(() => expect(document.querySelector('[data-testid=history-retry]')).not.toBeNull())
    expect(document.querySelector('[data-testid=history-retry]')!.textContent).toContain('今すぐ再送')
    ;(document.querySelector('[data-testid=history-retry]') as HTMLElement).click()
    await vi.waitFor(() => expect(fake.outboxStorage.entries.get('history:b')?.state).toBe('pending'))
    await vi.waitFor(() => expect(document.querySelector('[data-testid=history-delivery]')!.textContent).toContain('CRM: 送信待ち'))
  })

  it.each([
    ['en', 'Not sent: the file (52.3 MB) is larger than the helper carries (47 MB).'],
    ['ja', '送信できません: 録音ファイル（52.3 MB）がヘルパーで送れる上限（47 MB）を超えています。'],
  ] as const)('a recording too large for the helper shows it failed, with its size (%s)', async (locale, text) => {
    const recorded = ROWS.map((r) => (r.callId === 'a' ? { ...r, recordingId: 'a' } : r))
    await mountWith(locale, 'view', (f) => {
      f.outboxStorage.entries.set('recording:a', { ...entry('a', 'failed-permanent', { lastError: 'upload-too-large: 52.3 MB (limit 47 MB)' }), id: 'recording:a', kind: 'recording' })
    }, recorded)
    await vi.waitFor(() => expect(document.querySelector('[data-testid=history-recording-delivery]')?.getAttribute('data-state')).toBe('failed-permanent'))
    const shown = document.querySelector('[data-testid=history-recording-too-large]')!
    expect(shown.textContent!.trim()).toBe(text)
    expect(document.querySelector('[data-testid=history-recording-delivery]')!.getAttribute('title')).toBe(text)
  })

  it('the pointer or the focus on a call-back button gets the line\'s offer ready; a click dials the row\'s number', async () => {
    await mountWith('en')
    const softphone = new FakeSoftphone()
    useCallsStore().attach(softphone)
    const button = document.querySelectorAll<HTMLElement>('[data-testid=history-redial]')[0]!
    button.dispatchEvent(new Event('pointerenter'))
    button.dispatchEvent(new FocusEvent('focus'))
    expect(softphone.readyToDialCount).toBe(2)
    button.click()
    await vi.waitFor(() => expect(softphone.actions).toContain('dial 0663334444'))
  })

  it('a call recorded in two parts has play and download for each part, named by it; each control takes its own part', async () => {
    const store = (await recordings())!
    // Node's Blob: fake IndexedDB keeps it through its structured clone (jsdom's comes back empty).
    const part = (id: string, n: number, text: string) => ({ id, callId: 'a', blob: new NodeBlob([text]) as Blob, mimeType: 'audio/webm;codecs=opus', durationMs: 1000, createdAt: NOW - 50_000, part: n })
    await store.put(part('a', 1, 'one'), 1 << 20)
    await store.put(part('a-2', 2, 'second'), 1 << 20)
    // jsdom has no object URLs: the player's source names the blob by its size.
    Object.assign(URL, { createObjectURL: (blob: Blob) => `blob:test/${blob.size}`, revokeObjectURL: () => undefined })
    const rows = ROWS.map((r) => (r.callId === 'a' ? { ...r, recordingId: 'a', recordingParts: ['a', 'a-2'] } : r))
    const { fake } = await mountWith('en', 'view', () => undefined, rows)
    await vi.waitFor(() => expect(document.querySelector('[data-testid=history-recording-download-2]')).not.toBeNull())
    const controls = [...document.querySelectorAll('button[data-part]')].map((b) => [b.getAttribute('data-testid'), b.getAttribute('aria-label')])
    expect(controls).toEqual([
      ['history-recording-play', 'Play the recording (part 1)'],
      ['history-recording-download', 'Download the recording (part 1)'],
      ['history-recording-play-2', 'Play the recording (part 2)'],
      ['history-recording-download-2', 'Download the recording (part 2)'],
    ])
    document.querySelector<HTMLElement>('[data-testid=history-recording-download-2]')!.click()
    await vi.waitFor(() => expect(fake.saved).toHaveLength(1))
    expect(fake.saved[0]!.name).toMatch(/-part2\.webm$/)
    expect(fake.saved[0]!.blob!.size).toBe('second'.length)
    document.querySelector<HTMLElement>('[data-testid=history-recording-play]')!.click()
    await vi.waitFor(() => expect(document.querySelector('[data-testid=history-recording-player]')?.getAttribute('src')).toBe('blob:test/3'))
  })

  it('a call that owes the CRM nothing shows no delivery state', async () => {
    await mountWith('en')
    expect(document.querySelectorAll('[data-testid=history-delivery]')).toHaveLength(0)
  })
})

describe('AppBar history button', () => {
  it('names the missed calls in its accessible name', async () => {
    await mountWith('en', 'bar')
    const button = document.querySelector('[data-testid=history-open]')!
    expect(button.getAttribute('aria-label')).toBe('History (1 missed)')
  })
})
