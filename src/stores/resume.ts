import type { MessageTree } from '@/i18n'
import messages from '@/i18n/resume'
import type { AppPorts, ResumePorts } from '@/ports/ports'
import { DIALOG_HEARTBEAT_MS, dialogFate, dialogRecord, isDialogRecord, type DialogRecord } from '@/resume/dialog-record'
import type { CallInfo } from '@/sip'
import type { Call, CrmState, useCallsStore } from './calls'
import type { useLineStore } from './line'
import type { useSettingsStore } from './settings'

/** What the resume logic works with: the app's stores and ports, handed in by the session store. */
export interface ResumeDeps {
  ports: AppPorts
  calls: ReturnType<typeof useCallsStore>
  line: ReturnType<typeof useLineStore>
  settingsStore: ReturnType<typeof useSettingsStore>
  mergeMessages(messages: { en: MessageTree; ja: MessageTree }): void
}

export type Resume = ReturnType<typeof createResume>

function crmOf(values: Readonly<Record<string, string>>): CrmState {
  return { searchState: Object.keys(values).length > 0 ? 'done' : 'idle', values: { ...values }, searchFailed: false }
}

const callOf = (record: DialogRecord, sip: CallInfo = record.call): Call =>
  ({ id: record.callId, sip, reading: record.reading, crm: crmOf(record.values) })

/**
 * A call survives a reload, a crash or a discard of the phone's page (issue 12).
 *
 * - Every established call's dialog is kept in IndexedDB (`@/resume/dialog-record`) at every
 *   change of the call and every {@link DIALOG_HEARTBEAT_MS}; its record goes when it ends.
 * - The page that registers next takes the calls back: within `call.resumeSeconds` with an
 *   INVITE carrying Replaces (same call id, reading and CRM values: no ring, popup or answer
 *   access; refused → a notice offering to call back), older with a BYE from the stored state.
 *   Either way the call's end is reported once, so its hang-up access and history end happen.
 *
 * The rule for the old page's `pagehide` (what a browser lets a page tell apart):
 * - a reload key (F5, Ctrl+R, ⌘R) pressed on the page during a call, resume on → the leave is a
 *   reload: no leave prompt, no BYE, no un-REGISTER; the next page takes the calls back;
 * - anything else that reaches `pagehide` during a call (closing the tab or the browser, the
 *   reload button, navigating away) went through the leave prompt and the agent confirmed it:
 *   the calls end at once (BYE) and their hang-up accesses leave as `keepalive` requests. The
 *   page cannot tell the reload button from closing: both ask "leave?", both end the call;
 * - a crash or a discard fires no `pagehide`: the dialog stays, aged from its last heartbeat.
 *
 * Loaded with the line, a chunk of its own: nothing here is needed for the first paint. A plain
 * module on the stores it is handed (no `vue`, `pinia` or i18n import of its own), so the start
 * bundle's chunks stay as they were: a lazy chunk importing those splits them, and split
 * chunks compress worse (+0.5 to 1.8 KB gzip measured).
 */
export function createResume({ ports, calls, line, settingsStore, mergeMessages }: ResumeDeps) {
  const seconds = () => settingsStore.settings.call.resumeSeconds ?? 0

  let browser: ResumePorts | undefined
  let reloading = false
  let lookedForLeft = false
  let heartbeat: ReturnType<typeof setInterval> | undefined
  /** Calls being taken back: the softphone announces them with these records' facts. */
  const rejoining = new Map<string, DialogRecord>()
  /** Calls whose record is stored (or being written). */
  const kept = new Set<string>()
  let writes: Promise<unknown> = Promise.resolve()

  /**
   * Before each new line of this page (the session's `startLine`): loads the browser side once,
   * and lets that line's first registration look for left calls again. A tab that led once,
   * followed another tab, and takes the line back after that tab crashed or reloaded mid-call
   * takes that tab's calls too.
   */
  async function ready(): Promise<void> {
    lookedForLeft = false
    if (browser || !ports.resume) return
    browser = await ports.resume()
    mergeMessages(messages)
    browser.onReloadKey(() => {
      // Only a call in progress is kept: a reload while one only rings asks, as closing does.
      if (seconds() <= 0 || !calls.active.some((c) => c.sip.state === 'active')) return
      reloading = true
      // The reload goes through without the leave prompt: the call continues on the next page.
      ports.leaveGuard.set(false)
    })
  }

  /** Writes one after another, never awaited by the calls. */
  function queue(work: (dialogs: NonNullable<ResumePorts['dialogs']>) => Promise<unknown>): void {
    const dialogs = browser?.dialogs
    if (dialogs) writes = writes.then(() => work(dialogs)).catch(() => undefined)
  }

  function recordOf(call: Call, aliveAt: number): DialogRecord | undefined {
    if (call.sip.state !== 'active' || call.sip.rejoining) return undefined
    const dialog = calls.softphone()?.dialogOf?.(call.id)
    if (!dialog) return undefined
    return dialogRecord({ callId: call.id, dialog, call: call.sip, reading: call.reading, values: call.crm.values, aliveAt })
  }

  function save(now = Date.now()): void {
    if (seconds() <= 0) return
    for (const call of calls.calls) {
      const record = recordOf(call, now)
      if (!record) continue
      kept.add(call.id)
      queue((d) => d.put(record))
    }
  }

  function forget(callId: string): void {
    rejoining.delete(callId)
    if (kept.delete(callId)) queue((d) => d.delete(callId))
  }

  // Every change of a call (answer, hold, CRM values) is saved, after the render; while calls
  // are up, a heartbeat keeps their age short for a crash.
  calls.onCallsChange(() => {
    save()
    const busy = calls.active.length > 0
    if (busy && !heartbeat) heartbeat = setInterval(() => save(), DIALOG_HEARTBEAT_MS)
    else if (!busy && heartbeat) stop()
  })
  calls.onCall('ended', (call) => forget(call.id))
  calls.setAdopter((info) => {
    const record = rejoining.get(info.id)
    return record && callOf(record, info)
  })
  line.onRegistration(() => {
    if (line.registration.state !== 'registered' || lookedForLeft) return
    lookedForLeft = true
    void takeBackLeft()
  })

  /**
   * In `pagehide`. A reload with resume on: true, the calls stay for the next page. Otherwise
   * their ends are reported now (so the hang-up accesses leave before the page is gone) and
   * marked synchronously, so no later page takes them back; the caller then sends the BYEs.
   */
  function leave(now = Date.now()): boolean {
    stop()
    const up = calls.active
    if (reloading && seconds() > 0 && up.length > 0) {
      const ending: Call[] = []
      for (const call of up) {
        // Best effort: the dialog's age then counts from now rather than the last heartbeat.
        const record = recordOf(call, now)
        const left: DialogRecord | undefined = record && { ...record, leftAt: now }
        if (left) queue((d) => d.put(left))
        else if (!rejoining.has(call.id)) ending.push(call)
      }
      // A call that only rings or dials has no dialog to keep: it ends now (CANCEL, 486),
      // reported first so the softphone's own end of it finds no call.
      endNow(ending, now)
      for (const call of ending) void calls.hangup(call.id)
      return true
    }
    browser?.markEnded([...kept, ...up.map((c) => c.id)])
    endNow(up, now)
    return false
  }

  /**
   * Another tab took the line from this one ("use here") during a call: with resume on, the
   * established calls go with the line. Their dialogs are written (left now) before the other
   * tab registers and rejoins them; the line then stops without BYE for them. Resolves with
   * their ids. Calls that only ring or dial end with the line, as before.
   */
  async function handOver(now = Date.now()): Promise<string[]> {
    stop()
    if (seconds() <= 0 || !browser?.dialogs) return []
    const left: string[] = []
    for (const call of calls.active) {
      const record = recordOf(call, now)
      if (!record) continue
      const kept: DialogRecord = { ...record, leftAt: now }
      queue((d) => d.put(kept))
      left.push(call.id)
    }
    await writes
    return left
  }

  /** Reports the end of `list` now: the BYEs' (CANCELs') answers then find no call, so once. */
  function endNow(list: readonly Call[], now: number): void {
    if (list.length === 0) return
    const gone = new Set(list.map((c) => c.id))
    calls.calls = calls.calls.filter((c) => !gone.has(c.id))
    for (const call of list) {
      // As hanging up would end it: a call ringing in is declined (486), any other hung up by us.
      const endReason = call.sip.direction === 'in' && call.sip.answeredAt === undefined ? 'declined' : 'hangup-local'
      calls.announce('ended', { ...call, sip: { ...call.sip, state: 'ended', endedAt: now, endReason } })
    }
  }

  /** After this page's first registration: the calls an earlier page left. */
  async function takeBackLeft(now = Date.now()): Promise<void> {
    const dialogs = browser?.dialogs
    if (!dialogs) return
    const records = (await dialogs.list().catch((): unknown[] => [])).filter(isDialogRecord)
    const phone = calls.softphone()
    for (const record of records) {
      if (calls.calls.some((c) => c.id === record.callId)) continue
      const fate = dialogFate(record, now, seconds())
      if (fate === 'resume' && phone?.rejoin) {
        kept.add(record.callId)
        rejoining.set(record.callId, record)
        void phone.rejoin(record.dialog, record.call).then((result) => {
          if (result.ok) {
            // The new leg offers held when the call was (the softphone's rejoin); a softphone that
            // cannot, and the mute, are put back as the agent left them.
            const now = calls.calls.find((c) => c.id === record.callId)?.sip
            if (record.call.held && !now?.held) void calls.hold(record.callId)
            if (record.call.muted) calls.toggleMute(record.callId)
            return
          }
          calls.notify({ kind: 'resume-failed', number: record.reading.remote, reason: result.reason })
          // A party that refused the Replaces (420, 488) may still hold the old leg: end it, so
          // nobody is left in silence (a 481 to this BYE is expected when it is gone already).
          void phone.endDialog?.(record.dialog)
        })
        continue
      }
      await dialogs.delete(record.callId).catch(() => undefined)
      if (fate === 'forget') continue
      // Too old to take back: nobody may be left in silence, and the call is owed its end.
      await phone?.endDialog?.(record.dialog)
      const endedAt = record.leftAt ?? record.aliveAt
      calls.announce('resumed', callOf(record))
      calls.announce('ended', callOf(record, { ...record.call, state: 'ended', endedAt, endReason: 'hangup-local' }))
    }
  }

  /**
   * The calls an earlier page left that `takeBackLeft` will take back or end (and so report): the
   * history's cut-off recovery leaves their rows alone. Calls ended on purpose are not among them.
   */
  async function willTakeBack(now = Date.now()): Promise<ReadonlySet<string>> {
    const records = (await browser?.dialogs?.list().catch((): unknown[] => []) ?? []).filter(isDialogRecord)
    return new Set(records.filter((r) => dialogFate(r, now, seconds()) !== 'forget').map((r) => r.callId))
  }

  function stop(): void {
    clearInterval(heartbeat)
    heartbeat = undefined
  }

  return { ready, leave, handOver, takeBackLeft, willTakeBack, stop, settled: () => writes }
}
