import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF, MemoryOutboxStorage, Outbox, type OutboxClock, type OutboxEntry, type OutboxOptions, type SendResult } from './outbox'

class FakeClock implements OutboxClock {
  time = 1_000_000
  private seq = 0
  readonly timers = new Map<number, { at: number; callback: () => void }>()

  now() { return this.time }

  setTimeout(callback: () => void, ms: number) {
    this.timers.set(++this.seq, { at: this.time + ms, callback })
    return this.seq
  }

  clearTimeout(handle: unknown) { this.timers.delete(handle as number) }

  /** Moves time forward, firing due timers in order and letting each run settle. */
  async advance(ms: number, idle: () => Promise<void>) {
    const target = this.time + ms
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      this.timers.delete(due[0])
      this.time = due[1].at
      due[1].callback()
      await idle()
    }
    this.time = target
  }
}

/** A CRM stand-in: answers from a script (then 200), records every request. */
function fakeSender(script: (SendResult | Error | 'hang')[] = []) {
  const sent: { id: string; attempts: number; at: number }[] = []
  let clock: FakeClock | undefined
  const send = async (entry: OutboxEntry): Promise<SendResult> => {
    sent.push({ id: entry.id, attempts: entry.attempts, at: clock?.now() ?? 0 })
    const next = script.shift() ?? { ok: true, status: 200 }
    if (next === 'hang') return new Promise<SendResult>(() => {})
    if (next instanceof Error) throw next
    return next
  }
  return { sent, send, bind: (c: FakeClock) => { clock = c } }
}

const retry = (reason = 'HTTP 503', status = 503): SendResult => ({ ok: false, retryable: true, reason, status })

function setup(overrides: Partial<OutboxOptions> & { script?: (SendResult | Error | 'hang')[] } = {}) {
  const clock = new FakeClock()
  const storage = overrides.storage ?? new MemoryOutboxStorage()
  const sender = fakeSender(overrides.script)
  sender.bind(clock)
  const changes: string[] = []
  const outbox = new Outbox({
    storage, clock, send: sender.send, random: () => 0.5, isLeader: () => true,
    onChange: (e) => changes.push(`${e.id}:${e.state}`), ...overrides,
  })
  const advance = (ms: number) => clock.advance(ms, () => outbox.whenIdle())
  return { clock, storage, sender, outbox, changes, advance }
}

describe('backoffDelay', () => {
  it.each([
    // attempts, random, delay: half the nominal delay plus a random half of it
    [1, 0, 2_500], [1, 0.5, 3_750], [1, 0.999_999, 5_000],
    [2, 0, 5_000], [3, 0, 10_000], [4, 0, 20_000], [5, 0, 40_000], [6, 0, 80_000], [7, 0, 160_000],
    [8, 0, 300_000], [8, 0.999_999, 600_000], [20, 0, 300_000], [20, 0.999_999, 600_000],
  ])('after attempt %i with random %f waits %i ms', (attempts, random, delay) => {
    expect(backoffDelay(attempts, random)).toBe(delay)
  })

  it('follows the options', () => {
    expect(backoffDelay(3, 0, { ...DEFAULT_BACKOFF, baseMs: 1_000, factor: 3, maxMs: 5_000 })).toBe(2_500)
  })
})

describe('Outbox', () => {
  it('delivers a new entry and records the answer', async () => {
    const { outbox, sender, changes } = setup()
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', { callId: 'c1' })
    await outbox.whenIdle()
    expect(sender.sent.map((s) => s.id)).toEqual(['history:c1'])
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, deliveredAt: 1_000_000 })
    expect(changes).toEqual(['history:c1:pending', 'history:c1:sending', 'history:c1:delivered'])
  })

  it('retries with exponential back-off and jitter until a 2xx', async () => {
    const { outbox, sender, advance } = setup({ script: [retry(), new Error('network down'), { ok: false, retryable: true, reason: 'timeout' }] })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await outbox.whenIdle()
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 503', lastStatus: 503, nextAttemptAt: 1_003_750 })
    await advance(3_749)
    expect(sender.sent).toHaveLength(1)
    await advance(1)
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'pending', attempts: 2, lastError: 'network down' })
    expect((await outbox.get('history:c1'))?.lastStatus).toBeUndefined()
    await advance(60_000)
    // 3 750 ms, then 7 500 ms (10 s nominal), then 15 000 ms (20 s nominal), with random 0.5
    expect(sender.sent.map((s) => s.at - 1_000_000)).toEqual([0, 3_750, 11_250, 26_250])
    expect(sender.sent.map((s) => s.attempts)).toEqual([1, 2, 3, 4])
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 200 })
    expect((await outbox.get('history:c1'))?.lastError).toBeUndefined()
  })

  it('never sends again after a 2xx: not by timers, retryNow, enqueue or a restart', async () => {
    const { outbox, sender, advance, storage, clock } = setup()
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', { v: 1 })
    await outbox.whenIdle()
    await advance(24 * 3_600_000)
    expect((await outbox.retryNow('history:c1'))?.state).toBe('delivered')
    expect(await outbox.enqueue('history:c1', 'history', { v: 2 })).toMatchObject({ state: 'delivered', payload: { v: 1 } })
    outbox.stop()
    const again = new Outbox({ storage, clock, send: sender.send, random: () => 0.5, isLeader: () => true })
    await again.start()
    await clock.advance(3_600_000, () => again.whenIdle())
    expect(sender.sent).toHaveLength(1)
  })

  it('survives a restart: a new outbox over the same storage sends what is pending', async () => {
    const first = setup({ script: [retry()] })
    await first.outbox.start()
    await first.outbox.enqueue('recording:c1', 'recording', { size: 1 })
    await first.outbox.whenIdle()
    first.outbox.stop()
    // the page reloads 10 s later
    first.clock.time += 10_000
    const sender = fakeSender()
    sender.bind(first.clock)
    const second = new Outbox({ storage: first.storage, clock: first.clock, send: sender.send, random: () => 0.5, isLeader: () => true })
    await second.start()
    expect(sender.sent).toEqual([{ id: 'recording:c1', attempts: 2, at: first.clock.time }])
    expect(await second.get('recording:c1')).toMatchObject({ state: 'delivered', attempts: 2 })
  })

  it('sends again an entry that was sending when the page died (the at-least-once case)', async () => {
    const first = setup({ script: ['hang'] })
    await first.outbox.start()
    void first.outbox.enqueue('history:c1', 'history', {})
    await Promise.resolve()
    await new Promise((r) => setTimeout(r, 0))
    expect((await first.storage.get('history:c1'))?.state).toBe('sending')
    first.outbox.stop() // the tab is gone; its request's answer is never seen
    const sender = fakeSender()
    sender.bind(first.clock)
    const second = new Outbox({ storage: first.storage, clock: first.clock, send: sender.send, random: () => 0.5, isLeader: () => true })
    await second.start()
    expect(sender.sent.map((s) => s.attempts)).toEqual([2])
    expect(await second.get('history:c1')).toMatchObject({ state: 'delivered', attempts: 2 })
  })

  it('gives up on an answer that will not change, and retryNow sends it again', async () => {
    const { outbox, sender, advance } = setup({ script: [{ ok: false, retryable: false, reason: 'HTTP 400', status: 400 }] })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await outbox.whenIdle()
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'failed-permanent', attempts: 1, lastError: 'HTTP 400', lastStatus: 400 })
    await advance(24 * 3_600_000)
    expect(sender.sent).toHaveLength(1)
    expect(await outbox.retryNow('history:c1')).toMatchObject({ state: 'delivered', attempts: 1 })
    expect(sender.sent).toHaveLength(2)
  })

  it('gives up after maxAttempts', async () => {
    const { outbox, sender, advance } = setup({ backoff: { maxAttempts: 3 }, script: [retry(), retry(), retry(), retry()] })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await outbox.whenIdle()
    await advance(24 * 3_600_000)
    expect(sender.sent).toHaveLength(3)
    expect(await outbox.get('history:c1')).toMatchObject({ state: 'failed-permanent', attempts: 3, lastError: 'HTTP 503' })
  })

  it('retryNow skips the wait of a pending entry', async () => {
    const { outbox, sender, clock } = setup({ script: [retry()] })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await outbox.whenIdle()
    clock.time += 100
    expect(await outbox.retryNow('history:c1')).toMatchObject({ state: 'delivered', attempts: 2 })
    expect(sender.sent.map((s) => s.at - 1_000_000)).toEqual([0, 100])
    expect(await outbox.retryNow('nope')).toBeUndefined()
  })

  it('sends only while this tab is the leader', async () => {
    let leader = false
    const { outbox, sender, advance } = setup({ isLeader: () => leader, leaderPollMs: 1_000 })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await outbox.whenIdle()
    await advance(5_000)
    expect(sender.sent).toHaveLength(0)
    leader = true
    await advance(1_000)
    expect(sender.sent).toHaveLength(1)
  })

  it('takes up entries another tab left sending only once it is the leader', async () => {
    const storage = new MemoryOutboxStorage()
    const now = 1_000_000
    await storage.put({ id: 'history:c1', kind: 'history', payload: {}, state: 'sending', attempts: 1, createdAt: now, updatedAt: now, nextAttemptAt: now })
    let leader = false
    const { outbox, sender, advance } = setup({ storage, isLeader: () => leader, leaderPollMs: 1_000 })
    await outbox.start()
    expect((await storage.get('history:c1'))?.state).toBe('sending')
    leader = true
    await advance(1_000)
    expect(sender.sent.map((s) => s.attempts)).toEqual([2])
  })

  it('keeps one entry when the same id is enqueued twice at once', async () => {
    const { outbox, sender } = setup()
    await outbox.start()
    await Promise.all([outbox.enqueue('history:c1', 'history', { v: 1 }), outbox.enqueue('history:c1', 'history', { v: 2 })])
    await outbox.whenIdle()
    expect(sender.sent).toHaveLength(1)
    expect(await outbox.list()).toEqual([expect.objectContaining({ id: 'history:c1', state: 'delivered', payload: { v: 1 } })])
  })

  it('does not start a second send of an entry that is being sent', async () => {
    let release: ((r: SendResult) => void) | undefined
    let sends = 0
    const { outbox } = setup({ send: () => { sends++; return new Promise<SendResult>((resolve) => { release = resolve }) } })
    await outbox.start()
    await outbox.enqueue('history:c1', 'history', {})
    await new Promise((r) => setTimeout(r, 0))
    expect(await outbox.retryNow('history:c1')).toMatchObject({ state: 'sending' })
    release?.({ ok: true, status: 200 })
    await outbox.whenIdle()
    expect(sends).toBe(1)
  })

  it('sends one entry at a time, each once, however often it is asked to run', async () => {
    let release: (() => void) | undefined
    let inFlight = 0
    let most = 0
    const sent: string[] = []
    const { outbox } = setup({
      send: async (entry) => {
        sent.push(entry.id)
        most = Math.max(most, ++inFlight)
        await new Promise<void>((resolve) => { release = resolve })
        inFlight--
        return { ok: true, status: 204 }
      },
    })
    await outbox.start()
    await Promise.all([outbox.enqueue('a', 'history', {}), outbox.enqueue('b', 'recording', {})])
    for (let i = 0; i < 5; i++) {
      void outbox.run()
      await new Promise((r) => setTimeout(r, 0))
      release?.()
    }
    await outbox.whenIdle()
    expect(sent.sort()).toEqual(['a', 'b'])
    expect(most).toBe(1)
    expect((await outbox.list(['delivered'])).map((e) => e.id).sort()).toEqual(['a', 'b'])
  })
})
