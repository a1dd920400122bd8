/**
 * Fake ports for tests of the CTI engine and of the app code that drives it. Deterministic:
 * time moves only when a test calls `clock.advance`, random digits are a fixed sequence, HTTP
 * replies come from routes the test declares.
 */

import { utf8Encode } from '../charset'
import type { CtiLogEntry } from '../cti-log'
import { BodyTooLargeError } from '../ports'
import type {
  ClockPort,
  CommandResult,
  CtiPorts,
  HttpPort,
  HttpRequest,
  HttpResponse,
  RandomPort,
  TabResult,
  TimerHandle,
} from '../ports'

/** Lets every pending promise chain run (a few hundred microtask turns). */
export async function flush(turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve()
}

interface FakeTimer {
  readonly id: number
  readonly due: number
  readonly callback: () => void
}

/** A clock whose time only moves with `advance`; local time is `offsetMinutes` east of UTC. */
export class FakeClock implements ClockPort {
  private time: number
  private nextId = 1
  private timers: FakeTimer[] = []

  constructor(
    start: Date | string = '2025-04-01T00:30:45.000Z',
    private readonly offsetMinutes = 540,
  ) {
    this.time = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.time)
  }

  utcOffsetMinutes(): number {
    return this.offsetMinutes
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, ms), callback }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle)
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (ties by creation) and letting the
   * promise chains they start run before the next one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms
    await flush()
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.due - b.due || a.id - b.id)[0]
      if (!next || next.due > target) break
      this.timers = this.timers.filter((timer) => timer !== next)
      this.time = next.due
      next.callback()
      await flush()
    }
    this.time = target
    await flush()
  }
}

/** Random digits from a fixed, visible sequence: `01234567890123456789…`. */
export class FakeRandom implements RandomPort {
  private counter = 0
  digits(count: number): string {
    let out = ''
    for (let i = 0; i < count; i++) out += String(this.counter++ % 10)
    return out
  }
}

export type FakeReply =
  | {
      readonly status?: number
      readonly body?: string | Uint8Array
      readonly headers?: Readonly<Record<string, string>>
      /** Answer after this long on the fake clock. */
      readonly delayMs?: number
    }
  /** Never answers; rejects when aborted, as fetch does. */
  | 'hang'
  /** Never answers and ignores the abort signal (a misbehaving port). */
  | 'hang-ignoring-abort'
  /** Rejects at once, as fetch does on a network or CORS failure. */
  | 'network-error'

export interface RecordedRequest {
  readonly method: 'GET' | 'POST'
  readonly url: string
  /** A body of bytes (the recording's multipart upload) decoded as UTF-8, for reading in tests. */
  readonly body?: string
  /** The bytes as sent, when the body was bytes. */
  readonly bytes?: Uint8Array
  readonly headers?: Readonly<Record<string, string>>
  readonly credentials: HttpRequest['credentials']
  /** Fake-clock ms when the request was sent. */
  readonly at: number
}

type Route = { readonly match: (request: HttpRequest) => boolean; readonly reply: FakeReply | ((request: HttpRequest) => FakeReply) }

/** An HTTP port answering from routes; the most recently added matching route wins; default 200 with an empty body. */
export class FakeHttp {
  readonly requests: RecordedRequest[] = []
  private routes: Route[] = []

  constructor(private readonly clock: FakeClock) {}

  /** Routes requests whose URL starts with `prefix` (or matches the predicate). */
  on(prefix: string | ((request: HttpRequest) => boolean), reply: FakeReply | ((request: HttpRequest) => FakeReply)): this {
    const match = typeof prefix === 'string' ? (request: HttpRequest) => request.url.startsWith(prefix) : prefix
    this.routes.push({ match, reply })
    return this
  }

  /** URLs requested so far, in order (POST bodies appended after a space). */
  get urls(): string[] {
    return this.requests.map((request) => (request.body === undefined ? request.url : `${request.url} ${request.body}`))
  }

  readonly port: HttpPort = (request) => {
    this.requests.push({
      method: request.method,
      url: request.url,
      ...(request.body === undefined ? {} : typeof request.body === 'string' ? { body: request.body } : { body: new TextDecoder().decode(request.body), bytes: request.body }),
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      credentials: request.credentials,
      at: this.clock.now().getTime(),
    })
    const route = [...this.routes].reverse().find((candidate) => candidate.match(request))
    const reply = route === undefined ? {} : typeof route.reply === 'function' ? route.reply(request) : route.reply
    if (reply === 'network-error') return Promise.reject(new TypeError('Failed to fetch'))
    if (reply === 'hang-ignoring-abort') return new Promise<HttpResponse>(() => {})
    return new Promise<HttpResponse>((resolve, reject) => {
      const onAbort = (): void => reject(new Error(`aborted: ${String(request.signal.reason)}`))
      if (request.signal.aborted) return onAbort()
      request.signal.addEventListener('abort', onAbort, { once: true })
      if (reply === 'hang') return
      const body = reply.body === undefined ? new Uint8Array() : typeof reply.body === 'string' ? utf8Encode(reply.body) : reply.body
      if (body.length > request.maxBodyBytes) return reject(new BodyTooLargeError(request.maxBodyBytes))
      const response: HttpResponse = { status: reply.status ?? 200, headers: reply.headers ?? {}, body }
      const answer = (): void => {
        request.signal.removeEventListener('abort', onAbort)
        resolve(response)
      }
      if (reply.delayMs) this.clock.setTimeout(answer, reply.delayMs)
      else answer()
    })
  }
}

/** Records tabs opened and forms posted; `blocked = true` makes them fail like a pop-up blocker. */
export class FakeTabs {
  readonly opened: { url: string; tabName: string }[] = []
  readonly forms: { url: string; fields: (readonly [string, string])[]; tabName: string }[] = []
  blocked = false

  openTab = (url: string, tabName: string): TabResult => {
    this.opened.push({ url, tabName })
    return this.blocked ? { ok: false, reason: 'blocked', url } : { ok: true }
  }

  postForm = (url: string, fields: readonly (readonly [string, string])[], tabName: string): TabResult => {
    this.forms.push({ url, fields: [...fields], tabName })
    return this.blocked ? { ok: false, reason: 'blocked', url } : { ok: true }
  }
}

/** Records argv sent to the native helper. */
export class FakeHelper {
  readonly commands: string[][] = []
  /** The `fromPlaceholder` marks sent with each command, in order. */
  readonly marks: (readonly boolean[] | undefined)[] = []
  result: CommandResult = { ok: true, exitCode: 0 }

  runCommand = (argv: readonly string[], fromPlaceholder?: readonly boolean[]): Promise<CommandResult> => {
    this.commands.push([...argv])
    this.marks.push(fromPlaceholder)
    return Promise.resolve(this.result)
  }
}

export interface FakeWorld {
  readonly ports: CtiPorts
  readonly clock: FakeClock
  readonly http: FakeHttp
  readonly tabs: FakeTabs
  readonly helper: FakeHelper
  readonly random: FakeRandom
  /** Every log entry, in order (pass `log: world.log` to the engine). */
  readonly logs: CtiLogEntry[]
  readonly log: (entry: CtiLogEntry) => void
}

/** A complete set of fake ports; `withHelper: false` leaves the helper out (not installed). */
export function createFakeWorld(options: { start?: Date | string; offsetMinutes?: number; withHelper?: boolean } = {}): FakeWorld {
  const clock = new FakeClock(options.start, options.offsetMinutes)
  const http = new FakeHttp(clock)
  const tabs = new FakeTabs()
  const helper = new FakeHelper()
  const random = new FakeRandom()
  const logs: CtiLogEntry[] = []
  const withHelper = options.withHelper ?? true
  const ports: CtiPorts = {
    http: http.port,
    openTab: tabs.openTab,
    postForm: tabs.postForm,
    ...(withHelper ? { runCommand: helper.runCommand } : {}),
    clock,
    random,
  }
  return { ports, clock, http, tabs, helper, random, logs, log: (entry) => logs.push(entry) }
}
