import type { AuthResult, AuthStatus, CallParties } from '@/cti'
import { relayMessageOf, type RelayChannel } from '@/sip/tab-relay/protocol'
import type { useCtiStore } from './cti'
import type { useHistoryStore } from './history'

/*
 * The CRM session and the history across the tabs of one browser (issue 11 item 4). The tab with
 * the line (the leader) holds the CRM session and writes the history; a tab without it (a
 * follower) shows the leader's CRM login state, and its "Open in CRM" (call card, popup,
 * history rows), login and logout run in the leader: each access still runs once, there. When
 * the leader writes history rows, the followers' missed-call badge and open history view read
 * them again (the rows are in the origin's IndexedDB, shared by the tabs); the history looked at
 * in any tab clears the badge of the others too.
 *
 * Over the tab relay's channel, as `app` messages:
 *
 * ```
 *  follower                                   leader
 *   (hello, the relay's)  ───────────────────►
 *         ◄─────────────────────────────────── cti-auth {state, …}   (also at every change)
 *   cti-command {id, method, args} ──────────►        (open, open-past, login, logout)
 *         ◄─────────────────────────────────── cti-result {id, value}
 *         ◄─────────────────────────────────── history               (rows were written)
 *   history-seen ◄──────────────────────────► history-seen          (the history was looked at)
 * ```
 *
 * Loaded with the relay (`tab-line.ts`), not with the first paint.
 */

type CtiStore = ReturnType<typeof useCtiStore>
type HistoryStore = ReturnType<typeof useHistoryStore>
export interface TabStores {
  cti: CtiStore
  history: HistoryStore
}

type Method = 'open' | 'open-past' | 'login' | 'logout'

/**
 * A plain copy for `postMessage` (store values are Vue proxies, which it cannot clone). Not
 * `settings/paths`'s `cloneJson`, nor Vue's `watch` below: a lazy chunk importing a module of the
 * start bundle splits that module out of it, which costs the start bundle's gzip.
 */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** Text values only (CRM values are text): anything else another tab sent is dropped. */
function textValues(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {}
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
}

const AUTH_STATES: readonly string[] = ['off', 'logged-out', 'pending', 'ok', 'expired', 'failed'] satisfies AuthStatus['state'][]

/** The leader's login status as a follower may show it: the state and why, never the session's values. */
function authStatusOf(data: unknown): AuthStatus | undefined {
  if (!isRecord(data) || !AUTH_STATES.includes(data.state as string)) return undefined
  const { state, reason, status, acquiredAt, expiresAt } = data
  return {
    state: state as AuthStatus['state'],
    ...(typeof reason === 'string' ? { reason: reason as AuthStatus['reason'] & string } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof acquiredAt === 'string' ? { acquiredAt } : {}),
    ...(typeof expiresAt === 'string' ? { expiresAt } : {}),
  }
}

/** A login's outcome without its values (the session id stays in the leader). */
function loginOutcome(result: AuthResult | undefined): AuthResult | undefined {
  if (!result) return undefined
  return result.ok ? { ok: true, values: {} } : { ok: false, reason: result.reason, ...(result.status === undefined ? {} : { status: result.status }) }
}

function loginOutcomeOf(data: unknown): AuthResult | undefined {
  if (!isRecord(data) || typeof data.ok !== 'boolean') return undefined
  if (data.ok) return { ok: true, values: {} }
  if (typeof data.reason !== 'string') return undefined
  return { ok: false, reason: data.reason as Extract<AuthResult, { ok: false }>['reason'], ...(typeof data.status === 'number' ? { status: data.status } : {}) }
}

/**
 * Either end: the agent opened or closed the history view in this tab, which saved the moment as
 * seen (the missed-call badge counts calls after it): the other tabs count from then too. Posted
 * after the action, once the seen time is on its way to the storage the other tabs read.
 */
function shareSeen(history: HistoryStore, post: (topic: string, data: unknown) => void): () => void {
  return history.$onAction(({ name, after }) => {
    if (name === 'open' || name === 'close') after(() => post('history-seen', null))
  })
}

/**
 * In the leader: runs the followers' CRM commands on this tab's CTI store, and tells them its
 * login state and each history write. `hello()` answers a follower that just opened.
 */
export function leaderCti(channel: RelayChannel, { cti, history }: TabStores): { hello(): void; stop(): void } {
  let stopped = false
  const post = (topic: string, data: unknown) => {
    if (stopped) return
    try {
      channel.post({ type: 'app', topic, data })
    } catch {
      // The channel closed with the page (a watcher's last run as the tab goes): nobody to tell.
    }
  }
  const sendAuth = () => post('cti-auth', plain(cti.auth))
  let auth = cti.auth
  let written = history.written
  const offs = [
    cti.onAuth(() => {
      if (cti.auth === auth) return
      auth = cti.auth
      sendAuth()
    }),
    history.onWritten(() => {
      if (history.written === written) return
      written = history.written
      post('history', null)
    }),
    shareSeen(history, post),
    channel.onMessage((raw) => {
      const message = relayMessageOf(raw)
      if (message?.type !== 'app') return
      if (message.topic === 'cti-command') void run(message.data)
      else if (message.topic === 'history-seen') void history.changedElsewhere()
    }),
  ]

  async function run(data: unknown): Promise<void> {
    if (!isRecord(data) || typeof data.id !== 'string' || !Array.isArray(data.args)) return
    const [first, second, third] = data.args as unknown[]
    let value: unknown = null
    switch (data.method as Method) {
      case 'open':
        if (typeof first === 'string') cti.openInCrm(first)
        break
      case 'open-past':
        if (typeof first === 'string' && isRecord(second)) await cti.engine()?.clickPast(first, second as unknown as CallParties, textValues(third))
        break
      case 'login':
        if (isRecord(first) && typeof first.id === 'string' && typeof first.password === 'string') {
          value = loginOutcome(await cti.login({ id: first.id, password: first.password }, second === true)) ?? null
        }
        break
      case 'logout':
        cti.logout()
        break
    }
    post('cti-result', { id: data.id, value })
  }

  // Followers that were there before this tab led hear its state now.
  sendAuth()
  return {
    hello: sendAuth,
    stop() {
      stopped = true
      for (const off of offs) off()
    },
  }
}

/**
 * In a follower: the CTI store's `remote` is the leader's session (through `channel`), its
 * `auth` the state the leader sends, and the leader's history writes refresh this tab's badge.
 * Start it before the relay's hello (the leader answers that with its state). Returns the stop:
 * a command still waiting then settles with no answer (the leader is gone or this tab leads).
 */
export function followerCti(channel: RelayChannel, tabId: string, { cti, history }: TabStores): () => void {
  let seq = 0
  const pending = new Map<string, (value: unknown) => void>()
  const ask = (method: Method, args: unknown[]) => new Promise<unknown>((resolve) => {
    const id = `${tabId}:cti:${++seq}`
    pending.set(id, resolve)
    channel.post({ type: 'app', topic: 'cti-command', data: { id, method, args } })
  })
  cti.setRemote({
    openInCrm: (callId) => void ask('open', [callId]),
    openPast: async (callId, parties, values) => void await ask('open-past', [callId, plain(parties), plain(values)]),
    login: async (agent, remember) => loginOutcomeOf(await ask('login', [{ id: agent.id, password: agent.password }, remember])),
    logout: () => void ask('logout', []),
  })
  const offSeen = shareSeen(history, (topic, data) => channel.post({ type: 'app', topic, data }))
  const off = channel.onMessage((raw) => {
    const message = relayMessageOf(raw)
    if (message?.type !== 'app') return
    if (message.topic === 'cti-auth') {
      const status = authStatusOf(message.data)
      if (status) cti.auth = status
    } else if (message.topic === 'cti-result' && isRecord(message.data) && typeof message.data.id === 'string') {
      const settle = pending.get(message.data.id)
      pending.delete(message.data.id)
      settle?.(message.data.value)
    } else if (message.topic === 'history' || message.topic === 'history-seen') {
      void history.changedElsewhere()
    }
  })
  return () => {
    off()
    offSeen()
    cti.setRemote(undefined)
    for (const settle of pending.values()) settle(undefined)
    pending.clear()
  }
}
