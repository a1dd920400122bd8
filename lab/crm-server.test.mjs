/**
 * Tests of the demo CRM: a real server on a free port, exercised with Node's fetch (and raw http where fetch
 * would normalise what we want to see).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import { spawn } from 'node:child_process'
import iconv from 'iconv-lite'
import { startCrm, CONTACTS, CRM_SERVER_FILE } from './crm-server.mjs'
import { freePort, waitForPort } from './ports.mjs'

/** @type {import('./crm-server.mjs').CrmHandle} */
let crm
/** @type {string} */
let provDir

beforeAll(async () => {
  provDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsunagu-prov-'))
  fs.writeFileSync(path.join(provDir, 'center-a.json'), JSON.stringify({ sip: { server: 'wss://pbx.example/ws' } }))
  crm = await startCrm({ provisionDir: provDir })
})
afterAll(async () => {
  await crm?.stop()
  fs.rmSync(provDir, { recursive: true, force: true })
})
beforeEach(() => {
  crm.clear()
  crm.resetBehaviour()
})

describe('demo CRM', () => {
  it('has at least 5 Japanese sample contacts', () => {
    expect(CONTACTS.length).toBeGreaterThanOrEqual(5)
    expect(CONTACTS.find((c) => c.tel === '0312345678')).toMatchObject({ name: '山田 太郎', company: '株式会社つなぐ商事' })
    expect(CONTACTS.find((c) => c.tel === '0663334444')).toMatchObject({ name: '佐藤 花子', company: '大阪物産株式会社' })
    expect(CONTACTS.find((c) => c.tel === '09012345678')).toBeTruthy()
  })

  it('login: demo agents get a SID line; wrong credentials get 401', async () => {
    const ok = await fetch(`${crm.url}/login?userid=agent01&password=pass01`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await ok.text()).toMatch(/^SID-[0-9a-f]{24}\r\n$/)
    expect((await fetch(`${crm.url}/login?userid=agent01&password=nope`)).status).toBe(401)
    expect((await fetch(`${crm.url}/login?userid=toString&password=`)).status).toBe(401)
    expect((await fetch(`${crm.url}/login`)).status).toBe(401)
  })

  it('search: 2 lines NAME/COMPANY for a known number (digits-only compare), empty 200 for unknown', async () => {
    const r = await fetch(`${crm.url}/search?tel=03-1234-5678`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await r.text()).toBe('山田 太郎\r\n株式会社つなぐ商事\r\n')
    const unknown = await fetch(`${crm.url}/search?tel=0000000000`)
    expect(unknown.status).toBe(200)
    expect(await unknown.text()).toBe('')
    // empty company keeps the 2-line shape
    expect(await (await fetch(`${crm.url}/search?tel=08011112222`)).text()).toBe('田中 美咲\r\n\r\n')
  })

  it('search accepts POST application/x-www-form-urlencoded', async () => {
    const r = await fetch(`${crm.url}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'tel=0663334444&sid=',
    })
    expect(await r.text()).toBe('佐藤 花子\r\n大阪物産株式会社\r\n')
    const [rec] = crm.requests()
    expect(rec).toMatchObject({ method: 'POST', path: '/search', query: '', body: 'tel=0663334444&sid=' })
    expect(rec.params.tel).toBe('0663334444')
  })

  it('requireSession: sid is needed and checked; expired sessions get 401', async () => {
    // default: sid optional, even a bogus one
    expect((await fetch(`${crm.url}/search?tel=0312345678&sid=bogus`)).status).toBe(200)
    crm.setBehaviour({ requireSession: true })
    expect((await fetch(`${crm.url}/search?tel=0312345678`)).status).toBe(401)
    expect((await fetch(`${crm.url}/search?tel=0312345678&sid=bogus`)).status).toBe(401)
    const sid = (await (await fetch(`${crm.url}/login?userid=agent02&password=pass02`)).text()).trim()
    const ok = await fetch(`${crm.url}/search?tel=0312345678&sid=${sid}`)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('山田 太郎')
    crm.expireSessions()
    expect((await fetch(`${crm.url}/search?tel=0312345678&sid=${sid}`)).status).toBe(401)
    // lifetime
    crm.setBehaviour({ sessionLifetimeMs: 1 })
    const sid2 = (await (await fetch(`${crm.url}/login?userid=agent01&password=pass01`)).text()).trim()
    await new Promise((r) => setTimeout(r, 5))
    expect((await fetch(`${crm.url}/search?tel=0312345678&sid=${sid2}`)).status).toBe(401)
  })

  it('Shift_JIS and EUC-JP variants encode the body and say so', async () => {
    const sj = await fetch(`${crm.url}/sjis/search?tel=0312345678`)
    expect(sj.headers.get('content-type')).toBe('text/plain; charset=Shift_JIS')
    const sjBytes = Buffer.from(await sj.arrayBuffer())
    expect(sjBytes.subarray(0, 2)).toEqual(Buffer.from([0x8e, 0x52])) // 山 in Shift_JIS
    expect(iconv.decode(sjBytes, 'Shift_JIS')).toBe('山田 太郎\r\n株式会社つなぐ商事\r\n')
    // fetch's TextDecoder knows both labels too (what a browser does)
    expect(new TextDecoder('shift_jis').decode(sjBytes)).toBe('山田 太郎\r\n株式会社つなぐ商事\r\n')
    const eu = await fetch(`${crm.url}/eucjp/search?tel=0663334444`)
    expect(eu.headers.get('content-type')).toBe('text/plain; charset=EUC-JP')
    const euBytes = Buffer.from(await eu.arrayBuffer())
    expect(new TextDecoder('euc-jp').decode(euBytes)).toBe('佐藤 花子\r\n大阪物産株式会社\r\n')
    expect(euBytes.equals(Buffer.from('佐藤 花子\r\n大阪物産株式会社\r\n'))).toBe(false)
  })

  it('JSON and HTML variants', async () => {
    const j = await (await fetch(`${crm.url}/json/search?tel=09012345678`)).json()
    expect(j).toEqual({ customer: { name: '鈴木 一郎', company: 'フリーランス', id: 'C0003' } })
    expect(await (await fetch(`${crm.url}/json/search?tel=1`)).json()).toEqual({ customer: null })
    const h = await (await fetch(`${crm.url}/html/search?tel=0312345678`)).text()
    expect(h).toContain('<td>名前</td><td>山田 太郎</td>')
    expect(h).toContain('<td>会社</td><td>株式会社つなぐ商事</td>')
    const x = await (await fetch(`${crm.url}/html/search?tel=0399998888`)).text()
    expect(x).not.toContain('<script>')
    expect(x).toContain('&lt;script&gt;')
  })

  it('recordings: a multipart upload is stored once per id, with its form fields and what its bytes are', async () => {
    // The smallest WebM Opus file the reader accepts: EBML header, Segment, a track, one block at 1.5 s.
    const el = (id, body) => [...id, 0x80 | body.length, ...body]
    const text = (t) => [...new TextEncoder().encode(t)]
    const webm = new Uint8Array([
      ...el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], text('webm'))),
      ...el([0x18, 0x53, 0x80, 0x67], [
        ...el([0x16, 0x54, 0xae, 0x6b], el([0xae], el([0x86], text('A_OPUS')))),
        ...el([0x1f, 0x43, 0xb6, 0x75], [...el([0xe7], [0x05, 0xdc]), ...el([0xa3], [0x81, 0x00, 0x00, 0x80, 0xfc])]),
      ]),
    ])
    const upload = (id) => {
      const form = new FormData()
      form.set('id', id)
      form.set('tel', '0312345678')
      form.set('file', new Blob([webm], { type: 'audio/webm' }), `${id}.webm`)
      return fetch(`${crm.url}/recordings`, { method: 'POST', body: form })
    }
    crm.setBehaviour({ failFirst: { '/recordings': 2 } })
    expect((await upload('REQ1')).status).toBe(503)
    expect((await upload('REQ1')).status).toBe(503)
    expect(crm.recordings()).toEqual([])
    expect((await upload('REQ1')).status).toBe(200)
    expect((await upload('REQ1')).status).toBe(200)
    expect(crm.recordings()).toMatchObject([{
      id: 'REQ1', field: 'file', filename: 'REQ1.webm', contentType: 'audio/webm', bytes: webm.length, received: 2,
      fields: { id: 'REQ1', tel: '0312345678' }, media: { container: 'webm', codec: 'opus', durationMs: 1500 },
    }])
    expect(await (await fetch(`${crm.url}/recordings`)).text()).toContain('<td>webm/opus</td><td>1.5</td><td>2</td>')
    expect((await fetch(`${crm.url}/recordings`, { method: 'POST', body: 'id=1' })).status).toBe(400)
  })

  it('recordings: the parts of one call (the same id, part 1 and 2) are two files, each counted on its own', async () => {
    const upload = (part) => {
      const form = new FormData()
      form.set('file', new Blob([new Uint8Array([1, 2, 3])], { type: 'audio/webm' }), `REQ2-${part}.webm`)
      return fetch(`${crm.url}/recordings?id=REQ2&part=${part}`, { method: 'POST', body: form })
    }
    for (const part of [1, 2, 2]) expect((await upload(part)).status).toBe(200)
    expect(crm.recordings().filter((r) => r.id === 'REQ2').map((r) => [r.part, r.received])).toEqual([['1', 1], ['2', 2]])
  })

  it('call records: POST /calls stores one record per id (a repeat is counted, not stored), listed at /calls', async () => {
    const post = (body) => fetch(`${crm.url}/calls`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    expect((await post('id=111&tel=0312345678&dir=in&result=answered&duration=65&name=%E5%B1%B1%E7%94%B0')).status).toBe(200)
    expect((await post('id=111&tel=0312345678&dir=in&result=answered&duration=65')).status).toBe(200)
    expect((await post('id=222&tel=0663334444&dir=in&result=missed&duration=0')).status).toBe(200)
    expect((await post('tel=1')).status).toBe(400)
    expect(crm.callRecords()).toMatchObject([
      { id: '111', received: 2, fields: { tel: '0312345678', result: 'answered', duration: '65', name: '山田' } },
      { id: '222', received: 1, fields: { result: 'missed' } },
    ])
    expect(await (await fetch(`${crm.url}/api/calls`)).json()).toHaveLength(2)
    const page = await (await fetch(`${crm.url}/calls`)).text()
    expect(page).toContain('<tr data-id="222">')
    expect(page).toContain('<td>山田</td>')
    await fetch(`${crm.url}/api/calls`, { method: 'DELETE' })
    expect(crm.callRecords()).toEqual([])
  })

  it('events are answered "ok" and recorded with raw query, decoded params, headers and body', async () => {
    const r = await fetch(`${crm.url}/event/ring?tel=0312345678%23A1&name=%E5%B1%B1%E7%94%B0&x=a+b`, {
      headers: { 'X-Agent': 'agent01' },
    })
    expect(await r.text()).toBe('ok')
    await fetch(`${crm.url}/event/hangup`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
    const recs = crm.requests()
    expect(recs).toHaveLength(2)
    expect(recs[0]).toMatchObject({
      seq: expect.any(Number),
      method: 'GET',
      path: '/event/ring',
      query: 'tel=0312345678%23A1&name=%E5%B1%B1%E7%94%B0&x=a+b',
      params: { tel: '0312345678#A1', name: '山田', x: 'a b' },
      body: '',
    })
    expect(recs[0].headers['x-agent']).toBe('agent01')
    expect(new Date(recs[0].time).toISOString()).toBe(recs[0].time)
    expect(recs[1]).toMatchObject({ method: 'POST', path: '/event/hangup', body: '{"a":1}' })
    expect(recs[1].seq).toBeGreaterThan(recs[0].seq)
  })

  it('keeps the raw query byte for byte (e.g. Shift_JIS percent-escapes, raw #-less codes)', async () => {
    // fetch would re-encode; send the request line ourselves.
    const rawQuery = 'name=%8ER%93c&tel=0312345678'
    await new Promise((resolve, reject) => {
      http.get(`${crm.url}/event/click?${rawQuery}`, (res) => {
        res.resume()
        res.on('end', resolve)
      }).on('error', reject)
    })
    const [rec] = crm.requests()
    expect(rec.query).toBe(rawQuery)
  })

  it('/api/requests lists requests (not itself) and DELETE clears them', async () => {
    await fetch(`${crm.url}/event/answer`)
    const list = await (await fetch(`${crm.url}/api/requests`)).json()
    expect(list.map((/** @type {any} */ r) => r.path)).toEqual(['/event/answer'])
    expect((await fetch(`${crm.url}/api/requests`, { method: 'DELETE' })).status).toBe(204)
    expect(await (await fetch(`${crm.url}/api/requests`)).json()).toEqual([])
  })

  it('/api/behaviour can change behaviour over HTTP (for a separately running demo CRM)', async () => {
    const r = await fetch(`${crm.url}/api/behaviour`, { method: 'POST', body: JSON.stringify({ forceStatus: { '/search': 503 } }) })
    expect(r.status).toBe(200)
    expect((await fetch(`${crm.url}/search?tel=0312345678`)).status).toBe(503)
    expect((await fetch(`${crm.url}/api/behaviour`, { method: 'POST', body: '{"nope":1}' })).status).toBe(400)
  })

  it('CORS: echoes Origin with credentials; preflight 204 with methods, headers and Private Network Access', async () => {
    const r = await fetch(`${crm.url}/search?tel=0312345678`, { headers: { Origin: 'http://127.0.0.1:5173' } })
    expect(r.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
    expect(r.headers.get('access-control-allow-credentials')).toBe('true')
    expect(r.headers.get('vary')).toMatch(/Origin/)
    const noOrigin = await fetch(`${crm.url}/event/x`)
    expect(noOrigin.headers.get('access-control-allow-origin')).toBe('*')
    const pre = await fetch(`${crm.url}/event/ring`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://phone.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-request-id',
        'Access-Control-Request-Private-Network': 'true',
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://phone.example')
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/)
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type,x-request-id')
    expect(pre.headers.get('access-control-allow-private-network')).toBe('true')
    crm.setBehaviour({ cors: false })
    const off = await fetch(`${crm.url}/search?tel=1`, { headers: { Origin: 'http://x' } })
    expect(off.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('/slow never answers until the client aborts; stop() would close it', async () => {
    const ac = new AbortController()
    const p = fetch(`${crm.url}/slow?tel=1`, { signal: ac.signal })
    await crm.waitForRequests((r) => r.path === '/slow')
    ac.abort()
    await expect(p).rejects.toThrow(/abort/i)
  })

  it('/status/:code answers that code', async () => {
    for (const code of [200, 204, 401, 404, 500, 503]) {
      expect((await fetch(`${crm.url}/status/${code}`)).status).toBe(code)
    }
    expect((await fetch(`${crm.url}/status/302`, { redirect: 'manual' })).status).toBe(302)
  })

  it('delayMs delays answers', async () => {
    crm.setBehaviour({ delayMs: 150 })
    const t0 = Date.now()
    await fetch(`${crm.url}/search?tel=0312345678`)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
  })

  it('/crm/customer shows the customer, text-escaped', async () => {
    const r = await fetch(`${crm.url}/crm/customer?tel=0312345678`)
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await r.text()
    expect(html).toContain('<dd id="customer-name">山田 太郎</dd>')
    expect(html).toContain('株式会社つなぐ商事')
    const evil = await (await fetch(`${crm.url}/crm/customer?tel=0399998888`)).text()
    expect(evil).not.toMatch(/<script>|<b>/)
    expect(evil).toContain('渡辺 &quot;ナベ&quot; &lt;b&gt;太字&lt;/b&gt;')
    const unknown = await (await fetch(`${crm.url}/crm/customer?tel=%3Cimg%20src%3Dx%3E`)).text()
    expect(unknown).toContain('&lt;img src=x&gt;')
    expect(unknown).not.toContain('<img')
  })

  it('/provision/:name.json serves files from provisionDir and setProvision objects; rejects traversal', async () => {
    expect(await (await fetch(`${crm.url}/provision/center-a.json`)).json()).toEqual({ sip: { server: 'wss://pbx.example/ws' } })
    crm.setProvision('center-b', { hello: '世界' })
    const b = await fetch(`${crm.url}/provision/center-b.json`)
    expect(b.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await b.json()).toEqual({ hello: '世界' })
    expect((await fetch(`${crm.url}/provision/missing.json`)).status).toBe(404)
    expect((await fetch(`${crm.url}/provision/..%2Fsecret.json`)).status).toBe(400)
  })

  it('runs as a script: node lab/crm-server.mjs --port N', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [CRM_SERVER_FILE, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await waitForPort(port, '127.0.0.1', 10000, { isAlive: () => child.exitCode === null })
      expect(await (await fetch(`http://127.0.0.1:${port}/search?tel=0312345678`)).text()).toContain('山田 太郎')
    } finally {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})

describe('bad answers for the bad-CRM tests', () => {
  it('/garbage answers 200 with bytes that are not UTF-8', async () => {
    const res = await fetch(`${crm.url}/garbage?tel=1`)
    expect(res.status).toBe(200)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow()
    expect(bytes.includes(0)).toBe(true)
  })

  it('/loop/N redirects to /loop/N+1 with the query, so a client that follows gives up', async () => {
    const res = await fetch(`${crm.url}/loop/1?tel=0312345678`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/loop/2?tel=0312345678')
    await expect(fetch(`${crm.url}/loop/1?tel=1`)).rejects.toThrow()
  })
})
