import { describe, expect, it } from 'vitest'
import type { CallInfo, EndReason, Softphone } from './softphone'

/**
 * The network side of a softphone under the contract: each implementation's harness drives
 * what the PBX and the other party do (for `FakeSoftphone` its script methods, for
 * `SipJsSoftphone` SIP messages on the fake transport). The harness answers what a
 * cooperative PBX answers by itself (200 to REGISTER, BYE, CANCEL, INFO; 487 after CANCEL;
 * re-INVITEs accepted) unless told otherwise.
 */
export interface SoftphoneHarness {
  readonly phone: Softphone
  /** Lets the phone work through what is in flight (a no-op where everything is synchronous). */
  settle(): Promise<void>
  /** An incoming call from `from`; resolves with its id, or undefined when the phone announced nothing. */
  ring(from: string): Promise<string | undefined>
  remoteAnswer(callId: string): Promise<void>
  /** The called party refuses our call (486). */
  remoteReject(callId: string): Promise<void>
  /** The other party ends an established call (BYE). */
  remoteHangup(callId: string): Promise<void>
  /** The caller gives up before we answered (CANCEL); `elsewhere`: another phone of the group took it. */
  remoteCancel(callId: string, elsewhere?: boolean): Promise<void>
  /** The other party puts us on hold (re-INVITE sendonly) or resumes (sendrecv). */
  remoteHold(callId: string, held: boolean): Promise<void>
  /** The other party transfers us to `target` (REFER). */
  remoteRefer(callId: string, target: string): Promise<void>
  /** What the next transfer we make ends as: the target answered, or was busy. */
  nextTransfer(outcome: 'answered' | 'busy'): void
  /** Whether the other side accepts our next hold/resume re-INVITE. */
  acceptHold(accepted: boolean): void
}

type Seen = { event: 'added' | 'updated'; call: CallInfo } | { event: 'referred'; callId: string; newCallId: string; target: string }

export interface ContractOptions {
  /**
   * The phone is a view of a line held elsewhere (`RemoteSoftphone`: another tab has it):
   * its `stop()` closes the view and leaves the calls to the line instead of ending them.
   */
  view?: boolean
}

/** What every `Softphone` does, as seen through the interface. Run it once per implementation. */
export function softphoneContract(name: string, makeHarness: () => Promise<SoftphoneHarness> | SoftphoneHarness, options: ContractOptions = {}): void {
  describe(`Softphone contract: ${name}`, () => {
    async function setup(options: { register?: boolean } = {}) {
      const h = await makeHarness()
      const seen: Seen[] = []
      const registrations: string[] = []
      h.phone.on('callAdded', (call) => seen.push({ event: 'added', call }))
      h.phone.on('callUpdated', (call) => seen.push({ event: 'updated', call }))
      h.phone.on('referred', (callId, newCallId, target) => seen.push({ event: 'referred', callId, newCallId, target }))
      h.phone.on('registration', (status) => registrations.push(status.state))
      if (options.register !== false) {
        await h.phone.start()
        await until(h, () => h.phone.registration.state === 'registered')
      }
      const snapshots = (callId: string) => seen.flatMap((s) => (s.event !== 'referred' && s.call.id === callId ? [s.call] : []))
      const last = (callId: string) => snapshots(callId).at(-1)
      const states = (callId: string) => snapshots(callId).map((c) => c.state).filter((s, i, all) => s !== all[i - 1])
      const ended = async (callId: string, reason: EndReason) => {
        await until(h, () => last(callId)?.state === 'ended')
        expect(last(callId)?.endReason).toBe(reason)
        expect(last(callId)?.endedAt).toBeTypeOf('number')
      }
      const dial = async (target: string) => {
        const result = await h.phone.dial(target)
        if (!result.ok) throw new Error(`dial refused: ${result.reason}`)
        await h.settle()
        return result.callId
      }
      const answered = async (from = '1002') => {
        const id = await h.ring(from)
        if (!id) throw new Error('no call')
        await h.phone.answer(id)
        await until(h, () => last(id)?.state === 'active')
        return id
      }
      return { h, seen, registrations, snapshots, last, states, ended, dial, answered }
    }

    describe('line', () => {
      it('start() registers: the last registration event and `registration` both say registered', async () => {
        const { h, registrations } = await setup()
        expect(registrations.at(-1)).toBe('registered')
        expect(h.phone.registration.state).toBe('registered')
      })

      it('stop() ends registered → unregistered', async () => {
        const { h, registrations } = await setup()
        await h.phone.stop()
        await h.settle()
        expect(h.phone.registration.state).toBe('unregistered')
        expect(registrations.at(-1)).toBe('unregistered')
      })

      it('dial before registering is refused with not-registered, and announces no call', async () => {
        const { h, seen } = await setup({ register: false })
        expect(await h.phone.dial('1002')).toEqual({ ok: false, reason: 'not-registered' })
        expect(seen).toEqual([])
      })

      it('dial of nothing is refused', async () => {
        const { h, seen } = await setup()
        expect(await h.phone.dial('   ')).toMatchObject({ ok: false })
        expect(seen).toEqual([])
      })
    })

    describe('outgoing calls', () => {
      it('dial → callAdded dialing (out, the number as dialled) → active on answer → hangup-remote', async () => {
        const { h, seen, last, states, ended, dial } = await setup()
        const id = await dial('0312345678')
        expect(seen[0]).toMatchObject({ event: 'added', call: { id, direction: 'out', state: 'dialing', remoteUser: '0312345678', held: false, muted: false, remoteHeld: false } })
        await h.remoteAnswer(id)
        expect(last(id)?.answeredAt).toBeTypeOf('number')
        await h.remoteHangup(id)
        await ended(id, 'hangup-remote')
        expect(states(id)).toEqual(['dialing', 'active', 'ended'])
      })

      it('the called party refuses → rejected', async () => {
        const { h, ended, dial, states } = await setup()
        const id = await dial('1002')
        await h.remoteReject(id)
        await ended(id, 'rejected')
        expect(states(id)).toEqual(['dialing', 'ended'])
      })

      it('hangup while dialing → hangup-local', async () => {
        const { h, ended, dial } = await setup()
        const id = await dial('1002')
        await h.phone.hangup(id)
        await ended(id, 'hangup-local')
      })

      it('hangup when active → hangup-local', async () => {
        const { h, ended, dial } = await setup()
        const id = await dial('1002')
        await h.remoteAnswer(id)
        await h.phone.hangup(id)
        await ended(id, 'hangup-local')
      })

      it('answer and decline do nothing to our own call', async () => {
        const { h, last, dial } = await setup()
        const id = await dial('1002')
        await h.phone.answer(id)
        await h.phone.decline(id)
        await h.settle()
        expect(last(id)?.state).toBe('dialing')
      })
    })

    describe('incoming calls', () => {
      it('ring → callAdded ringing with the caller as it arrived (# codes included)', async () => {
        const { h, seen } = await setup()
        const id = await h.ring('0312345678#A1#B2')
        expect(seen).toHaveLength(1)
        expect(seen[0]).toMatchObject({ event: 'added', call: { id, direction: 'in', state: 'ringing', remoteUser: '0312345678#A1#B2' } })
      })

      it('answer → active; hangup → hangup-local', async () => {
        const { h, states, ended, answered } = await setup()
        const id = await answered()
        await h.phone.hangup(id)
        await ended(id, 'hangup-local')
        expect(states(id)).toEqual(['ringing', 'active', 'ended'])
      })

      it('the caller hangs up an answered call → hangup-remote', async () => {
        const { h, ended, answered } = await setup()
        const id = await answered()
        await h.remoteHangup(id)
        await ended(id, 'hangup-remote')
      })

      it('decline → declined; hangup while ringing → declined too', async () => {
        const { h, ended } = await setup()
        const a = (await h.ring('1002'))!
        await h.phone.decline(a)
        await ended(a, 'declined')
        const b = (await h.ring('1003'))!
        await h.phone.hangup(b)
        await ended(b, 'declined')
      })

      it('the caller gives up → cancelled; taken by another phone → answered-elsewhere', async () => {
        const { h, ended } = await setup()
        const a = (await h.ring('1002'))!
        await h.remoteCancel(a)
        await ended(a, 'cancelled')
        const b = (await h.ring('1003'))!
        await h.remoteCancel(b, true)
        await ended(b, 'answered-elsewhere')
      })

      it('do not disturb: nothing is announced; off again: calls ring', async () => {
        const { h, seen } = await setup()
        h.phone.setDoNotDisturb(true)
        expect(await h.ring('1002')).toBeUndefined()
        await h.settle()
        expect(seen).toEqual([])
        h.phone.setDoNotDisturb(false)
        expect(await h.ring('1003')).toBeTypeOf('string')
      })
    })

    describe('in a call', () => {
      it('hold and unhold: held follows, each change is a callUpdated', async () => {
        const { h, last, answered } = await setup()
        const id = await answered()
        expect(await h.phone.hold(id)).toBe(true)
        expect(last(id)?.held).toBe(true)
        expect(await h.phone.unhold(id)).toBe(true)
        expect(last(id)).toMatchObject({ state: 'active', held: false })
      })

      it('hold refused by the other side → false, not held', async () => {
        const { h, last, answered } = await setup()
        const id = await answered()
        h.acceptHold(false)
        expect(await h.phone.hold(id)).toBe(false)
        expect(last(id)?.held).toBe(false)
      })

      it('hold of a call that is not active → false', async () => {
        const { h, last } = await setup()
        const id = (await h.ring('1002'))!
        expect(await h.phone.hold(id)).toBe(false)
        expect(await h.phone.hold('no-such-call')).toBe(false)
        expect(last(id)?.held).toBe(false)
      })

      it('mute and unmute', async () => {
        const { h, last, answered } = await setup()
        const id = await answered()
        h.phone.mute(id)
        expect(last(id)?.muted).toBe(true)
        h.phone.unmute(id)
        expect(last(id)?.muted).toBe(false)
      })

      it('the other party holds us → remoteHeld, and resumes', async () => {
        const { h, last, answered } = await setup()
        const id = await answered()
        await h.remoteHold(id, true)
        await until(h, () => last(id)?.remoteHeld === true)
        await h.remoteHold(id, false)
        await until(h, () => last(id)?.remoteHeld === false)
      })

      it('DTMF on an active call is sent; not DTMF or no active call is refused', async () => {
        const { h, answered } = await setup()
        const ringing = (await h.ring('1003'))!
        expect(await h.phone.sendDtmf(ringing, '1')).toEqual({ ok: false, reason: 'no-call' })
        const id = await answered()
        expect(await h.phone.sendDtmf(id, '1x')).toEqual({ ok: false, reason: 'not DTMF: 1x' })
        expect(await h.phone.sendDtmf(id, '12#')).toMatchObject({ ok: true })
      })

      it('blind transfer answered → ok, our leg ends transferred', async () => {
        const { h, ended, answered } = await setup()
        const id = await answered()
        h.nextTransfer('answered')
        expect(await h.phone.transfer(id, '1003')).toEqual({ ok: true })
        await ended(id, 'transferred')
      })

      it('blind transfer to a busy target → not ok, transfer failed, the call goes on', async () => {
        const { h, last, answered } = await setup()
        const id = await answered()
        h.nextTransfer('busy')
        expect(await h.phone.transfer(id, '1003')).toMatchObject({ ok: false })
        expect(last(id)).toMatchObject({ state: 'active', transfer: 'failed' })
      })

      it('transfer of a call that is not active → no-call', async () => {
        const { h } = await setup()
        const id = (await h.ring('1002'))!
        expect(await h.phone.transfer(id, '1003')).toEqual({ ok: false, reason: 'no-call' })
      })

      it('the other party transfers us: callAdded (out, referredFrom), then referred', async () => {
        const { h, seen, answered } = await setup()
        const id = await answered()
        await h.remoteRefer(id, '1003')
        await until(h, () => seen.some((s) => s.event === 'referred'))
        const added = seen.filter((s) => s.event === 'added').at(-1)
        const referred = seen.find((s) => s.event === 'referred')
        expect(added).toMatchObject({ call: { direction: 'out', state: 'dialing', remoteUser: '1003', referredFrom: id } })
        expect(referred).toEqual({ event: 'referred', callId: id, newCallId: added?.event === 'added' ? added.call.id : '', target: '1003' })
        expect(seen.indexOf(added!)).toBeLessThan(seen.indexOf(referred!))
      })
    })

    describe('after the end', () => {
      it('an ended call changes no more: actions on it announce nothing', async () => {
        const { h, seen, ended, answered } = await setup()
        const id = await answered()
        await h.remoteHangup(id)
        await ended(id, 'hangup-remote')
        const count = seen.length
        await h.phone.hangup(id)
        await h.phone.hold(id)
        h.phone.mute(id)
        await h.phone.answer(id)
        await h.settle()
        expect(seen.length).toBe(count)
      })

      if (options.view) {
        it('stop() closes the view: no more events, the calls go on where the line is', async () => {
          const { h, seen, answered } = await setup()
          const active = await answered()
          await h.phone.stop()
          const count = seen.length
          await h.remoteHangup(active)
          await h.settle()
          expect(seen.length).toBe(count)
          expect(h.phone.registration.state).toBe('unregistered')
        })
        return
      }

      it('stop() ends every call', async () => {
        const { h, last, dial, answered } = await setup()
        const active = await answered()
        const dialling = await dial('1004')
        const ringing = (await h.ring('1005'))!
        await h.phone.stop()
        await until(h, () => [active, dialling, ringing].every((id) => last(id)?.state === 'ended'))
        expect(last(active)?.endReason).toBe('hangup-local')
        expect(last(dialling)?.endReason).toBe('hangup-local')
        expect(last(ringing)?.endReason).toBe('declined')
      })
    })
  })
}

/** Waits, letting the harness settle in between, until `check` holds. */
async function until(h: SoftphoneHarness, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (check()) return
    await h.settle()
  }
  expect(check(), 'condition never held').toBe(true)
}
