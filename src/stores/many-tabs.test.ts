import { describe, expect, it, vi } from 'vitest'
import type { HistoryRow } from '@/history/record'
import { cloneJson } from '@/settings/paths'
import { FakeSoftphone } from '@/sip/fake-softphone'
import { deliver } from '@/sip/tab-relay/fake-channel'
import { fakePorts } from '@/testing/fake-ports'
import { fakeTabs } from '@/testing/fake-tabs'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore } from './calls'
import { useCtiStore } from './cti'
import { useHistoryStore } from './history'
import { useLineStore } from './line'
import { usePopupStore } from './popup'
import { useSessionStore } from './session'
import { useSettingsStore } from './settings'

const CRM = 'http://crm.test'
const DOC = {
  version: 1,
  sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' },
  cti: {
    target: 'custom',
    accesses: { search: { method: 'get-internal', url: `${CRM}/search?tel={TEL}`, format: '{NAME}' } },
  },
}

/**
 * Tabs of one fake browser: each its own app (Pinia, ports, CTI world), sharing the line
 * lock, the relay channel and the history database, as tabs of one origin do.
 */
function browser(doc: unknown = DOC) {
  const tabs = fakeTabs()
  let shared: Pick<ReturnType<typeof fakePorts>['ports'], 'history' | 'storage'> | undefined
  async function open(name: string, overrides: Parameters<typeof fakePorts>[0] = {}) {
    const fake = fakePorts({ lineLock: tabs.lineLock(name), ...shared, ...overrides })
    if (!shared) {
      fake.store.set('tsunagu.settings', doc)
      shared = { history: fake.ports.history, storage: fake.ports.storage }
    }
    fake.world.http.on(`${CRM}/search`, { body: 'Yamada\r\n' })
    fake.world.http.on(`${CRM}/login`, { body: 'SID-1\r\n' })
    const { pinia } = setupStores(fake.ports)
    const phones: FakeSoftphone[] = []
    const session = useSessionStore(pinia)
    await session.start(async () => {
      const phone = new FakeSoftphone()
      phones.push(phone)
      return phone
    })
    const tab = {
      fake,
      phones,
      /** The softphone of this tab's line, once it is the leader. */
      get phone() { return phones.at(-1) },
      session,
      calls: useCallsStore(pinia),
      line: useLineStore(pinia),
      popup: usePopupStore(pinia),
      cti: useCtiStore(pinia),
      history: useHistoryStore(pinia),
      settings: useSettingsStore(pinia),
      searches: () => fake.world.http.urls.filter((u) => u.startsWith(`${CRM}/search`)),
      /** The CRM requests of this tab's world whose path starts with `path`. */
      crm: (path: string) => fake.world.http.urls.filter((u) => u.startsWith(`${CRM}${path}`)),
    }
    return tab
  }
  async function rows(): Promise<HistoryRow[]> {
    const db = await shared!.history.open()
    try {
      return (await db.page({ limit: 100 })).rows
    } finally {
      db.close()
    }
  }
  return { tabs, open, rows }
}

describe('one line, many tabs', () => {
  it('a second tab follows the first: the leader\'s registration, its ringing call as a popup, answered through the leader', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    expect(first.session.role).toBe('leader')
    expect(second.session.role).toBe('follower')
    // One registration: the second tab never built a softphone of its own.
    expect(second.phones).toEqual([])
    expect(second.line.registration.state).toBe('registered')

    const call = first.phone!.ring({ remoteUser: '0312345678' })
    await deliver()
    expect(second.popup.popups.map((p) => p.number)).toEqual(['0312345678'])
    // The CRM's answer (the leader's search) shows in the follower's popup too.
    await vi.waitFor(() => expect(second.popup.popups[0]?.values).toEqual({ NAME: 'Yamada' }))
    // Only the leader rings: the follower's ringer stays silent.
    expect(first.fake.log).toContain('ring')
    expect(second.fake.log).not.toContain('ring')
    await second.calls.answer(call.id)
    expect(first.phone!.call(call.id)?.state).toBe('active')
    await vi.waitFor(() => expect(second.calls.calls[0]?.sip.state).toBe('active'))
    expect(first.calls.calls[0]?.sip.state).toBe('active')

    // Audio plays in the leader; the follower plays nothing.
    expect(second.fake.log.filter((l) => l.startsWith('play'))).toEqual([])

    await second.calls.hold(call.id)
    await vi.waitFor(() => expect(second.calls.calls[0]?.sip.held).toBe(true))
    await second.calls.hangup(call.id)
    await vi.waitFor(() => expect(second.calls.calls).toEqual([]))
    expect(first.phone!.actions).toEqual(expect.arrayContaining([`answer ${call.id}`, `hold ${call.id}`, `hangup ${call.id}`]))

    // Each access ran once, in the leader; one history row, written by the leader.
    await first.history.settled()
    expect(first.searches()).toHaveLength(1)
    expect(second.searches()).toEqual([])
    expect((await b.rows()).map((r) => r.callId)).toEqual([call.id])
  })

  it('the leader tells the followers what the CRM answered after its own popup has painted it, once for the frame', async () => {
    const b = browser()
    const frame: (() => void)[] = []
    const paint = () => { for (const work of frame.splice(0)) work() }
    const first = await b.open('a', { visibility: { isHidden: () => false, focusPhone: () => undefined, afterPaint: (work) => void frame.push(work) } })
    const second = await b.open('b')
    const relayed = vi.spyOn(first.fake.ports.lineLock.relay, 'post')
    paint()
    relayed.mockClear()
    first.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(first.popup.popups[0]?.values).toEqual({ NAME: 'Yamada' }))
    await vi.waitFor(() => expect(second.popup.popups.map((p) => p.number)).toEqual(['0312345678']))
    expect(second.popup.popups[0]?.values).toEqual({})
    const annotations = () => relayed.mock.calls.filter(([message]) => JSON.stringify(message).includes('Yamada'))
    expect(annotations()).toEqual([])
    paint()
    await vi.waitFor(() => expect(second.popup.popups[0]?.values).toEqual({ NAME: 'Yamada' }))
    expect(annotations()).toHaveLength(1)
  })

  it('a tab opened while a call rings shows it with what the CRM already answered', async () => {
    const b = browser()
    const first = await b.open('a')
    first.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(first.popup.popups[0]?.values).toEqual({ NAME: 'Yamada' }))
    const late = await b.open('b')
    await vi.waitFor(() => expect(late.popup.popups.map((p) => [p.number, p.values])).toEqual([['0312345678', { NAME: 'Yamada' }]]))
    expect(late.searches()).toEqual([])
  })

  it('settings saved in a follower reach the line: do-not-disturb switched there is on in the leader, its screen too', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    await second.line.setDoNotDisturb(true)
    await vi.waitFor(() => expect(first.settings.settings.call.dnd).toBe(true))
    expect(first.phone!.doNotDisturb).toBe(true)
    // A SIP change made in the follower registers the leader again with it.
    const next = cloneJson(second.settings.settings)
    next.sip.displayName = 'Renamed'
    expect((await second.session.applySettings(next)).ok).toBe(true)
    await vi.waitFor(() => expect(first.phones).toHaveLength(2))
    expect(first.settings.settings.sip.displayName).toBe('Renamed')
    expect(second.phones).toEqual([])
  })

  it('the follower dials through the leader', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    expect(await second.calls.dial('0663334444')).toBe(true)
    expect(first.phone!.actions).toContain('dial 0663334444')
    await vi.waitFor(() => expect(second.calls.calls.map((c) => c.sip.state)).toEqual(['dialing']))
  })

  it('the leader\'s tab closes: the follower takes the line by itself and rings for the next call; the old ring is not replayed', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    const old = first.phone!.ring({ remoteUser: '0311112222' })
    await deliver()
    expect(second.calls.ringing.map((c) => c.id)).toEqual([old.id])

    // Closed (or crashed): no goodbye reaches the follower; the browser releases the lock.
    b.tabs.close('a')
    await vi.waitFor(() => expect(second.session.role).toBe('leader'))
    await vi.waitFor(() => expect(second.line.registration.state).toBe('registered'))
    expect(second.phones).toHaveLength(1)
    expect(second.calls.calls).toEqual([])
    expect(second.session.elsewhere).toBe(false)

    const next = second.phone!.ring({ remoteUser: '0399998888' })
    await vi.waitFor(() => expect(second.popup.popups.map((p) => p.number)).toEqual(['0399998888']))
    // One search per call: the old leader's for the first, the new leader's for the next.
    await vi.waitFor(() => expect(second.searches()).toHaveLength(1))
    expect(second.searches()[0]).toContain('0399998888')
    expect(first.searches()).toHaveLength(1)
    expect(next.id).toBeDefined()
  })

  it('a third tab follows the new leader after a take-over', async () => {
    const b = browser()
    await b.open('a')
    const second = await b.open('b')
    const third = await b.open('c')
    b.tabs.close('a')
    await vi.waitFor(() => expect(second.phone?.registration.state).toBe('registered'))
    expect(third.session.role).toBe('follower')
    await vi.waitFor(() => expect(third.line.registration.state).toBe('registered'))
    const call = second.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(third.calls.ringing.map((c) => c.id)).toEqual([call.id]))
  })

  it('"use the phone in this tab" moves the line; the old leader follows and shows the calls', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    await second.session.useHere()
    expect(second.session.role).toBe('leader')
    expect(second.line.registration.state).toBe('registered')
    expect(first.phone!.actions).toContain('stop')
    await vi.waitFor(() => expect(first.session.role).toBe('follower'))
    expect(first.session.elsewhere).toBe('moved')
    await vi.waitFor(() => expect(first.line.registration.state).toBe('registered'))
    const call = second.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(first.calls.ringing.map((c) => c.id)).toEqual([call.id]))
    // The first tab, now a follower, waits in the queue: it takes the line back when the second closes.
    b.tabs.close('b')
    await vi.waitFor(() => expect(first.session.role).toBe('leader'))
    await vi.waitFor(() => expect(first.line.registration.state).toBe('registered'))
    expect(first.phones).toHaveLength(2)
  })

  it('a follower has no CRM session of its own: no login screen at start, no engine', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    expect(first.cti.loginOpen).toBe(true)
    expect(second.cti.loginOpen).toBe(false)
    expect(second.cti.engine()).toBeUndefined()
    expect(second.cti.auth.state).toBe(first.cti.auth.state)
  })
})

/** A CTI setup with a login and a click access ("Open in CRM"). */
const CRM_DOC = {
  ...DOC,
  cti: {
    target: 'custom',
    accesses: {
      auth: { method: 'get-internal', url: `${CRM}/login?id={AID}&pw={APW}`, format: '{SID}' },
      search: { method: 'get-internal', url: `${CRM}/search?tel={TEL}`, format: '{NAME}' },
      click: { method: 'get-internal', url: `${CRM}/open?tel={TEL}&sid={SID}` },
    },
  },
}

describe('a follower works the leader\'s CRM session', () => {
  it('shows the leader\'s CRM login state and logs the agent in through the leader (one login, there)', async () => {
    const b = browser(CRM_DOC)
    const first = await b.open('a')
    const second = await b.open('b')
    await deliver()
    expect(second.cti.auth.state).toBe('logged-out')
    expect(second.cti.isCustom).toBe(true)
    second.cti.loginOpen = true
    const result = await second.cti.login({ id: 'agent01', password: 'pass01' }, false)
    expect(result).toEqual({ ok: true, values: {} })
    expect(second.cti.loginOpen).toBe(false)
    expect(first.crm('/login')).toEqual([`${CRM}/login?id=agent01&pw=pass01`])
    expect(second.crm('/login')).toEqual([])
    await vi.waitFor(() => expect(second.cti.auth.state).toBe('ok'))
    // The session's values stay in the leader.
    expect(JSON.stringify(second.cti.auth)).not.toContain('SID-1')
    expect(first.cti.loginOpen).toBe(false)

    second.cti.logout()
    await vi.waitFor(() => expect(second.cti.auth.state).toBe('logged-out'))
    expect(first.cti.auth.state).toBe('logged-out')
  })

  it('"Open in CRM" on a follower\'s call card and history row runs the click access once, in the leader', async () => {
    const b = browser(CRM_DOC)
    const first = await b.open('a')
    const second = await b.open('b')
    await first.cti.login({ id: 'agent01', password: 'pass01' }, false)
    const call = first.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(second.calls.ringing.map((c) => c.id)).toEqual([call.id]))
    second.cti.openInCrm(call.id)
    await vi.waitFor(() => expect(first.crm('/open')).toEqual([`${CRM}/open?tel=0312345678&sid=SID-1`]))
    expect(second.crm('/open')).toEqual([])

    first.phone!.remoteHangup(call.id, 'cancelled')
    await first.history.settled()
    const [row] = await b.rows()
    await second.cti.remote()!.openPast(row!.callId, { remote: { number: '0312345678', name: '' } } as never, row!.values)
    await vi.waitFor(() => expect(first.crm('/open')).toHaveLength(2))
    expect(second.crm('/open')).toEqual([])
  })

  it('the follower\'s missed-call badge counts a call the leader missed, once the leader wrote its row', async () => {
    const b = browser(CRM_DOC)
    const first = await b.open('a')
    const second = await b.open('b')
    expect(second.history.missedCount).toBe(0)
    const call = first.phone!.ring({ remoteUser: '0312345678' })
    await vi.waitFor(() => expect(second.calls.ringing).toHaveLength(1))
    first.phone!.remoteHangup(call.id, 'cancelled')
    await first.history.settled()
    expect(first.history.missedCount).toBe(1)
    await vi.waitFor(() => expect(second.history.missedCount).toBe(1))
  })

  it('the history looked at in one tab clears the missed-call badge of the other, either way', async () => {
    const b = browser(CRM_DOC)
    const first = await b.open('a')
    const second = await b.open('b')
    const missed = async () => {
      const call = first.phone!.ring({ remoteUser: '0312345678' })
      await vi.waitFor(() => expect(second.calls.ringing).toHaveLength(1))
      first.phone!.remoteHangup(call.id, 'cancelled')
      await first.history.settled()
      await vi.waitFor(() => expect(second.history.missedCount).toBe(1))
    }
    await missed()
    await second.history.open(Date.now() + 1)
    second.history.close(Date.now() + 2)
    await vi.waitFor(() => expect(first.history.missedCount).toBe(0))
    await missed()
    expect(first.history.missedCount).toBe(1)
    await first.history.open(Date.now() + 1)
    await vi.waitFor(() => expect(second.history.missedCount).toBe(0))
  })

  it('a follower that takes the line over runs its own session: no remote left', async () => {
    const b = browser(CRM_DOC)
    await b.open('a')
    const second = await b.open('b')
    expect(second.cti.remote()).toBeDefined()
    b.tabs.close('a')
    await vi.waitFor(() => expect(second.session.role).toBe('leader'))
    await vi.waitFor(() => expect(second.cti.engine()).toBeDefined())
    expect(second.cti.remote()).toBeUndefined()
  })
})
