import { defineStore } from 'pinia'
import { computed, watch } from 'vue'
import type { DialogStore } from '@/ports/ports'
import { usePorts } from '@/ports/ports'
import { DIALOG_HEARTBEAT_MS, dialogFate, dialogRecord, isDialogRecord, type DialogRecord } from '@/resume/dialog-record'
import { useCallsStore, type Call, type LeftCall } from './calls'
import { useLineStore } from './line'
import { useSettingsStore } from './settings'

/**
 * A call survives a reload, a crash or a discard of the phone's page (issue 12).
 *
 * - Every established call's dialog is kept in IndexedDB (`@/resume/dialog-record`) at every
 *   change of the call and every {@link DIALOG_HEARTBEAT_MS}; its record goes when it ends.
 * - The page that registers first after the old one went away takes the calls back: within
 *   `call.resumeSeconds` with an INVITE carrying Replaces (same call id, reading, CRM values:
 *   no ring, popup or answer access), older with a BYE from the stored state. Either way the
 *   call's end is reported once, here, so its hang-up access and history end still happen.
 *
 * The rule for the old page's `pagehide` (what a browser lets a page tell apart):
 * - a reload key (F5, Ctrl+R, ⌘R) pressed on the page, resume on → the leave is a reload: no
 *   prompt, no BYE, no un-REGISTER; the next page takes the calls back;
 * - anything else that reaches `pagehide` during a call (closing the tab or the browser, the
 *   reload button, navigating away) went through the leave prompt, which the agent confirmed:
 *   the calls end at once (BYE) and their hang-up accesses leave with `keepalive`. A page
 *   cannot tell the reload button from closing: both ask "leave?" and both end the call;
 * - a crash or a discard fires no `pagehide`: the dialog stays, aged by its last heartbeat.
 *
 * Loaded with the line (a chunk of its own): nothing here is needed for the first paint.
 */
export const useResumeStore = defineStore('resume', () => {
  const ports = usePorts()
  const calls = useCallsStore()
  const line = useLineStore()
  const settingsStore = useSettingsStore()
  const seconds = computed(() => settingsStore.settings.call.resumeSeconds ?? 0)

  let db: Promise<DialogStore | undefined> | undefined
  let reloading = false
  let lookedForLeft = false
  let heartbeat: ReturnType<typeof setInterval> | undefined
  /** Calls whose record is stored (or being written). */
  const kept = new Set<string>()
  let writes: Promise<unknown> = Promise.resolve()

  function store(): Promise<DialogStore | undefined> {
    db ??= ports.resume ? ports.resume.open().catch(() => undefined) : Promise.resolve(undefined)
    return db
  }

  /** Writes one after another, never awaited by the calls. */
  function queue(work: (s: DialogStore) => Promise<unknown>): void {
    writes = writes.then(async () => {
      const s = await store()
      if (s) await work(s)
    }).catch(() => undefined)
  }

  function recordOf(call: Call, aliveAt: number): DialogRecord | undefined {
    if (call.sip.state !== 'active' || call.sip.rejoining) return undefined
    const dialog = calls.softphone()?.dialogOf?.(call.id)
    if (!dialog) return undefined
    return dialogRecord({ callId: call.id, dialog, call: call.sip, reading: call.reading, values: call.crm.values, aliveAt })
  }

  function save(list: readonly Call[], now = Date.now()): void {
    if (seconds.value <= 0 || !ports.resume) return
    for (const call of list) {
      const record = recordOf(call, now)
      if (!record) continue
      kept.add(call.id)
      queue((s) => s.put(record))
    }
  }

  function forget(callId: string): void {
    if (!kept.delete(callId)) return
    queue((s) => s.delete(callId))
  }

  // Every change of a call (answer, hold, CRM values) is saved, after the render.
  watch(() => calls.calls, (list) => save(list), { flush: 'post' })
  watch(() => calls.active.length > 0, (busy) => {
    clearInterval(heartbeat)
    heartbeat = busy ? setInterval(() => save(calls.calls), DIALOG_HEARTBEAT_MS) : undefined
  })
  calls.onCall('ended', (call) => forget(call.id))
  ports.resume?.onReloadKey(() => {
    if (seconds.value <= 0 || calls.active.length === 0) return
    reloading = true
    // The reload goes through without the leave prompt: the call continues on the next page.
    ports.leaveGuard.set(false)
  })
  watch(() => line.registration.state, (state) => {
    if (state === 'registered' && !lookedForLeft) {
      lookedForLeft = true
      void takeBackLeft()
    }
  }, { immediate: true })

  /**
   * In `pagehide`: true when the calls stay for the next page (a reload with resume on); else
   * the caller ends them, and they are marked ended synchronously so no later page takes them.
   */
  function keepOnLeave(now = Date.now()): boolean {
    clearInterval(heartbeat)
    const up = calls.active.filter((c) => c.sip.state !== 'ended')
    if (reloading && seconds.value > 0 && up.length > 0) {
      // Best effort: the age of the dialog then counts from now, not from the last heartbeat.
      for (const call of up) {
        const record = recordOf(call, now)
        const left: DialogRecord | undefined = record && { ...record, leftAt: now }
        if (left) queue((s) => s.put(left))
      }
      return true
    }
    ports.resume?.markEnded([...kept, ...up.map((c) => c.id)])
    return false
  }

  /** After this page's first registration: the calls an earlier page left. */
  async function takeBackLeft(now = Date.now()): Promise<void> {
    const s = await store()
    if (!s) return
    const records = (await s.list().catch((): unknown[] => [])).filter(isDialogRecord)
    const phone = calls.softphone()
    for (const record of records) {
      if (calls.calls.some((c) => c.id === record.callId)) continue
      const left: LeftCall = { dialog: record.dialog, sip: record.call, reading: record.reading, values: record.values }
      const fate = dialogFate(record, now, seconds.value)
      if (fate === 'resume' && phone?.rejoin) {
        kept.add(record.callId)
        void calls.rejoin(left)
        continue
      }
      await s.delete(record.callId).catch(() => undefined)
      if (fate === 'forget') continue
      // Too old to take back: nobody may be left in silence, and the call is owed its end.
      await phone?.endDialog?.(record.dialog)
      calls.endLeft(left, record.leftAt ?? record.aliveAt)
    }
  }

  function stop(): void {
    clearInterval(heartbeat)
    heartbeat = undefined
  }

  return { keepOnLeave, takeBackLeft, stop, settled: () => writes }
})
