import { createFakeWorld } from '@/cti/testing/fakes'
import { toPlainJson } from '@/ports/plain-json'
import type { AppPorts } from '@/ports/ports'

/** In-memory ports that record what the app asked the browser to do. */
export function fakePorts(overrides: Partial<AppPorts> = {}) {
  const store = new Map<string, unknown>()
  const log: string[] = []
  const shown: { tag: string; title: string; body: string; onClick: () => void; closed: boolean }[] = []
  let hidden = false
  const responses = new Map<string, unknown>()
  const copied: string[] = []
  const world = createFakeWorld({ withHelper: false })
  const ports: AppPorts = {
    cti: world.ports,
    clipboard: { writeText: async (text) => { copied.push(text); return true } },
    storage: {
      get: async <T>(key: string) => structuredClone(store.get(key)) as T | undefined,
      set: async (key, value) => { store.set(key, toPlainJson(value)) },
      del: async (key) => { store.delete(key) },
    },
    notifier: {
      permission: 'granted',
      requestPermission: async () => 'granted',
      show: (options) => {
        const entry = { ...options, closed: false }
        shown.push(entry)
        return { close: () => { entry.closed = true } }
      },
    },
    ringer: {
      unlocked: true,
      unlock: async () => true,
      start: () => { if (log.at(-1) !== 'ring') log.push('ring') },
      stop: () => { if (log.at(-1) === 'ring') log.push('silence') },
    },
    remoteAudio: {
      play: (callId) => log.push(`play ${callId}`),
      stop: (callId) => log.push(`stop ${callId}`),
    },
    visibility: { isHidden: () => hidden, focusPhone: () => log.push('focus') },
    fetch: (async (input: string | URL | Request) => {
      const url = String(input)
      if (!responses.has(url)) return new Response('not found', { status: 404 })
      const body = responses.get(url)
      if (body instanceof Error) throw body
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 })
    }) as typeof fetch,
    location: { href: 'http://127.0.0.1/' },
    ...overrides,
  }
  return {
    ports,
    store,
    log,
    world,
    copied,
    shown,
    setHidden: (value: boolean) => { hidden = value },
    respond: (url: string, body: unknown) => responses.set(url, body),
  }
}
