import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { extensionIdFromKey, helperExtensionId } from './extension-id.mjs'
import { CONFIG_FILE, EXTENSION_TARGET, HOST_TARGET, install, MANIFEST_DIRS, parseArgs } from './install.mjs'

const roots = []
const tempRoot = () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tsunagu-install-'))
  roots.push(root)
  return root
}
afterEach(() => { for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true }) })

describe('helper:install', () => {
  it('writes the host and a manifest for Chromium, Chrome and Edge allowed only for the fixed extension id', () => {
    const root = tempRoot()
    const result = install({ root, nodePath: '/opt/node/bin/node', log: () => {} })
    expect(result.extensionId).toBe('mblpgokejkkafbpicbigojlbkkjpggmi')
    const host = readFileSync(path.join(root, HOST_TARGET), 'utf8')
    expect(host.split('\n')[0]).toBe('#!/opt/node/bin/node')
    expect(statSync(path.join(root, HOST_TARGET)).mode & 0o777).toBe(0o755)
    for (const dir of MANIFEST_DIRS) {
      expect(JSON.parse(readFileSync(path.join(root, dir, 'jp.tsunagu.helper.json'), 'utf8'))).toEqual({
        name: 'jp.tsunagu.helper',
        description: expect.any(String),
        path: HOST_TARGET,
        type: 'stdio',
        allowed_origins: ['chrome-extension://mblpgokejkkafbpicbigojlbkkjpggmi/'],
      })
    }
    expect(JSON.parse(readFileSync(path.join(root, CONFIG_FILE), 'utf8'))).toMatchObject({ allow: [] })
  })

  it('keeps an existing allow-list', () => {
    const root = tempRoot()
    install({ root, log: () => {} })
    writeFileSync(path.join(root, CONFIG_FILE), '{"allow":["/usr/local/bin/crm-open"]}')
    expect(install({ root, log: () => {} }).configCreated).toBe(false)
    expect(readFileSync(path.join(root, CONFIG_FILE), 'utf8')).toBe('{"allow":["/usr/local/bin/crm-open"]}')
  })
})

describe('helper:install --origin', () => {
  it('writes the phone\'s origin(s) and the CRM origins into the config, and an extension only those pages can see', () => {
    const root = tempRoot()
    const result = install({ root, origins: ['https://phone.example/app/index.html', 'http://127.0.0.1:5173'], httpOrigins: ['http://crm.example:8080/x'], log: () => {} })
    expect(JSON.parse(readFileSync(path.join(root, CONFIG_FILE), 'utf8'))).toMatchObject({
      origins: ['https://phone.example', 'http://127.0.0.1:5173'],
      allow: [],
      http: { origins: ['http://crm.example:8080'] },
    })
    expect(result.extension).toBe(path.join(root, EXTENSION_TARGET))
    const manifest = JSON.parse(readFileSync(path.join(root, EXTENSION_TARGET, 'manifest.json'), 'utf8'))
    expect(manifest.externally_connectable).toEqual({ matches: ['https://phone.example/*', 'http://127.0.0.1:5173/*'] })
    // Same key, so the same id the host manifest allows.
    expect(extensionIdFromKey(manifest.key)).toBe(result.extensionId)
    expect(readFileSync(path.join(root, EXTENSION_TARGET, 'service-worker.js'), 'utf8')).toBe(readFileSync(new URL('./extension/service-worker.js', import.meta.url), 'utf8'))
  })

  it('replaces only the origins in an existing config; its programs stay', () => {
    const root = tempRoot()
    install({ root, log: () => {} })
    writeFileSync(path.join(root, CONFIG_FILE), '{"origins":["https://old.example"],"allow":["/usr/local/bin/crm-open"],"http":{"origins":["http://crm.example"]}}')
    install({ root, origins: ['https://phone.example'], log: () => {} })
    expect(JSON.parse(readFileSync(path.join(root, CONFIG_FILE), 'utf8'))).toEqual({
      origins: ['https://phone.example'],
      allow: ['/usr/local/bin/crm-open'],
      http: { origins: ['http://crm.example'] },
    })
  })

  it('without --origin admits nobody and writes no extension copy', () => {
    const root = tempRoot()
    const lines = []
    const result = install({ root, log: (line) => lines.push(line) })
    expect(JSON.parse(readFileSync(path.join(root, CONFIG_FILE), 'utf8')).origins).toEqual([])
    expect(result.extension).toBeUndefined()
    expect(lines.join('\n')).toContain('answers no page')
  })

  it.each(['phone.example', 'file:///etc/passwd', 'chrome-extension://abc/'])('refuses %s as an origin', (origin) => {
    expect(() => install({ root: tempRoot(), origins: [origin], log: () => {} })).toThrow(/not (a URL|an http\(s\) origin)/)
  })

  it('reads repeated --origin and --http-origin flags, and refuses unknown ones', () => {
    expect(parseArgs(['--origin', 'https://a.example', '--origin', 'https://b.example', '--http-origin', 'http://crm', '--root', '/tmp/x']))
      .toEqual({ origins: ['https://a.example', 'https://b.example'], httpOrigins: ['http://crm'], root: '/tmp/x' })
    expect(() => parseArgs(['--orgin', 'https://a.example'])).toThrow('unknown option --orgin')
    expect(() => parseArgs(['--origin'])).toThrow('--origin needs a value')
  })
})

describe('extension id', () => {
  it('is derived from the key as Chromium does (sha256 of the DER key, a-p)', () => {
    // sha256("x") = 2d711642b726b04401627ca9fbac32f5…, mapped with `tr '0-9a-f' 'a-p'`.
    expect(extensionIdFromKey(Buffer.from('x').toString('base64'))).toBe('cnhbbgeclhcglaeeabgchmkjplkmdcpf')
    expect(helperExtensionId()).toBe('mblpgokejkkafbpicbigojlbkkjpggmi')
  })
})
