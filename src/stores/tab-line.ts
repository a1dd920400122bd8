import type { Softphone } from '@/sip'
import { relayLine, type LineRelay } from '@/sip/tab-relay/line-relay'
import type { RelayChannel } from '@/sip/tab-relay/protocol'
import { RemoteSoftphone, type RemoteSoftphoneOptions } from '@/sip/tab-relay/remote-softphone'
import type { Call, useCallsStore } from './calls'
import { followerCti, leaderCti, type TabStores } from './tab-cti'

type CallsStore = ReturnType<typeof useCallsStore>

/*
 * The session's two ends of the tab relay (`src/sip/tab-relay`), with what the app adds to the
 * softphone's events: the CRM's answer about a call, so a follower's popup shows it too.
 * Loaded once the tab knows its role, not with the first paint.
 */

/**
 * In the line's tab: relays `phone`, and tells the followers of each new CRM state of its calls
 * (`crmChanged` with the calls as they are now, from the session's watch of the calls store).
 */
export function leaderRelay(phone: Softphone, channel: RelayChannel, stores: TabStores): LineRelay & { crmChanged(list: readonly Call[]): void } {
  const sent = new Map<string, Call['crm']>()
  let calls: readonly Call[] = []
  // The CRM session and the history writes, for the followers (`tab-cti.ts`).
  const cti = leaderCti(channel, stores)
  // A tab that just opened hears the CRM's login state and what it said about the calls in progress, too.
  const relay = relayLine(phone, channel, { onHello: () => { cti.hello(); sent.clear(); crmChanged(calls) } })
  return {
    annotate: relay.annotate,
    stop: () => {
      cti.stop()
      relay.stop()
    },
    crmChanged,
  }

  function crmChanged(list: readonly Call[]): void {
    calls = list
    for (const id of [...sent.keys()]) if (!list.some((c) => c.id === id)) sent.delete(id)
    for (const call of list) {
      if (sent.get(call.id) === call.crm || call.crm.searchState === 'idle') continue
      sent.set(call.id, call.crm)
      relay.annotate(call.id, { searchState: call.crm.searchState, values: { ...call.crm.values }, searchFailed: call.crm.searchFailed })
    }
  }
}

/** A follower's view of the line, with the leader's CRM session alongside for as long as it runs. */
class FollowerPhone extends RemoteSoftphone {
  constructor(options: RemoteSoftphoneOptions, private readonly stopCti: () => void) {
    super(options)
  }

  override async stop(): Promise<void> {
    this.stopCti()
    await super.stop()
  }
}

/** In a follower: the leader's line as a softphone, with the CRM state the leader sends. */
export function followerPhone(channel: RelayChannel, tabId: string, calls: CallsStore, stores: TabStores): RemoteSoftphone {
  // Before the softphone's hello: the leader answers it with its CRM login state too.
  const remote = new FollowerPhone({ channel, tabId }, followerCti(channel, tabId, stores))
  remote.onAnnotation((callId, data) => {
    const crm = crmStateOf(data)
    if (crm) calls.setCrm(callId, crm)
  })
  return remote
}

const SEARCH_STATES: readonly string[] = ['idle', 'pending', 'done', 'failed', 'skipped'] satisfies Call['crm']['searchState'][]

/** The CRM state another tab sent for a call, if it has the shape of one (values: text only). */
export function crmStateOf(data: unknown): Call['crm'] | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const { searchState, values, searchFailed } = data as Record<string, unknown>
  if (!SEARCH_STATES.includes(searchState as string) || typeof values !== 'object' || values === null) return undefined
  const text = Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string')
  return { searchState: searchState as Call['crm']['searchState'], values: Object.fromEntries(text), searchFailed: searchFailed === true }
}
