import { describe, expect, it } from 'vitest'
import { FakeClock } from '../fake-clock'
import { FakeSoftphone } from '../fake-softphone'
import type { CallInfo } from '../softphone'
import { deliver, fakeChannelHub } from './fake-channel'
import { relayLine } from './line-relay'
import { relayMessageOf } from './protocol'
import { RemoteSoftphone } from './remote-softphone'

function follower(hub: ReturnType<typeof fakeChannelHub>, tabId = 'b', clock = new FakeClock()) {
  const phone = new RemoteSoftphone({ channel: hub.tab(), tabId, clock })
  const added: CallInfo[] = []
  const updated: CallInfo[] = []
  const states: string[] = []
  phone.on('callAdded', (c) => added.push(c))
  phone.on('callUpdated', (c) => updated.push(c))
  phone.on('registration', (s) => states.push(s.state))
  return { phone, added, updated, states, clock }
}

async function leader(hub: ReturnType<typeof fakeChannelHub>) {
  const line = new FakeSoftphone()
  const end = hub.tab()
  const relay = relayLine(line, end)
  await line.start()
  return { line, relay, end }
}

describe('tab relay: a follower tab sees the leader tab\'s line', () => {
  it('a tab opened during a call shows the leader\'s registration and the call in progress', async () => {
    const hub = fakeChannelHub()
    const { line } = await leader(hub)
    const ringing = line.ring({ remoteUser: '0312345678' })
    const f = follower(hub)
    await f.phone.start()
    expect(f.phone.registration.state).toBe('registered')
    expect(f.added.map((c) => [c.id, c.state, c.remoteUser])).toEqual([[ringing.id, 'ringing', '0312345678']])
  })

  it('a follower that started before any leader hears the leader that starts later', async () => {
    const hub = fakeChannelHub()
    const f = follower(hub)
    const starting = f.phone.start()
    await deliver()
    expect(f.phone.registration.state).toBe('connecting')
    f.clock.advance(1000)
    await starting
    await leader(hub)
    await deliver()
    expect(f.phone.registration.state).toBe('registered')
  })

  it('answer in the follower answers the call in the leader; both see it active', async () => {
    const hub = fakeChannelHub()
    const { line } = await leader(hub)
    const f = follower(hub)
    await f.phone.start()
    const call = line.ring({ remoteUser: '0312345678' })
    await deliver()
    await f.phone.answer(call.id)
    expect(line.actions).toContain(`answer ${call.id}`)
    expect(line.call(call.id)?.state).toBe('active')
    await deliver()
    expect(f.updated.at(-1)).toMatchObject({ id: call.id, state: 'active' })
  })

  it('a result goes to the tab that asked: a second follower\'s dial resolves only there', async () => {
    const hub = fakeChannelHub()
    await leader(hub)
    const one = follower(hub, 'one')
    const two = follower(hub, 'two')
    await Promise.all([one.phone.start(), two.phone.start()])
    const [a, b] = await Promise.all([one.phone.dial('1002'), two.phone.dial('1003')])
    expect(a).toMatchObject({ ok: true })
    expect(b).toMatchObject({ ok: true })
    expect(a.ok && b.ok && a.callId !== b.callId).toBe(true)
    // Each follower sees both calls: they are the line's.
    await deliver()
    expect(one.added.map((c) => c.remoteUser)).toEqual(['1002', '1003'])
    expect(two.added.map((c) => c.remoteUser)).toEqual(['1002', '1003'])
  })

  it('the leader leaving (bye) ends the follower\'s view of its calls and shows the line connecting', async () => {
    const hub = fakeChannelHub()
    const { line, relay } = await leader(hub)
    const f = follower(hub)
    await f.phone.start()
    const call = line.ring({ remoteUser: '0312345678' })
    await deliver()
    relay.stop()
    await deliver()
    expect(f.updated.at(-1)).toMatchObject({ id: call.id, state: 'ended', endReason: 'failed' })
    expect(f.phone.registration.state).toBe('connecting')
  })

  it('a new leader\'s state replaces the calls of the one that crashed (no bye)', async () => {
    const hub = fakeChannelHub()
    const first = await leader(hub)
    const f = follower(hub)
    await f.phone.start()
    const call = first.line.ring({ remoteUser: '0312345678' })
    await deliver()
    // The first leader's tab crashed: it says nothing more. Another tab takes the line.
    first.end.close()
    await leader(hub)
    await deliver()
    expect(f.updated.at(-1)).toMatchObject({ id: call.id, state: 'ended', endReason: 'failed' })
    expect(f.phone.registration.state).toBe('registered')
  })

  it('a command the leader never answers (it crashed) settles as refused; nothing is left after stop()', async () => {
    const hub = fakeChannelHub()
    const clock = new FakeClock()
    const f = follower(hub, 'b', clock)
    // A leader state arrives, then the leader dies without a word.
    const fakeLeader = hub.tab()
    const starting = f.phone.start()
    await deliver()
    fakeLeader.post({ type: 'state', registration: { state: 'registered' }, calls: [] })
    await starting
    fakeLeader.close()
    const held = f.phone.hold('x')
    const dialled = f.phone.dial('1002')
    clock.advance(10_000)
    expect(await held).toBe(false)
    expect(await dialled).toEqual({ ok: false, reason: 'no-answer-from-phone-tab' })
    const transfer = f.phone.transfer('x', '1003')
    expect(clock.pendingDelays).toHaveLength(1)
    await f.phone.stop()
    expect(await transfer).toEqual({ ok: false, reason: 'stopped' })
    expect(clock.pendingDelays).toEqual([])
  })

  it('the leader runs only commands of the protocol; messages of unknown shape are dropped', async () => {
    const hub = fakeChannelHub()
    const { line } = await leader(hub)
    const other = hub.tab()
    other.post({ type: 'command', id: 'x:1', method: 'stop', args: [] } as never)
    other.post({ type: 'command', id: 'x:2', method: 'start', args: [] } as never)
    await deliver()
    expect(line.actions).toEqual(['start'])
    expect(relayMessageOf({ type: 'command', id: 'x', method: 'hangup', args: 'a' })).toBeUndefined()
    expect(relayMessageOf({ type: 'event', event: 'remoteStream', args: [] })).toBeUndefined()
    expect(relayMessageOf('hello')).toBeUndefined()
    expect(relayMessageOf({ type: 'hello' })).toEqual({ type: 'hello' })
  })

  it('the follower never gets audio: remoteStream stays in the leader', async () => {
    const hub = fakeChannelHub()
    const { line } = await leader(hub)
    const f = follower(hub)
    let streams = 0
    f.phone.on('remoteStream', () => { streams += 1 })
    await f.phone.start()
    line.events.emit('remoteStream', 'fake-1', {} as MediaStream)
    await deliver()
    expect(streams).toBe(0)
    expect(hub.posted.some((m) => m.type === 'event' && (m.event as string) === 'remoteStream')).toBe(false)
  })
})
