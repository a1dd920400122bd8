import { describe, expect, it } from 'vitest'
import type { CallFacts } from './call-parties'
import type { CallRecordFacts } from './call-record'
import { readCall } from './call-reading'
import { createCtiEngine } from './engine'
import { ctiConfig } from './testing/config'
import { createFakeWorld, flush } from './testing/fakes'

/** The engine's side of the history access: who is owed a record, and sending one. */
const sip = { user: '1001', server: 'wss://pbx.example.com:8089/ws' }
const T0 = Date.parse('2025-04-01T00:30:45Z')
const RECORD: CallRecordFacts = { result: 'answered', startedAt: T0, answeredAt: T0 + 2_000, endedAt: T0 + 12_000, durationSeconds: 10, recorded: false }

function setup(accesses: Record<string, unknown>, cti: Record<string, unknown> = {}) {
  const world = createFakeWorld()
  const config = ctiConfig({ target: 'custom', ...cti, accesses }, sip)
  const engine = createCtiEngine({ config, ports: world.ports, log: world.log })
  world.http.on('http://crm/search', { body: '山田太郎\r\n株式会社テスト\r\n' })
  const start = (facts: Partial<CallFacts> = {}) =>
    engine.callStarted(readCall({ callId: 'c1', direction: 'in', fromUser: '0312345678', displayName: '', calledUser: '0501234567', headers: {}, ...facts }, config, world.ports))
  return { ...world, engine, start }
}

const HISTORY = { method: 'get-internal', url: 'http://crm/history?id={ID}&tel={TEL}&result={RESULT}&start={START}&dur={DURATION}&name={NAME}' }

describe('engine: the history access', () => {
  it('owes one record per ended call, with the search\'s values; the delivery is plain data', async () => {
    const w = setup({ search: { method: 'get-internal', url: 'http://crm/search?tel={TEL}', format: '{NAME}{COMPANY}' }, history: HISTORY })
    w.start()
    await flush()
    expect(w.engine.callRecord('c1', RECORD)).toBeUndefined() // not ended yet
    w.engine.callEnded('c1')
    const delivery = w.engine.callRecord('c1', RECORD)
    expect(delivery).toMatchObject({ access: 'history', callId: 'c1', parties: { tel: '0312345678' }, values: { NAME: '山田太郎' }, record: RECORD })
    expect(JSON.parse(JSON.stringify(delivery))).toEqual(delivery)
    expect(w.engine.callRecord('c1', RECORD)).toBeUndefined() // once per call
    await expect(w.engine.deliver(delivery!)).resolves.toMatchObject({ ok: true, status: 200 })
    expect(w.http.urls.at(-1)).toBe(`http://crm/history?id=01234567890123456789&tel=0312345678&result=answered&start=2025-04-01T09%3A30%3A45%2B09%3A00&dur=10&name=${encodeURIComponent('山田太郎')}`)
    expect(w.logs.at(-1)).toMatchObject({ callId: 'c1', access: 'history', outcome: 'ok', status: 200 })
  })

  it('waits for the call\'s hang-up access before sending the record', async () => {
    const w = setup({ hangup: { method: 'get-internal', url: 'http://crm/hangup' }, history: HISTORY })
    w.http.on('http://crm/hangup', { delayMs: 3_000 })
    w.start()
    w.engine.callEnded('c1')
    const sending = w.engine.deliver(w.engine.callRecord('c1', RECORD)!)
    await flush()
    expect(w.http.urls).toEqual(['http://crm/hangup'])
    await w.clock.advance(3_000)
    await sending
    expect(w.http.urls.map((u) => u.split('?')[0])).toEqual(['http://crm/hangup', 'http://crm/history'])
  })

  it('a new engine (after a reload) sends a delivery it never saw the call of', async () => {
    const first = setup({ history: HISTORY })
    first.start()
    first.engine.callEnded('c1')
    const delivery = first.engine.callRecord('c1', RECORD)!
    first.engine.dispose()
    const second = setup({ history: HISTORY })
    await expect(second.engine.deliver(JSON.parse(JSON.stringify(delivery)))).resolves.toMatchObject({ ok: true })
    expect(second.http.urls).toHaveLength(1)
  })

  it.each([
    ['an internal call with skipInternal', { fromUser: '2001' }, {}, 'internal'],
    ['an untargeted call', { calledUser: '0509999999' }, { numbers: ['0501234567'], targetNumbers: ['0501234567'] }, 'untargeted'],
  ])('owes nothing for %s (logged)', (_name, facts, cti, reason) => {
    const w = setup({ history: HISTORY }, cti)
    w.start(facts)
    w.engine.callEnded('c1')
    expect(w.engine.callRecord('c1', RECORD)).toBeUndefined()
    expect(w.logs).toContainEqual(expect.objectContaining({ access: 'history', outcome: 'skipped', skipped: reason }))
  })

  it('owes nothing when the history access is not configured, and a delivery for it is refused', async () => {
    const w = setup({ history: HISTORY })
    w.start()
    w.engine.callEnded('c1')
    const delivery = w.engine.callRecord('c1', RECORD)!
    const off = setup({})
    off.start()
    off.engine.callEnded('c1')
    expect(off.engine.callRecord('c1', RECORD)).toBeUndefined()
    await expect(off.engine.deliver(delivery)).resolves.toEqual({ ok: false, reason: 'not-configured' })
  })

  describe('pastRecord: a call a page that went away never ended', () => {
    const parties = { direction: 'in' as const, tel: '0312345678', code1: '', code2: '', anonymous: false, called: '0501234567', remote: '0312345678', telName: '', calledName: '', requestId: 'R1' }

    it('is owed its record as it stood, with the same rules as an ended call', () => {
      const w = setup({ history: HISTORY })
      expect(w.engine.pastRecord('old', parties, { NAME: '山田' }, RECORD)).toEqual({ access: 'history', callId: 'old', parties, values: { NAME: '山田' }, record: RECORD })
    })

    it.each([
      ['internal with skipInternal', { remote: '2001', tel: '2001' }, {}],
      ['untargeted', { called: '0509999999' }, { numbers: ['0501234567'], targetNumbers: ['0501234567'] }],
      ['from 9999', { remote: '9999', tel: '9999' }, {}],
      ['outgoing without cti.outgoing', { direction: 'out' as const }, {}],
    ])('owes nothing when %s', (_name, change, cti) => {
      const w = setup({ history: HISTORY }, cti)
      expect(w.engine.pastRecord('old', { ...parties, ...change }, {}, RECORD)).toBeUndefined()
    })

    it('with access recording: the upload its recording is owed, with the row\'s {ID}, when the recording access is configured', () => {
      const upload = { method: 'post-internal', url: 'http://crm/recordings?id={ID}' }
      const w = setup({ history: HISTORY, recording: upload })
      expect(w.engine.pastRecord('old', parties, { NAME: '山田' }, RECORD, 'recording')).toEqual({ access: 'recording', callId: 'old', parties, values: { NAME: '山田' }, record: RECORD })
      expect(setup({ history: HISTORY }).engine.pastRecord('old', parties, {}, RECORD, 'recording')).toBeUndefined()
      expect(setup({ recording: upload }, {}).engine.pastRecord('old', { ...parties, remote: '2001', tel: '2001' }, {}, RECORD, 'recording')).toBeUndefined()
    })

    it('owes nothing for a call this engine is running (its own end will)', () => {
      const w = setup({ history: HISTORY })
      w.start()
      expect(w.engine.pastRecord('c1', parties, {}, RECORD)).toBeUndefined()
    })
  })
})
