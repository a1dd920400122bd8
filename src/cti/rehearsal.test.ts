import { describe, expect, it } from 'vitest'
import { readCall } from './call-reading'
import { rehearseSearch } from './rehearsal'
import { ctiConfig } from './testing/config'
import { createFakeWorld } from './testing/fakes'

const sip = { user: '1001', server: 'wss://pbx.example.com:8089/ws' }
const facts = { callId: 'rehearsal', direction: 'in' as const, fromUser: '0312345678#1#2', displayName: 'Rehearsal', calledUser: '1001', headers: {} }

function setup(accesses: Record<string, unknown>) {
  const world = createFakeWorld()
  const config = ctiConfig({ target: 'custom', accesses }, sip)
  return { world, config, reading: readCall(facts, config, world.ports) }
}

describe('the search rehearsal (a made-up call, nothing sent)', () => {
  it('runs an internal search through the engine against its own answer: no request, tab, command or log', async () => {
    const { world, config, reading } = setup({
      search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}{COMPANY}' },
      ring: { method: 'get', url: 'http://crm/ring?tel={TEL}' },
      answer: { method: 'command', url: 'crm-answer {TEL}' },
    })
    await expect(rehearseSearch(config, reading, world.ports)).resolves.toBe(true)
    expect(world.http.requests).toEqual([])
    expect(world.tabs.opened).toEqual([])
    expect(world.helper.commands).toEqual([])
    expect(world.logs).toEqual([])
  })

  it('through the helper too, the page\'s own path is rehearsed and the helper hears nothing', async () => {
    const { world, config, reading } = setup({ search: { method: 'post-internal', url: 'http://crm/search', format: { json: { NAME: '/name' } }, via: 'helper' } })
    const viaHelper: string[] = []
    const ports = { ...world.ports, helperHttp: async (request: { url: string }) => { viaHelper.push(request.url); return { status: 200, headers: {}, body: new Uint8Array() } } }
    await expect(rehearseSearch(config, reading, ports)).resolves.toBe(true)
    expect(viaHelper).toEqual([])
    expect(world.http.requests).toEqual([])
  })

  it('has nothing to rehearse without an internal search, or for a call that would not search', async () => {
    const tab = setup({ search: { method: 'get', url: 'http://crm/search?tel={TEL}' } })
    await expect(rehearseSearch(tab.config, tab.reading, tab.world.ports)).resolves.toBe(false)
    const anonymous = setup({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}' } })
    const withheld = readCall({ ...facts, fromUser: 'anonymous' }, anonymous.config, anonymous.world.ports)
    await expect(rehearseSearch(anonymous.config, withheld, anonymous.world.ports)).resolves.toBe(false)
    expect(anonymous.world.http.requests).toEqual([])
  })
})
