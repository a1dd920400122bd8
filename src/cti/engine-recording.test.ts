import { describe, expect, it } from 'vitest'
import type { CallRecordFacts } from './call-record'
import { readCall } from './call-reading'
import { createCtiEngine } from './engine'
import { multipartBody } from './multipart'
import type { HttpPort, HttpRequest } from './ports'
import { ctiConfig, readCti } from './testing/config'
import { createFakeWorld } from './testing/fakes'

/** The recording access (録音ファイル連携): the multipart sender and the engine's side of it. */
const sip = { user: '1001', server: 'wss://pbx.example.com:8089/ws' }
const T0 = Date.parse('2025-04-01T00:30:45Z')
const RECORD: CallRecordFacts = { result: 'answered', startedAt: T0, answeredAt: T0 + 2_000, endedAt: T0 + 12_000, durationSeconds: 10, recorded: true }
const AUDIO = { filename: 'c1.webm', contentType: 'audio/webm;codecs=opus', bytes: new TextEncoder().encode('OPUSDATA') }

function setup(recording: Record<string, unknown>, cti: Record<string, unknown> = {}) {
  const world = createFakeWorld()
  const normalized = ctiConfig({ target: 'custom', ...cti, accesses: { recording } }, sip)
  const engine = createCtiEngine({ config: normalized, ports: world.ports, log: world.log })
  engine.callStarted(readCall({ callId: 'c1', direction: 'in', fromUser: '0312345678', displayName: '', calledUser: '0501234567', headers: {} }, normalized, world.ports))
  return { ...world, engine, config: normalized }
}

describe('multipartBody', () => {
  it('writes the fields in order, then the file with its name and type, between boundaries', () => {
    const { body, contentType } = multipartBody([['id', '123'], ['note', 'a\nb']], { field: 'file', ...AUDIO }, '42')
    expect(contentType).toBe('multipart/form-data; boundary=----TsunaguBoundary42')
    expect(new TextDecoder().decode(body)).toBe(
      '------TsunaguBoundary42\r\nContent-Disposition: form-data; name="id"\r\n\r\n123\r\n' +
        '------TsunaguBoundary42\r\nContent-Disposition: form-data; name="note"\r\n\r\na\r\nb\r\n' +
        '------TsunaguBoundary42\r\nContent-Disposition: form-data; name="file"; filename="c1.webm"\r\nContent-Type: audio/webm;codecs=opus\r\n\r\n' +
        'OPUSDATA\r\n------TsunaguBoundary42--\r\n',
    )
  })

  it('keeps the file\'s bytes as they are (binary audio is not re-encoded)', () => {
    const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x00, 0xff, 0x80])
    const { body } = multipartBody([], { field: 'file', filename: 'x.webm', contentType: 'audio/webm', bytes }, '1')
    const start = new TextEncoder().encode('------TsunaguBoundary1\r\nContent-Disposition: form-data; name="file"; filename="x.webm"\r\nContent-Type: audio/webm\r\n\r\n').length
    expect([...body.slice(start, start + bytes.length)]).toEqual([...bytes])
  })

  it('a hostile field name or file name cannot start a part of its own', () => {
    const { body } = multipartBody([['a"\r\nX: y', 'v']], { field: 'file', filename: 'evil"\r\n.webm', contentType: 'audio/webm', bytes: new Uint8Array() }, '1')
    const text = new TextDecoder().decode(body)
    expect(text).toContain('name="a%22%0D%0AX: y"')
    expect(text).toContain('filename="evil%22%0D%0A.webm"')
  })
})

describe('engine: the recording access', () => {
  it('uploads the file as multipart/form-data with {ID} in the URL and the extra fields, logged without the audio', async () => {
    const w = setup({ method: 'post-internal', url: 'http://crm/recordings?id={ID}', field: 'audio', fields: { callId: '{ID}', tel: '{TEL}', result: '{RESULT}' } })
    w.engine.callEnded('c1')
    const delivery = w.engine.recordingUpload('c1', RECORD)
    expect(delivery).toMatchObject({ access: 'recording', callId: 'c1' })
    expect(w.engine.recordingUpload('c1', RECORD)).toBeUndefined() // once per call
    await expect(w.engine.deliver(JSON.parse(JSON.stringify(delivery)), AUDIO)).resolves.toMatchObject({ ok: true, status: 200 })
    const sent = w.http.requests.at(-1)!
    expect(sent).toMatchObject({ method: 'POST', url: 'http://crm/recordings?id=01234567890123456789' })
    expect(sent.headers?.['content-type']).toMatch(/^multipart\/form-data; boundary=----TsunaguBoundary\d{24}$/)
    expect(sent.body).toContain('name="callId"\r\n\r\n01234567890123456789\r\n')
    expect(sent.body).toContain('name="tel"\r\n\r\n0312345678\r\n')
    expect(sent.body).toContain('name="result"\r\n\r\nanswered\r\n')
    expect(sent.body).toContain('name="audio"; filename="c1.webm"\r\nContent-Type: audio/webm;codecs=opus\r\n\r\nOPUSDATA\r\n')
    const entry = w.logs.at(-1)!
    expect(entry).toMatchObject({ access: 'recording', outcome: 'ok', status: 200 })
    expect(entry.body).toContain('audio=@c1.webm (audio/webm;codecs=opus, 8 bytes)')
    expect(entry.body).not.toContain('OPUSDATA')
  })

  it('via: "helper" sends the same multipart body, bytes and all, through the helper (not fetch), without a config warning', async () => {
    const world = createFakeWorld()
    const read = readCti({ target: 'custom', accesses: { recording: { method: 'post-internal', url: 'http://crm/recordings?id={ID}', via: 'helper' } } }, sip)
    if (!read.ok) throw new Error('invalid fixture')
    const { config } = read
    expect(read.warnings).toEqual([])
    const viaHelper: HttpRequest[] = []
    const helperHttp: HttpPort = async (request) => (viaHelper.push(request), { status: 201, headers: {}, body: new Uint8Array() })
    const engine = createCtiEngine({ config, ports: { ...world.ports, helperHttp }, log: world.log })
    engine.callStarted(readCall({ callId: 'c1', direction: 'in', fromUser: '0312345678', displayName: '', calledUser: '0501234567', headers: {} }, config, world.ports))
    engine.callEnded('c1')
    const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x00, 0xff])
    await expect(engine.deliver(engine.recordingUpload('c1', RECORD)!, { ...AUDIO, bytes })).resolves.toMatchObject({ ok: true, status: 201 })
    expect(world.http.requests).toEqual([])
    expect(viaHelper).toHaveLength(1)
    expect(viaHelper[0]).toMatchObject({ method: 'POST', url: 'http://crm/recordings?id=01234567890123456789' })
    expect(viaHelper[0]!.headers?.['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    const body = viaHelper[0]!.body as Uint8Array
    const at = body.findIndex((_, i) => body[i] === 0x1a && body[i + 1] === 0x45)
    expect([...body.slice(at, at + bytes.length)]).toEqual([...bytes])
  })

  it('via: "helper", a file larger than the helper carries fails as upload-too-large with its size (logged), not as a network error', async () => {
    const world = createFakeWorld()
    const read = readCti({ target: 'custom', accesses: { recording: { method: 'post-internal', url: 'http://crm/recordings?id={ID}', via: 'helper' } } }, sip)
    if (!read.ok) throw new Error('invalid fixture')
    const limit = 47 * 1024 * 1024
    const helperHttp: HttpPort = async (request) => {
      throw Object.assign(new Error('too large for the helper'), { name: 'UploadTooLargeError', bytes: (request.body as Uint8Array).length, limit })
    }
    const engine = createCtiEngine({ config: read.config, ports: { ...world.ports, helperHttp }, log: world.log })
    engine.callStarted(readCall({ callId: 'c1', direction: 'in', fromUser: '0312345678', displayName: '', calledUser: '0501234567', headers: {} }, read.config, world.ports))
    engine.callEnded('c1')
    const outcome = await engine.deliver(engine.recordingUpload('c1', RECORD)!, AUDIO)
    expect(outcome).toMatchObject({ ok: false, reason: 'upload-too-large', size: { limit } })
    expect(!outcome.ok && 'size' in outcome && outcome.size!.bytes).toBeGreaterThan(AUDIO.bytes.length)
    expect(world.logs.at(-1)).toMatchObject({ access: 'recording', outcome: 'failed', error: 'upload-too-large' })
  })

  it('the file field is "file" by default', async () => {
    const w = setup({ method: 'post-internal', url: 'http://crm/recordings' })
    w.engine.callEnded('c1')
    await w.engine.deliver(w.engine.recordingUpload('c1', RECORD)!, AUDIO)
    expect(w.http.requests.at(-1)!.body).toContain('name="file"; filename="c1.webm"')
  })

  it('a CRM that answers 503 is a failed delivery with its status (the outbox retries it)', async () => {
    const w = setup({ method: 'post-internal', url: 'http://crm/recordings' })
    w.http.on('http://crm/recordings', { status: 503 })
    w.engine.callEnded('c1')
    await expect(w.engine.deliver(w.engine.recordingUpload('c1', RECORD)!, AUDIO)).resolves.toMatchObject({ ok: false, reason: 'http-error', status: 503 })
  })

  it('another method than post-internal uploads nothing (a config warning says so)', async () => {
    const w = setup({ method: 'get-internal', url: 'http://crm/recordings' })
    w.engine.callEnded('c1')
    await expect(w.engine.deliver(w.engine.recordingUpload('c1', RECORD)!, AUDIO)).resolves.toEqual({ ok: false, reason: 'not-configured' })
    expect(w.http.requests).toHaveLength(0)
  })

  it('owes nothing for an internal call with skipInternal (logged)', () => {
    const world = createFakeWorld()
    const config = ctiConfig({ target: 'custom', accesses: { recording: { method: 'post-internal', url: 'http://crm/r' } } }, sip)
    const engine = createCtiEngine({ config, ports: world.ports, log: world.log })
    engine.callStarted(readCall({ callId: 'c2', direction: 'in', fromUser: '2001', displayName: '', calledUser: '1001', headers: {} }, config, world.ports))
    engine.callEnded('c2')
    expect(engine.recordingUpload('c2', RECORD)).toBeUndefined()
    expect(world.logs).toContainEqual(expect.objectContaining({ access: 'recording', outcome: 'skipped', skipped: 'internal' }))
  })
})
