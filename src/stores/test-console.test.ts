import { describe, expect, it } from 'vitest'
import { deepMerge } from '@/settings/merge'
import { defaultSettings } from '@/settings/settings'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useTestConsoleStore } from './test-console'

const settings = (cti: Record<string, unknown>) =>
  deepMerge(defaultSettings(), { sip: { server: 'wss://pbx.example.com/ws', domain: 'pbx', user: '1001', password: 'sip-pw' }, cti })

const sample = (store: ReturnType<typeof useTestConsoleStore>) => ({
  call: { ...store.sampleCall('1001'), remoteUser: '0312345678#A1' },
  agent: { id: 'agent01', password: 'pw' },
  extracted: { SID: 'S-1' },
})

describe('test console store', () => {
  it('sends the access through the app’s CTI ports, and previews the same request first', async () => {
    const fake = fakePorts()
    setupStores(fake.ports)
    const store = useTestConsoleStore()
    const doc = settings({ target: 'custom', accesses: { search: { method: 'get-internal', url: 'https://crm/s?tel={TEL}&c={CODE1}&sid={SID}', format: '{NAME}' } } })
    const view = store.view(doc, 'search', sample(store))
    expect(view.ok && view.preview.prepared).toMatchObject({ kind: 'http', url: 'https://crm/s?tel=0312345678&c=A1&sid=S-1' })
    fake.world.http.on('https://crm/s', { body: '山田' })
    const result = await store.tryAccess(doc, 'search', sample(store))
    expect(fake.world.http.urls).toEqual(['https://crm/s?tel=0312345678&c=A1&sid=S-1'])
    expect(result?.outcome).toMatchObject({ ok: true, values: { NAME: '山田' } })
  })

  it('opens a tab access in the CRM tab through the ports', async () => {
    const fake = fakePorts()
    setupStores(fake.ports)
    const store = useTestConsoleStore()
    await store.tryAccess(settings({ target: 'custom', tabName: 'crm', accesses: { ring: { method: 'get', url: 'https://crm/r?tel={TEL}' } } }), 'ring', sample(store))
    expect(fake.world.tabs.opened).toEqual([{ url: 'https://crm/r?tel=0312345678', tabName: 'crm' }])
  })

  it('runs nothing for invalid settings and names the errors as the settings screens do', async () => {
    const fake = fakePorts()
    setupStores(fake.ports)
    const store = useTestConsoleStore()
    const doc = settings({ accesses: { search: { method: 'get-internal', url: '' } } })
    expect(store.view(doc, 'search', sample(store))).toEqual({ ok: false, errors: [expect.objectContaining({ path: 'cti.accesses.search.url', code: 'url-required' })] })
    expect(await store.tryAccess(doc, 'search', sample(store))).toBeUndefined()
    expect(fake.world.http.requests).toEqual([])
  })
})
