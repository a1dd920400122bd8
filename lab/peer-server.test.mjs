import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPeerServer } from './peer-server.mjs'

describe('the sip.js test peer server', () => {
  let server
  beforeAll(async () => { server = await startPeerServer() })
  afterAll(async () => { await server.stop() })

  it('serves the peer page, its script and sip.js\'s own ES modules', async () => {
    const page = await fetch(`${server.url}/`)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await page.text()).toContain('peer.js')
    const script = await fetch(`${server.url}/peer.js`)
    expect(await script.text()).toContain("from '/sip.js/index.js'")
    const sipjs = await fetch(`${server.url}/sip.js/index.js`)
    expect(sipjs.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await sipjs.text()).toContain('export')
  })

  it('serves nothing outside its folders', async () => {
    expect((await fetch(`${server.url}/../package.json`)).status).toBe(404)
    expect((await fetch(`${server.url}/sip.js/%2e%2e/package.json`)).status).toBe(404)
  })
})
