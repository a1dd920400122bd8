#!/usr/bin/env node
// Installs the Tsunagu helper's native-messaging host on Linux, system-wide (run as root):
//   - copies host/tsunagu-helper.mjs to /usr/local/lib/tsunagu-helper/ with this Node's path
//     in its first line (Chromium starts hosts with a minimal PATH),
//   - writes the host manifest jp.tsunagu.helper.json, allowed only for the helper extension's
//     fixed id, for Chromium, Google Chrome and Microsoft Edge,
//   - creates an empty allow-list /etc/tsunagu/helper.json when there is none (never overwrites).
// Windows and macOS: see README "Native helper (optional)".
//
//   npm run helper:install                 # as root
//   npm run helper:install -- --root DIR   # everything under DIR instead of / (packaging, tests)

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { helperExtensionId } from './extension-id.mjs'

const HOST_NAME = 'jp.tsunagu.helper'
const HOST_SOURCE = fileURLToPath(new URL('./host/tsunagu-helper.mjs', import.meta.url))
export const HOST_TARGET = '/usr/local/lib/tsunagu-helper/tsunagu-helper.mjs'
export const MANIFEST_DIRS = [
  '/etc/chromium/native-messaging-hosts',
  '/etc/opt/chrome/native-messaging-hosts',
  '/etc/opt/edge/native-messaging-hosts',
]
export const CONFIG_FILE = '/etc/tsunagu/helper.json'

const EXAMPLE_CONFIG = {
  '//': 'Programs the Tsunagu phone may start through its "command" accesses: exact absolute paths, e.g. "/usr/local/bin/crm-open". Empty = none. timeoutMs: how long a program may run (default 10000).',
  allow: [],
  timeoutMs: 10000,
}

/**
 * @param {{ root?: string, nodePath?: string, log?: (line: string) => void }} [options]
 * @returns {{ extensionId: string, host: string, manifests: string[], config: string, configCreated: boolean }}
 */
export function install(options = {}) {
  const root = options.root ?? '/'
  const log = options.log ?? ((line) => console.log(line))
  const under = (file) => path.join(root, file)
  const extensionId = helperExtensionId()

  const host = under(HOST_TARGET)
  mkdirSync(path.dirname(host), { recursive: true })
  const source = readFileSync(HOST_SOURCE, 'utf8').replace(/^#!.*\n/, `#!${options.nodePath ?? process.execPath}\n`)
  writeFileSync(host, source)
  chmodSync(host, 0o755)
  log(`host: ${host}`)

  // `path` is where Chromium will find the host at run time, so never prefixed by --root.
  const manifest = {
    name: HOST_NAME,
    description: 'Tsunagu helper: runs allow-listed programs and HTTP requests for the Tsunagu phone',
    path: HOST_TARGET,
    type: 'stdio',
    allowed_origins: [`chrome-extension://${extensionId}/`],
  }
  const manifests = MANIFEST_DIRS.map((dir) => {
    const file = path.join(under(dir), `${HOST_NAME}.json`)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`)
    chmodSync(file, 0o644)
    log(`manifest: ${file}`)
    return file
  })

  const config = under(CONFIG_FILE)
  const configCreated = !existsSync(config)
  if (configCreated) {
    mkdirSync(path.dirname(config), { recursive: true })
    writeFileSync(config, `${JSON.stringify(EXAMPLE_CONFIG, null, 2)}\n`)
    chmodSync(config, 0o644)
    log(`allow-list: ${config} (created, empty: add the programs the phone may start)`)
  } else {
    log(`allow-list: ${config} (kept)`)
  }
  log(`extension id: ${extensionId}`)
  return { extensionId, host, manifests, config, configCreated }
}

function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run helper:install [-- --root DIR]')
    return
  }
  const rootIndex = args.indexOf('--root')
  const root = rootIndex >= 0 ? args[rootIndex + 1] : undefined
  if (rootIndex >= 0 && !root) throw new Error('--root needs a directory')
  if (process.platform !== 'linux') throw new Error('this installer is for Linux; see README "Native helper (optional)" for Windows and macOS')
  if (!root && process.getuid?.() !== 0) throw new Error('run as root (the manifests go to /etc), or pass --root DIR')
  install({ root: root ? path.resolve(root) : undefined })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    console.error(`helper:install: ${error.message}`)
    process.exitCode = 1
  }
}
