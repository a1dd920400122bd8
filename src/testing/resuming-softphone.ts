import type { DialogStore, ResumePorts } from '@/ports/ports'
import type { DialogRecord } from '@/resume/dialog-record'
import { FakeSoftphone } from '@/sip/fake-softphone'
import type { CallInfo, DialogState, RejoinResult } from '@/sip'

/** A fake phone that also keeps dialogs (issue 12): each active call's dialog is named after it. */
export class ResumingSoftphone extends FakeSoftphone {
  rejoinResult: RejoinResult = { ok: true }
  readonly rejoined: { dialog: DialogState; info: CallInfo }[] = []
  readonly byes: DialogState[] = []

  dialogOf(callId: string): DialogState | undefined {
    if (this.call(callId)?.state !== 'active') return undefined
    return { sipCallId: `sip-${callId}`, localTag: 'l', remoteTag: 'r', localUri: 'sip:1001@pbx', remoteUri: 'sip:0312345678@pbx', remoteTarget: 'sip:x@h', routeSet: [], localSeq: 2 }
  }

  async rejoin(dialog: DialogState, info: CallInfo): Promise<RejoinResult> {
    this.rejoined.push({ dialog, info })
    const call = { ...info, state: 'dialing' as const, rejoining: true }
    this.calls.set(call.id, call)
    this.events.emit('callAdded', call)
    if (this.rejoinResult.ok) this.update(call.id, { state: 'active', rejoining: undefined })
    else this.update(call.id, { state: 'ended', endedAt: Date.now(), endReason: 'failed' })
    return this.rejoinResult
  }

  async endDialog(dialog: DialogState): Promise<boolean> {
    this.byes.push(dialog)
    return true
  }

  /** The calls named leave without a word (another tab rejoins them); the rest end as with `stop()`. */
  async stopLeaving(callIds: readonly string[]): Promise<void> {
    this.actions.push(`stopLeaving ${callIds.join(',')}`)
    for (const id of callIds) this.calls.delete(id)
    await this.stop()
  }
}

/**
 * The browser side shared by the "pages" (or tabs) of one test: the dialogs' IndexedDB and the
 * end marks, as `browserResumePorts` keeps them. `pressReload` is the agent's F5 in the page
 * that listened last.
 */
export function resumeBrowserSide() {
  const records = new Map<string, unknown>()
  const ended: string[] = []
  let reloadKey: (() => void) | undefined
  const dialogs: DialogStore = {
    list: async () => [...records.values()].filter((r) => !ended.includes((r as DialogRecord).callId)),
    put: async (record) => { records.set(record.callId, structuredClone(record)) },
    delete: async (callId) => { records.delete(callId) },
  }
  const ports: ResumePorts = {
    dialogs,
    markEnded: (ids) => { ended.push(...ids) },
    onReloadKey: (listener) => { reloadKey = listener; return () => undefined },
  }
  return { records, ended, ports, pressReload: () => reloadKey?.() }
}
