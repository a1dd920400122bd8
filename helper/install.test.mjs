import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { extensionIdFromKey, helperExtensionId } from './extension-id.mjs'
import { CONFIG_FILE, HOST_TARGET, install, MANIFEST_DIRS } from './install.mjs'

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

describe('extension id', () => {
  it('is derived from the key as Chromium does (sha256 of the DER key, a-p)', () => {
    // sha256("x") = 2d711642b726b04401627ca9fbac32f5…, mapped with `tr '0-9a-f' 'a-p'`.
    expect(extensionIdFromKey(Buffer.from('x').toString('base64'))).toBe('cnhbbgeclhcglaeeabgchmkjplkmdcpf')
    expect(helperExtensionId()).toBe('mblpgokejkkafbpicbigojlbkkjpggmi')
  })
})
