#!/usr/bin/env node
// Installs the Tsunagu helper's native-messaging host on Linux, system-wide (run as root):
//   - copies host/tsunagu-helper.mjs to /usr/local/lib/tsunagu-helper/ with this Node's path
//     in its first line (Chromium starts hosts with a minimal PATH),
//   - writes the host manifest jp.tsunagu.helper.json, allowed only for the helper extension's
//     fixed id, for Chromium, Google Chrome and Microsoft Edge,
//   - writes the config /etc/tsunagu/helper.json: the phone's origin(s) given with --origin (the
//     only pages the helper answers), the CRM origins given with --http-origin (the only targets
//     of `via: "helper"`), and an empty program allow-list. An existing file keeps its programs
//     and everything else; only the lists given on the command line replace their own,
//   - copies the extension to /usr/local/lib/tsunagu-helper/extension/ with
//     `externally_connectable.matches` narrowed to the phone's origin(s) (same key, same id).
// Windows and macOS: see README "Native helper (optional)".
//
//   npm run helper:install -- --origin https://phone.example [--http-origin http://crm.example:8080]
//   npm run helper:install -- --origin … --root DIR   # everything under DIR instead of / (packaging, tests)

import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
export const EXTENSION_TARGET = '/usr/local/lib/tsunagu-helper/extension'
const EXTENSION_SOURCE = fileURLToPath(new URL('./extension/', import.meta.url))

const EXAMPLE_CONFIG = {
  '//': 'origins: the pages (the phone) that may use the helper. allow: programs the phone may start through its "command" accesses: exact absolute paths, e.g. "/usr/local/bin/crm-open", or { "program", "args": [pattern, ...], "options" } entries. Empty = none. http.origins: the CRM origins "via": "helper" requests may reach. timeoutMs: how long a program may run (default 10000).',
  origins: [],
  allow: [],
  timeoutMs: 10000,
  http: { origins: [] },
}

/** `scheme://host[:port]` of an http(s) URL; throws on anything else (a typo must not pass silently). */
export function originOf(value) {
  let url
  try {
    url = new URL(value)
  } catch {
    throw new Error(`not a URL: ${value}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not an http(s) origin: ${value}`)
  return url.origin
}

/**
 * @param {{ root?: string, nodePath?: string, origins?: string[], httpOrigins?: string[], log?: (line: string) => void }} [options]
 * @returns {{ extensionId: string, host: string, manifests: string[], config: string, configCreated: boolean, extension?: string }}
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

  const origins = options.origins?.map(originOf)
  const httpOrigins = options.httpOrigins?.map(originOf)
  const config = under(CONFIG_FILE)
  const configCreated = !existsSync(config)
  const current = configCreated ? structuredClone(EXAMPLE_CONFIG) : JSON.parse(readFileSync(config, 'utf8'))
  if (origins) current.origins = origins
  if (httpOrigins) current.http = { ...(current.http ?? {}), origins: httpOrigins }
  if (configCreated || origins || httpOrigins) {
    mkdirSync(path.dirname(config), { recursive: true })
    writeFileSync(config, `${JSON.stringify(current, null, 2)}\n`)
    chmodSync(config, 0o644)
  }
  log(`config: ${config} (${configCreated ? 'created' : origins || httpOrigins ? 'origins updated, programs kept' : 'kept'})`)
  const admitted = Array.isArray(current.origins) ? current.origins : []
  if (admitted.length === 0) log('no --origin: the helper answers no page until the phone\'s origin is in "origins"')

  let extension
  if (admitted.length > 0) {
    // The same extension (same key, so the same id) that only the phone's pages can even see.
    extension = under(EXTENSION_TARGET)
    mkdirSync(extension, { recursive: true })
    const manifest = JSON.parse(readFileSync(path.join(EXTENSION_SOURCE, 'manifest.json'), 'utf8'))
    manifest.externally_connectable = { matches: admitted.map((origin) => `${originOf(origin)}/*`) }
    writeFileSync(path.join(extension, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    copyFileSync(path.join(EXTENSION_SOURCE, 'service-worker.js'), path.join(extension, 'service-worker.js'))
    log(`extension: ${extension} (load or pack this folder; it admits ${admitted.join(', ')})`)
  }
  log(`extension id: ${extensionId}`)
  return { extensionId, host, manifests, config, configCreated, ...(extension ? { extension } : {}) }
}

/** `--name value` pairs, repeatable; unknown flags are an error. */
export function parseArgs(args) {
  const known = new Set(['--root', '--origin', '--http-origin'])
  const out = { origins: undefined, httpOrigins: undefined, root: undefined }
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i]
    if (!known.has(flag)) throw new Error(`unknown option ${flag}`)
    const value = args[i + 1]
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`)
    i += 1
    if (flag === '--root') out.root = value
    else if (flag === '--origin') out.origins = [...(out.origins ?? []), value]
    else out.httpOrigins = [...(out.httpOrigins ?? []), value]
  }
  return out
}

function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run helper:install -- --origin https://phone.example [--origin …] [--http-origin http://crm.example …] [--root DIR]')
    return
  }
  const { root, origins, httpOrigins } = parseArgs(args)
  if (process.platform !== 'linux') throw new Error('this installer is for Linux; see README "Native helper (optional)" for Windows and macOS')
  if (!root && process.getuid?.() !== 0) throw new Error('run as root (the manifests go to /etc), or pass --root DIR')
  install({ root: root ? path.resolve(root) : undefined, origins, httpOrigins })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    console.error(`helper:install: ${error.message}`)
    process.exitCode = 1
  }
}
