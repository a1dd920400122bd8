import { describe, expect, it, vi } from 'vitest'
import { fakePorts } from '@/testing/fake-ports'
import { fakeTabs } from '@/testing/fake-tabs'
import { resumeBrowserSide, ResumingSoftphone } from '@/testing/resuming-softphone'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore, type Call } from './calls'
import { useSessionStore } from './session'

const DOC = {
  version: 1,
  sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' },
}

/**
 * Tabs of one fake browser sharing the line lock, the relay, the settings and the kept dialogs
 * (issue 12 item 4 with issue 11 item 4): the tab that takes the line takes its calls back too.
 */
function browser(doc: Record<string, unknown> = DOC) {
  const tabs = fakeTabs()
  const dialogs = resumeBrowserSide()
  let shared: Pick<ReturnType<typeof fakePorts>['ports'], 'history' | 'storage'> | undefined
  async function open(name: string) {
    const fake = fakePorts({ lineLock: tabs.lineLock(name), resume: async () => dialogs.ports, ...shared })
    if (!shared) {
      fake.store.set('tsunagu.settings', doc)
      shared = { history: fake.ports.history, storage: fake.ports.storage }
    }
    const { pinia } = setupStores(fake.ports)
    const phones: ResumingSoftphone[] = []
    const calls = useCallsStore(pinia)
    const seen: string[] = []
    for (const event of ['added', 'answered', 'ended', 'resumed'] as const) calls.onCall(event, (c: Call) => seen.push(`${event} ${c.id}`))
    const session = useSessionStore(pinia)
    await session.start(async () => {
      const phone = new ResumingSoftphone()
      phones.push(phone)
      return phone
    })
    return {
      fake, phones, session, calls, seen,
      /** The softphone of this tab's line, once it is the leader. */
      get phone() { return phones.at(-1) },
    }
  }
  return { tabs, dialogs, open }
}

/** A call answered in `tab` (the leader), kept as a dialog record. */
async function talkingIn(b: ReturnType<typeof browser>, tab: Awaited<ReturnType<ReturnType<typeof browser>['open']>>): Promise<string> {
  const call = tab.phone!.ring({ remoteUser: '0312345678' })
  tab.phone!.remoteAnswer(call.id)
  await vi.waitFor(() => expect([...b.dialogs.records.keys()]).toEqual([call.id]))
  return call.id
}

describe('the tab that takes the line takes its calls back', () => {
  it('the leader crashes during a call: the follower leads and rejoins it, same id, no added/answered', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    const callId = await talkingIn(b, first)
    await vi.waitFor(() => expect(second.calls.calls.map((c) => c.id)).toEqual([callId]))

    b.tabs.close('a')
    await vi.waitFor(() => expect(second.session.role).toBe('leader'))
    await vi.waitFor(() => expect(second.phone?.rejoined.map((r) => r.info.id)).toEqual([callId]))
    await vi.waitFor(() => expect(second.calls.calls.map((c) => [c.id, c.sip.state])).toEqual([[callId, 'active']]))
    expect(second.seen).toEqual([`resumed ${callId}`])
  })

  it('a tab that led before (the other tab took the line with "use here") leads again after that tab crashed during a call: it rejoins the call', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    await second.session.useHere()
    await vi.waitFor(() => expect(first.session.role).toBe('follower'))
    expect(second.session.role).toBe('leader')
    const callId = await talkingIn(b, second)
    await vi.waitFor(() => expect(first.calls.calls.map((c) => c.id)).toEqual([callId]))

    b.tabs.close('b')
    await vi.waitFor(() => expect(first.session.role).toBe('leader'))
    await vi.waitFor(() => expect(first.phone?.rejoined.map((r) => r.info.id)).toEqual([callId]))
    await vi.waitFor(() => expect(first.calls.calls.map((c) => [c.id, c.sip.state])).toEqual([[callId, 'active']]))
    expect(first.seen).toEqual([`resumed ${callId}`])
  })

  it('"use here" during a call: the call moves with the line (no BYE from the old tab, rejoined in the new one under the same id); a ringing call ends with the old line', async () => {
    const b = browser()
    const first = await b.open('a')
    const second = await b.open('b')
    const callId = await talkingIn(b, first)
    const waiting = first.phone!.ring({ remoteUser: '0663334444' })
    await vi.waitFor(() => expect(second.calls.calls).toHaveLength(2))

    await second.session.useHere()
    expect(first.session.role).toBe('follower')
    expect(first.phones[0]!.actions).toContain(`stopLeaving ${callId}`)
    expect(first.phones[0]!.actions).not.toContain(`hangup ${callId}`)
    // Its voice no longer plays in the old tab.
    expect(first.fake.log).toContain(`stop ${callId}`)
    // The old tab reports no end of the call that moved (its hang-up access is the new tab's).
    expect(first.seen).toEqual([`added ${callId}`, `answered ${callId}`, `added ${waiting.id}`])
    await vi.waitFor(() => expect(second.phone?.rejoined.map((r) => r.info.id)).toEqual([callId]))
    await vi.waitFor(() => expect(second.calls.calls.map((c) => [c.id, c.sip.state])).toEqual([[callId, 'active']]))
    expect(second.seen).toEqual([`resumed ${callId}`])
    // The old tab follows the new one and shows the call through it.
    await vi.waitFor(() => expect(first.calls.calls.map((c) => [c.id, c.sip.state])).toEqual([[callId, 'active']]))
  })

  it('"use here" during a call with call.resumeSeconds 0: the call ends with the old line, as before', async () => {
    const b = browser({ ...DOC, call: { resumeSeconds: 0 } })
    const first = await b.open('a')
    const second = await b.open('b')
    const call = first.phone!.ring({ remoteUser: '0312345678' })
    first.phone!.remoteAnswer(call.id)
    await vi.waitFor(() => expect(second.calls.calls).toHaveLength(1))
    await second.session.useHere()
    expect(first.phones[0]!.actions).toContain('stop')
    expect(first.phones[0]!.actions).not.toContain(`stopLeaving ${call.id}`)
    await vi.waitFor(() => expect(second.session.role).toBe('leader'))
    expect(second.phone?.rejoined).toEqual([])
  })
})
