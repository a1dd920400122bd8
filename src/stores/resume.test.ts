import { describe, expect, it } from 'vitest'
import type { DialogRecord } from '@/resume/dialog-record'
import { fakePorts } from '@/testing/fake-ports'
import { resumeBrowserSide as browserSide, ResumingSoftphone } from '@/testing/resuming-softphone'
import { setupStores } from '@/testing/setup-store'
import { useCallsStore, type Call } from './calls'
import { useSessionStore } from './session'

const CONFIG_URL = 'http://it.test/provision/1001.json'

/** One page of the phone: fresh stores over the same browser side. */
async function page(browser: ReturnType<typeof browserSide>, phone = new ResumingSoftphone(), call: Record<string, unknown> = {}) {
  const fake = fakePorts({ location: { href: `http://127.0.0.1/?config=${encodeURIComponent(CONFIG_URL)}` }, resume: async () => browser.ports })
  fake.respond(CONFIG_URL, { version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001' }, call })
  fake.deploy({ provisioning: { origins: ['http://it.test'] } })
  setupStores(fake.ports)
  const seen: string[] = []
  const calls = useCallsStore()
  for (const event of ['added', 'answered', 'ended', 'resumed'] as const) calls.onCall(event, (c: Call) => seen.push(`${event} ${c.id}`))
  await useSessionStore().start(async () => phone)
  return { fake, phone, calls, seen }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}

describe('a call across page loads (issue 12)', () => {
  it('F5 during a call: no BYE on leaving; the next page rejoins the stored dialog under the same call id, with no added/answered', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const ringing = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(ringing.id)
    await settle()
    expect([...browser.records.keys()]).toEqual([ringing.id])
    browser.pressReload()
    expect(first.fake.log).toContain('guard off')
    first.fake.leavePage()
    await settle()
    expect(first.phone.actions).not.toContain('stop')
    expect(first.seen).not.toContain(`ended ${ringing.id}`)
    expect((browser.records.get(ringing.id) as DialogRecord).leftAt).toBeTypeOf('number')

    const second = await page(browser)
    await settle()
    expect(second.phone.rejoined.map((r) => [r.info.id, r.dialog.sipCallId])).toEqual([[ringing.id, `sip-${ringing.id}`]])
    expect(second.calls.calls.map((c) => [c.id, c.sip.state, c.reading.remote])).toEqual([[ringing.id, 'active', '0312345678']])
    expect(second.seen).toEqual([`resumed ${ringing.id}`])
    await second.calls.hangup(ringing.id)
    await settle()
    expect(second.seen).toEqual([`resumed ${ringing.id}`, `ended ${ringing.id}`])
    expect(browser.records.size).toBe(0)
  })

  it('leaving without a reload key (the agent confirmed closing): the calls end at once, each reported once, and are marked ended', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const call = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(call.id)
    await settle()
    first.fake.leavePage()
    await settle()
    expect(first.phone.actions).toContain('stop')
    expect(first.seen.filter((e) => e.startsWith('ended'))).toEqual([`ended ${call.id}`])
    expect(browser.ended).toContain(call.id)
    const second = await page(browser)
    await settle()
    expect(second.phone.rejoined).toEqual([])
  })

  it('refused: a notice offers to call back, the old leg gets a BYE, and the call is reported ended once', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const call = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(call.id)
    await settle()
    browser.pressReload()
    first.fake.leavePage()
    const phone = new ResumingSoftphone()
    phone.rejoinResult = { ok: false, reason: '420 Bad Extension' }
    const second = await page(browser, phone)
    await settle()
    expect(second.calls.notices).toMatchObject([{ kind: 'resume-failed', number: '0312345678', reason: '420 Bad Extension' }])
    expect(phone.byes.map((d) => d.sipCallId)).toEqual([`sip-${call.id}`])
    expect(second.seen).toEqual([`resumed ${call.id}`, `ended ${call.id}`])
  })

  it('a dialog older than call.resumeSeconds is ended with a BYE from its stored state and reported resumed then ended', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const call = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(call.id)
    await settle()
    const stored = browser.records.get(call.id) as DialogRecord
    browser.records.set(call.id, { ...stored, aliveAt: Date.now() - 120_000 })
    const second = await page(browser)
    await settle()
    expect(second.phone.rejoined).toEqual([])
    expect(second.phone.byes.map((d) => d.sipCallId)).toEqual([`sip-${call.id}`])
    expect(second.seen).toEqual([`resumed ${call.id}`, `ended ${call.id}`])
    expect(browser.records.size).toBe(0)
  })

  it('F5 with one call up and another ringing: the ringing one is declined and reported ended now; a held call comes back held', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const talking = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(talking.id)
    await first.calls.hold(talking.id)
    const waiting = first.phone.ring({ remoteUser: '0663334444' })
    await settle()
    browser.pressReload()
    first.fake.leavePage()
    expect(first.phone.actions).toContain(`hangup ${waiting.id}`)
    expect(first.phone.actions).not.toContain('stop')
    expect(first.seen.filter((e) => e.startsWith('ended'))).toEqual([`ended ${waiting.id}`])
    const second = await page(browser)
    await settle()
    expect(second.phone.rejoined.map((r) => r.info.id)).toEqual([talking.id])
    // The softphone's rejoin brings it back held (its INVITE offers sendonly): no hold re-INVITE after.
    expect(second.phone.rejoined[0]!.info.held).toBe(true)
    expect(second.calls.calls.find((c) => c.id === talking.id)?.sip.held).toBe(true)
    expect(second.phone.actions).not.toContain(`hold ${talking.id}`)
  })

  it('a softphone whose rejoin comes back unheld: the held call is put on hold again after it', async () => {
    const browser = browserSide()
    const first = await page(browser)
    const talking = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(talking.id)
    await first.calls.hold(talking.id)
    await settle()
    browser.pressReload()
    first.fake.leavePage()
    const phone = new ResumingSoftphone()
    const rejoin = phone.rejoin.bind(phone)
    phone.rejoin = (dialog, info) => rejoin(dialog, { ...info, held: false })
    const second = await page(browser, phone)
    await settle()
    expect(second.phone.actions).toContain(`hold ${talking.id}`)
  })

  it('call.resumeSeconds 0: nothing is kept, F5 ends the call as closing does', async () => {
    const browser = browserSide()
    const first = await page(browser, new ResumingSoftphone(), { resumeSeconds: 0 })
    const call = first.phone.ring({ remoteUser: '0312345678' })
    first.phone.remoteAnswer(call.id)
    await settle()
    expect(browser.records.size).toBe(0)
    browser.pressReload()
    // The leave prompt stays: the browser asks before F5 ends the call.
    expect(first.fake.log.filter((e) => e.startsWith('guard'))).toEqual(['guard on'])
    first.fake.leavePage()
    expect(first.phone.actions).toContain('stop')
  })
})
