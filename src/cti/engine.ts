/**
 * The CTI engine: call events in, accesses out, in the order of docs/cti-integration.md §4, through
 * injected ports.
 */

import { createAuthSession, type AuthResult, type AuthSession, type AuthStatus, type AuthValues } from './auth-session'
import type { CallDirection, CallParties } from './call-parties'
import type { CallReading } from './call-reading'
import type { CallRecordFacts } from './call-record'
import type { AccessName, AgentCredentials, CtiConfig } from './config'
import type { AccessFailure, CtiLogEntry, CtiLogger } from './cti-log'
import { decideAccess, isInternal, isTargeted, planCall, SYSTEM_NUMBER, type CallPlan, type CallSkipReason, type SkipReason } from './plan'
import type { CtiPorts, TimerHandle } from './ports'
import type { UploadContent } from './prepare-access'
import { runAccess, type AccessOutcome, type RunnerDeps } from './runner'
import { expandTemplate, templateNames } from './template'
import { accessVariables, authExtractedNames } from './variables'

export type SearchState = 'idle' | 'pending' | 'done' | 'failed' | 'skipped'

/**
 * The engine's state of a call; a fresh immutable snapshot on every change. The party fields
 * echo the reading the call was started with (`callStarted`); what the UI shows of the caller
 * comes from that reading, not from here.
 */
export interface CallInfo {
  readonly callId: string
  readonly direction: CallDirection
  /** `{TEL}`: the caller without `#` codes (incoming; '' when anonymous) or our extension (outgoing). */
  readonly tel: string
  readonly code1: string
  readonly code2: string
  readonly anonymous: boolean
  /** `{CALLED}` */
  readonly called: string
  /** `{REMOTE}`: the other party's number. */
  readonly remote: string
  /** `{TELNAME}` */
  readonly displayName: string
  /** `{CALLEDNAME}` */
  readonly calledName: string
  /** `{ID}` */
  readonly requestId: string
  /** Set when no access runs for this call, with the reason. */
  readonly noAccess?: CallSkipReason
  /** `idle`: no search configured; `skipped`: not run for this call (anonymous, internal, ...). */
  readonly searchState: SearchState
  readonly searchError?: AccessFailure
  /** Values the search extracted (NAME, COMPANY, ...): plain text, never HTML. */
  readonly values: Readonly<Record<string, string>>
  readonly answered: boolean
  readonly ended: boolean
  /** The last CRM tab the browser refused to open for this call: offer it as a link. */
  readonly blockedUrl?: string
  /** `blockedUrl` with its secrets masked: what the banner shows as text. */
  readonly blockedLabel?: string
}

/**
 * A `history` access owed to the CRM for one ended call (docs/cti-integration.md §8): plain,
 * structured-cloneable data, so it can wait in the app's outbox across reloads and be sent by
 * whichever engine runs then ({@link CtiEngine.deliver}).
 */
export interface CallRecordDelivery {
  /** `recording`: the upload of the call's recording; its file is given to {@link CtiEngine.deliver}. */
  readonly access: 'history' | 'recording'
  readonly callId: string
  readonly parties: CallParties
  /** What the search extracted for the call (`{NAME}`, `{COMPANY}` …). */
  readonly values: Readonly<Record<string, string>>
  readonly record: CallRecordFacts
}

/** How a delivery went: as any access, or not sent at all (no longer configured; engine disposed). */
export type DeliveryOutcome = AccessOutcome | { readonly ok: false; readonly reason: 'not-configured' | 'disposed' }

export interface CtiEngineOptions {
  /** A normalized config (see normalizeCtiConfig); fixed for the engine's life — build a new engine to change it. */
  readonly config: CtiConfig
  readonly ports: CtiPorts
  /** Provisioned `agent.*`: used by `login()` without arguments, and for `{AID}`/`{APW}` until then. */
  readonly agent?: AgentCredentials
  /** Receives every CTI log entry, secrets already masked. */
  readonly log?: CtiLogger
  /** Ended calls kept for `callInfo` (default 200); their IDs are remembered far longer. */
  readonly keepEndedCalls?: number
}

export interface CtiEngine {
  /** Sets the credentials, runs auth (when configured) and starts polling. Re-login restarts auth. */
  login(agent?: AgentCredentials): Promise<AuthResult>
  /** Stops polling and forgets the auth values and credentials. */
  logout(): void
  authStatus(): AuthStatus
  /** Returns the unsubscribe function. */
  onAuthChange(listener: (status: AuthStatus) => void): () => void
  /**
   * An incoming call rings or an outgoing call is dialled, as read by `readCall` with this
   * engine's config. Idempotent per callId. The search request leaves before this returns.
   */
  callStarted(call: CallReading): CallInfo
  /**
   * An incoming call's INVITE, read before the SIP stack handled it (its popup renders next):
   * its search starts at once, so the CRM's answer is not held up by the SIP stack's work; the
   * request leaves before this returns. Nothing else runs: `callStarted` with the same reading
   * follows when the INVITE became a call (its ring and the rest, the search not sent twice),
   * or `callWithdrawn` when it did not. Updates for the call are emitted from `callStarted` on.
   */
  callArriving(call: CallReading): void
  /** The INVITE of a `callArriving` became no call: nothing more runs for it, nothing of it is kept. */
  callWithdrawn(callId: string): void
  /**
   * A call an earlier page of the phone started (and maybe answered) continues here: the same
   * reading (`{ID}`) and CRM values. Its search, ring and (when `answered`) answer accesses count
   * as run, so only what is still owed runs: the hang-up at its end. Idempotent per callId.
   */
  callResumed(call: CallReading, state: { readonly answered: boolean; readonly values: Readonly<Record<string, string>> }): CallInfo
  /** The call was answered (here or auto-answered). Idempotent; ignored after the end. */
  callAnswered(callId: string): void
  /** Our leg of the call ended (hang-up, cancel, decline, missed, transferred away). Idempotent. */
  callEnded(callId: string): void
  /** The popup body or its notification was clicked: runs the click access once per click. */
  popupClicked(callId: string): void
  /**
   * The call ended and the app knows its record: the `history` access owed for it, or undefined
   * (not configured, or the call's plan runs no access: internal, untargeted …; logged). Runs
   * nothing: the app keeps the delivery (outbox) and sends it with {@link deliver}. Once per call.
   */
  callRecord(callId: string, record: CallRecordFacts): CallRecordDelivery | undefined
  /**
   * The call's recording was stored: the `recording` access owed for it (the same rules as
   * {@link callRecord}: not configured, internal, untargeted … give undefined), once per call.
   * The app keeps the delivery and gives the file to {@link deliver} when it is sent.
   */
  recordingUpload(callId: string, record: CallRecordFacts): CallRecordDelivery | undefined
  /**
   * The `history` access owed for a call a page that went away never ended (its history row is
   * still cut off): the same rules as {@link callRecord}, re-read from what the row keeps
   * (direction, numbers: internal, untargeted, 9999, `cti.outgoing`). Logs nothing (it is asked
   * again at every start; the app's outbox keeps one delivery per call). With `access:
   * 'recording'`, the upload owed for the recording such a call left (a tab closed mid-call),
   * under the same rules as {@link recordingUpload}.
   */
  pastRecord(callId: string, parties: CallParties, values: Readonly<Record<string, string>>, record: CallRecordFacts, access?: 'history' | 'recording'): CallRecordDelivery | undefined
  /**
   * Sends a delivery once, as any access (auth values of now, the 401/403 retry, timeout,
   * masking, one CTI log entry). When this engine still runs the call's other accesses, it waits
   * for them first: the record follows the hang-up access. Never rejects.
   */
  deliver(delivery: CallRecordDelivery, upload?: UploadContent): Promise<DeliveryOutcome>
  /**
   * "Open in CRM" on a past call (the history): the click access with that call's parties and
   * values, once per press. Undefined (nothing run) when no click access is configured, the
   * integration is off, or the call is internal with `skipInternal`.
   */
  clickPast(callId: string, parties: CallParties, values: Readonly<Record<string, string>>): Promise<AccessOutcome | undefined>
  callInfo(callId: string): CallInfo | undefined
  /** Every change of a call's info; returns the unsubscribe function. */
  onUpdate(listener: (info: CallInfo) => void): () => void
  /**
   * A URL template outside any call, with the agent's `{AID}`/`{APW}` and the auth values in use
   * (`{SID}` …), each value percent-encoded: the account phonebook's URL (docs/cti-integration.md §6).
   */
  expandUrl(template: string): string
  /** Resolves when no access is in flight or waiting (a pending answer delay counts as waiting). */
  idle(): Promise<void>
  /**
   * The page resumed, was shown again or came back online (a frozen tab, a laptop after sleep):
   * re-acquires the auth values now when they expired or the last run failed, so the next call's
   * search does not wait for a login. Fresh values, or no login: nothing runs.
   */
  wake(): void
  /** Stops timers, abandons requests in flight, runs nothing more. */
  dispose(): void
}

interface CallRecord {
  readonly parties: CallParties
  readonly plan: CallPlan
  answered: boolean
  ended: boolean
  searchState: SearchState
  searchError?: AccessFailure
  values: Readonly<Record<string, string>>
  blockedUrl?: string
  blockedLabel?: string
  /** Settles when the search finished (result, error or timeout) or was skipped. */
  search: Promise<void>
  /** Accesses of this call in flight or waiting. */
  readonly tasks: Set<Promise<void>>
  /** Exactly once per call and event: accesses already started (click excluded). */
  readonly started: Set<AccessName>
  /**
   * Read from an INVITE the SIP stack has not handled yet (`callArriving`): only its search may
   * have started; `callStarted` runs the rest, `callWithdrawn` drops it.
   */
  arriving?: boolean
  /** The answer access's wait; `cancel` ends it early. */
  answerWait?: { readonly timer: TimerHandle; readonly cancel: (why: 'ended' | 'disposed') => void }
}

const INTERNAL_METHODS = new Set(['get-internal', 'post-internal'])
const SEEN_LIMIT = 10_000

/** Skips worth a log line: the access is configured and the integration is on. */
function reportable(reason: SkipReason): boolean {
  return reason !== 'not-configured' && reason !== 'integration-off'
}

/**
 * Creates the CTI engine. Contract:
 *
 * - **Input**: call events from the softphone, in any number and order. `callStarted` MUST come
 *   first for a call; the others are ignored for unknown or ended calls. Every event is
 *   idempotent per `callId`, so re-INVITEs, CANCEL races or duplicate reports never run an access
 *   twice: each access runs at most once per call and event; the click access once per
 *   `popupClicked`. Calls rejected by do-not-disturb should not be reported at all. Coordination
 *   between tabs (one leader runs the accesses) is the app's job.
 * - **Order within a call** (docs/cti-integration.md §4): the popup never waits (`callStarted`
 *   returns the info at once); search starts at once; ring runs when search has finished (result,
 *   error or timeout), or at once without search; answer runs after its `delaySeconds` and after
 *   search, and is skipped (logged) when the call ends during that wait; hang-up runs after every
 *   other access of the call has finished, and only for answered calls when `onlyIfAnswered`.
 * - **Which calls** (docs/cti-integration.md §1, §2, §9): see `planCall` — untargeted and 9999
 *   calls: no popup, no access; internal calls with `skipInternal`: popup, no access; outgoing
 *   calls: no popup, accesses only with `cti.outgoing`; anonymous calls: search and ring skipped.
 * - **Auth**: `login` runs it; values live `sessionKeepMinutes` and are re-acquired before an
 *   access that needs them (one using a variable the auth format extracts, or any internal HTTP
 *   access); `pollingMinutes` keeps them alive; a 401/403 from an internal access re-runs auth
 *   and, when that succeeds, retries the access once.
 * - **Failures** are values: each access ends `ok`, `failed` (with a reason) or `skipped`, and is
 *   logged through `options.log` with every secret masked. Nothing here throws at the caller, and
 *   listener exceptions are contained.
 * - **Time** comes only from `ports.clock`; `timeoutSeconds` ends each request (logged as
 *   `timeout`) and later accesses still run.
 */
export function createCtiEngine(options: CtiEngineOptions): CtiEngine {
  const { config, ports } = options
  const clock = ports.clock
  const keepEnded = options.keepEndedCalls ?? 200
  const cancel = new AbortController()
  const calls = new Map<string, CallRecord>()
  const seen = new Set<string>()
  const allTasks = new Set<Promise<void>>()
  const updateListeners = new Set<(info: CallInfo) => void>()
  const authListeners = new Set<(status: AuthStatus) => void>()
  let agent: AgentCredentials | undefined = options.agent
  let disposed = false

  const log = (entry: CtiLogEntry): void => {
    try {
      options.log?.(entry)
    } catch {
      // The log panel's bug must not stop a call's accesses.
    }
  }
  const runner: RunnerDeps = { config, ports, log, cancel: cancel.signal }

  const integrated = config.target === 'custom'
  const authAccess = config.accesses.auth
  const authConfigured = integrated && authAccess.method !== 'none'
  const authVariables = authExtractedNames(config)

  const variablesFor = (parties: CallParties | undefined, extracted: readonly AuthValues[]) =>
    accessVariables(config, clock, { ...(parties === undefined ? {} : { parties }), ...(agent === undefined ? {} : { agent }), extracted })
  const publicAuth = new Set(authAccess.publicVariables ?? [])
  /** The agent password and the auth values in use (all but the public ones): masked in every log entry. */
  const secrets = (authValues: AuthValues = {}): string[] => [
    ...(agent?.password ? [agent.password] : []),
    ...Object.entries(authValues)
      .filter(([name, value]) => value !== '' && !publicAuth.has(name))
      .map(([, value]) => value),
  ]

  const auth: AuthSession = createAuthSession({
    clock,
    configured: authConfigured,
    sessionKeepMinutes: config.sessionKeepMinutes,
    pollingMinutes: config.pollingMinutes,
    ...(ports.random.fraction ? { random: () => ports.random.fraction?.() ?? 0 } : {}),
    onChange: (status) => {
      for (const listener of authListeners) {
        try {
          listener(status)
        } catch {
          // Contained: see log().
        }
      }
    },
    authenticate: async () => {
      const outcome = await runAccess(runner, { access: 'auth', variables: variablesFor(undefined, []), secrets: secrets() })
      if (!outcome.ok) return { ok: false, reason: outcome.reason, ...(outcome.status === undefined ? {} : { status: outcome.status }) }
      // A 2xx that yields none of the format's values is a refused login page, not a session.
      if (authVariables.length > 0 && authVariables.every((name) => !outcome.values[name]))
        return { ok: false, reason: 'no-values', ...(outcome.status === undefined ? {} : { status: outcome.status }) }
      return { ok: true, values: outcome.values }
    },
  })

  const needsAuth = (access: AccessName): boolean => {
    if (!authConfigured || access === 'auth') return false
    const { method, url } = config.accesses[access]
    return INTERNAL_METHODS.has(method) || templateNames(url).some((name) => authVariables.includes(name))
  }

  const snapshot = (callId: string, record: CallRecord): CallInfo => {
    const { parties, plan } = record
    return {
      callId,
      direction: parties.direction,
      tel: parties.tel,
      code1: parties.code1,
      code2: parties.code2,
      anonymous: parties.anonymous,
      called: parties.called,
      remote: parties.remote,
      displayName: parties.telName,
      calledName: parties.calledName,
      requestId: parties.requestId,
      ...(plan.noAccess === undefined ? {} : { noAccess: plan.noAccess }),
      searchState: record.searchState,
      ...(record.searchError === undefined ? {} : { searchError: record.searchError }),
      values: record.values,
      answered: record.answered,
      ended: record.ended,
      ...(record.blockedUrl === undefined ? {} : { blockedUrl: record.blockedUrl, blockedLabel: record.blockedLabel ?? record.blockedUrl }),
    }
  }

  const emit = (callId: string, record: CallRecord): void => {
    const info = snapshot(callId, record)
    for (const listener of updateListeners) {
      try {
        listener(info)
      } catch {
        // Contained: see log().
      }
    }
  }

  const track = (record: CallRecord, work: Promise<unknown>): Promise<void> => {
    const task = work.then(
      () => undefined,
      () => undefined,
    )
    record.tasks.add(task)
    allTasks.add(task)
    void task.then(() => {
      record.tasks.delete(task)
      allTasks.delete(task)
    })
    return task
  }

  const logSkip = (callId: string, access: AccessName, reason: SkipReason): void => {
    if (!reportable(reason)) return
    log({
      time: clock.now().toISOString(),
      callId,
      access,
      method: config.accesses[access].method,
      outcome: 'skipped',
      skipped: reason,
    })
  }

  /** Runs one access of a call with fresh variables; the single 401/403 retry lives here. */
  const execute = async (callId: string, record: CallRecord, access: AccessName): Promise<AccessOutcome | undefined> => {
    const outcome = await send(callId, access, record.parties, () => record.values)
    if (outcome && !outcome.ok && outcome.blockedUrl !== undefined) {
      record.blockedUrl = outcome.blockedUrl
      record.blockedLabel = outcome.blockedLabel ?? outcome.blockedUrl
      emit(callId, record)
    }
    return outcome
  }

  const send = async (
    callId: string,
    access: AccessName,
    parties: CallParties,
    values: () => Readonly<Record<string, string>>,
    callRecord?: CallRecordFacts,
    upload?: UploadContent,
  ): Promise<AccessOutcome | undefined> => {
    if (disposed) return undefined
    const authValues = needsAuth(access) ? (auth.ready() ?? (await auth.ensure())) : auth.values()
    if (disposed) return undefined
    const variables = (extracted: AuthValues) =>
      accessVariables(config, clock, {
        parties,
        ...(agent === undefined ? {} : { agent }),
        ...(callRecord === undefined ? {} : { record: callRecord }),
        extracted: [extracted, values()],
      })
    let outcome = await runAccess(runner, {
      access,
      callId,
      variables: variables(authValues),
      secrets: secrets(authValues),
      ...(upload === undefined ? {} : { upload }),
    })
    const rejected = !outcome.ok && outcome.reason === 'http-error' && (outcome.status === 401 || outcome.status === 403)
    if (rejected && authConfigured && INTERNAL_METHODS.has(config.accesses[access].method) && !disposed) {
      const again = await auth.refresh()
      // Retrying with the same refused session would only send the request twice for nothing.
      if (again.ok && !disposed) {
        outcome = await runAccess(runner, {
          access,
          callId,
          variables: variables(again.values),
          secrets: secrets(again.values),
          attempt: 2,
          ...(upload === undefined ? {} : { upload }),
        })
      }
    }
    return outcome
  }

  /** The history or recording access owed for an ended call, once per call and access (logged when skipped). */
  const owed = (access: 'history' | 'recording', callId: string, facts: CallRecordFacts): CallRecordDelivery | undefined => {
    const record = calls.get(callId)
    if (!record || !record.ended || record.started.has(access) || disposed) return undefined
    const decision = decideAccess(config, record.plan, record.parties, access, record.answered)
    if (!decision.run) {
      logSkip(callId, access, decision.reason)
      return undefined
    }
    record.started.add(access)
    const { direction, tel, code1, code2, anonymous, called, remote, telName, calledName, requestId } = record.parties
    return {
      access,
      callId,
      parties: { direction, tel, code1, code2, anonymous, called, remote, telName, calledName, requestId },
      values: { ...record.values },
      record: { ...facts },
    }
  }

  const runOnce = async (callId: string, record: CallRecord, access: AccessName): Promise<void> => {
    if (record.started.has(access)) return
    record.started.add(access)
    await execute(callId, record, access)
  }

  const runSearch = async (callId: string, record: CallRecord): Promise<void> => {
    record.started.add('search')
    const outcome = await execute(callId, record, 'search')
    if (outcome === undefined) record.searchState = 'skipped'
    else if (outcome.ok) {
      record.values = Object.freeze({ ...outcome.values })
      record.searchState = 'done'
    } else {
      record.searchState = 'failed'
      record.searchError = outcome.reason
    }
    // Still arriving: `callStarted` emits it with these values; withdrawn: there is no call to update.
    if (!record.arriving) emit(callId, record)
  }

  /** Resolves 'elapsed' after `ms`, or early with why the wait was cancelled. */
  const answerWait = (record: CallRecord, ms: number): Promise<'elapsed' | 'ended' | 'disposed'> =>
    new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        record.answerWait = undefined
        resolve('elapsed')
      }, ms)
      record.answerWait = {
        timer,
        cancel: (why) => {
          clock.clearTimeout(timer)
          record.answerWait = undefined
          resolve(why)
        },
      }
    })

  const remember = (callId: string): void => {
    seen.add(callId)
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!)
    let ended = 0
    for (const record of calls.values()) if (record.ended && record.tasks.size === 0) ended++
    for (const [id, record] of calls) {
      if (ended <= keepEnded) break
      if (record.ended && record.tasks.size === 0) {
        calls.delete(id)
        ended--
      }
    }
  }

  /** A call's record, kept from now on (`remember`); a call ID seen before is born ended. */
  const newRecord = (parties: CallReading): CallRecord => {
    const record: CallRecord = {
      parties,
      plan: planCall(config, parties),
      answered: false,
      // A call ID seen before whose record was pruned: treat it as ended, run nothing.
      ended: seen.has(parties.callId),
      searchState: 'idle',
      values: Object.freeze({}),
      search: Promise.resolve(),
      tasks: new Set(),
      started: new Set(),
    }
    calls.set(parties.callId, record)
    remember(parties.callId)
    return record
  }

  const startSearch = (callId: string, record: CallRecord): void => {
    record.searchState = 'pending'
    record.search = track(record, runSearch(callId, record))
  }

  return {
    login(credentials) {
      if (disposed) return Promise.resolve({ ok: false, reason: 'logged-out' })
      agent = credentials ?? options.agent ?? { id: '', password: '' }
      return auth.start()
    },

    logout() {
      auth.stop()
      agent = undefined
    },

    authStatus: () => auth.status(),

    wake() {
      if (disposed || !authConfigured || agent === undefined) return
      if (auth.ready() === undefined) void auth.ensure()
    },

    onAuthChange(listener) {
      authListeners.add(listener)
      return () => authListeners.delete(listener)
    },

    callArriving(parties) {
      if (calls.has(parties.callId)) return
      const record = newRecord(parties)
      record.arriving = true
      if (record.ended || disposed) return
      // Only the search, and only when it runs: its skip is logged by `callStarted`, when the
      // INVITE became a call (a withdrawn one leaves no trace but a search that went out).
      if (decideAccess(config, record.plan, parties, 'search', false).run) startSearch(parties.callId, record)
    },

    callWithdrawn(callId) {
      const record = calls.get(callId)
      if (!record?.arriving) return
      record.ended = true
      calls.delete(callId)
      seen.delete(callId)
    },

    callStarted(parties) {
      const callId = parties.callId
      const existing = calls.get(callId)
      if (existing && !existing.arriving) return snapshot(callId, existing)
      const record = existing ?? newRecord(parties)
      record.arriving = false
      if (record.ended || disposed) return snapshot(callId, record)

      if (!record.started.has('search')) {
        const search = decideAccess(config, record.plan, parties, 'search', false)
        if (search.run) startSearch(callId, record)
        else {
          record.searchState = search.reason === 'not-configured' ? 'idle' : 'skipped'
          logSkip(callId, 'search', search.reason)
        }
      }
      const ring = decideAccess(config, record.plan, parties, 'ring', false)
      if (ring.run) track(record, record.search.then(() => runOnce(callId, record, 'ring')))
      else logSkip(callId, 'ring', ring.reason)
      const info = snapshot(callId, record)
      emit(callId, record)
      return info
    },

    callResumed(parties, state) {
      const existing = calls.get(parties.callId)
      if (existing) return snapshot(parties.callId, existing)
      const hasValues = Object.keys(state.values).length > 0
      const record: CallRecord = {
        parties,
        plan: planCall(config, parties),
        answered: state.answered,
        ended: false,
        searchState: hasValues ? 'done' : 'idle',
        values: Object.freeze({ ...state.values }),
        search: Promise.resolve(),
        tasks: new Set(),
        started: new Set<AccessName>(state.answered ? ['search', 'ring', 'answer'] : ['search', 'ring']),
      }
      calls.set(parties.callId, record)
      remember(parties.callId)
      emit(parties.callId, record)
      return snapshot(parties.callId, record)
    },

    callAnswered(callId) {
      const record = calls.get(callId)
      if (!record || record.answered || record.ended) return
      record.answered = true
      emit(callId, record)
      if (disposed) return
      const decision = decideAccess(config, record.plan, record.parties, 'answer', true)
      if (!decision.run) {
        logSkip(callId, 'answer', decision.reason)
        return
      }
      const delayMs = config.accesses.answer.delaySeconds * 1000
      track(
        record,
        (async () => {
          if (delayMs > 0) {
            const waited = await answerWait(record, delayMs)
            if (waited !== 'elapsed') {
              if (waited === 'ended') logSkip(callId, 'answer', 'ended-during-wait')
              return
            }
          }
          await record.search
          await runOnce(callId, record, 'answer')
        })(),
      )
    },

    callEnded(callId) {
      const record = calls.get(callId)
      if (!record || record.ended) return
      record.ended = true
      record.answerWait?.cancel('ended')
      emit(callId, record)
      if (disposed) return
      const decision = decideAccess(config, record.plan, record.parties, 'hangup', record.answered)
      if (!decision.run) {
        logSkip(callId, 'hangup', decision.reason)
        return
      }
      const others = [...record.tasks]
      track(
        record,
        Promise.allSettled(others).then(() => runOnce(callId, record, 'hangup')),
      )
    },

    popupClicked(callId) {
      const record = calls.get(callId)
      if (!record || disposed) return
      const decision = decideAccess(config, record.plan, record.parties, 'click', record.answered)
      if (!decision.run) {
        logSkip(callId, 'click', decision.reason)
        return
      }
      track(record, execute(callId, record, 'click'))
    },

    callRecord: (callId, facts) => owed('history', callId, facts),
    recordingUpload: (callId, facts) => owed('recording', callId, facts),

    async deliver(delivery, upload) {
      const record = calls.get(delivery.callId)
      if (record) while (record.tasks.size > 0) await Promise.allSettled([...record.tasks])
      const method = config.accesses[delivery.access].method
      if (method === 'none') return { ok: false, reason: 'not-configured' }
      // An upload goes as post-internal with its file, or not at all (a config warning says so).
      if (delivery.access === 'recording' && (method !== 'post-internal' || upload === undefined)) return { ok: false, reason: 'not-configured' }
      const outcome = await send(delivery.callId, delivery.access, delivery.parties, () => delivery.values, delivery.record, upload)
      return outcome ?? { ok: false, reason: 'disposed' }
    },

    pastRecord(callId, parties, values, facts, access = 'history') {
      if (disposed || calls.has(callId)) return undefined
      const plan = planCall(config, {
        direction: parties.direction,
        remote: parties.remote,
        targeted: parties.direction === 'out' || isTargeted(config, parties.called),
        ...(parties.direction === 'in' && parties.remote === SYSTEM_NUMBER ? { noPopup: 'system-number' as const } : {}),
      } as CallReading)
      if (!decideAccess(config, plan, parties, access, facts.answeredAt !== undefined).run) return undefined
      return { access, callId, parties: { ...parties }, values: { ...values }, record: { ...facts } }
    },

    async clickPast(callId, parties, values) {
      if (!integrated || config.accesses.click.method === 'none') return undefined
      if (config.skipInternal && isInternal(config, parties.remote)) return undefined
      return send(callId, 'click', parties, () => values)
    },

    callInfo(callId) {
      const record = calls.get(callId)
      return record ? snapshot(callId, record) : undefined
    },

    onUpdate(listener) {
      updateListeners.add(listener)
      return () => updateListeners.delete(listener)
    },

    expandUrl(template) {
      return expandTemplate(template.trim(), variablesFor(undefined, [auth.values()]), { kind: 'url' }).text
    },

    async idle() {
      while (allTasks.size > 0) await Promise.allSettled([...allTasks])
    },

    dispose() {
      if (disposed) return
      disposed = true
      auth.stop()
      for (const record of calls.values()) record.answerWait?.cancel('disposed')
      cancel.abort('disposed')
      updateListeners.clear()
      authListeners.clear()
    },
  }
}
