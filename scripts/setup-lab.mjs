#!/usr/bin/env node
/**
 * Makes sure the machine has what the demo and the tests need: node_modules (npm ci) and
 * Debian's kamailio, kamailio-websocket-modules, kamailio-tls-modules, sip-tester (sipp),
 * chromium and openssl. Installs only what is missing; needs root for apt-get.
 * Never downloads a browser of its own: the tests drive Debian's /usr/bin/chromium.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Debian package → a file that proves it is installed. */
const PACKAGES = {
  kamailio: '/usr/sbin/kamailio',
  'kamailio-websocket-modules': '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so',
  'kamailio-tls-modules': '/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so',
  'sip-tester': '/usr/bin/sipp',
  chromium: '/usr/bin/chromium',
  openssl: '/usr/bin/openssl',
}

function isInstalled(pkg, file) {
  if (existsSync(file)) return true
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.includes('install ok installed')
}

export function ensureSystemPackages({ quiet = false } = {}) {
  const missing = Object.entries(PACKAGES).filter(([pkg, file]) => !isInstalled(pkg, file)).map(([pkg]) => pkg)
  if (missing.length === 0) return
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Run as root, or: sudo apt-get install -y ${missing.join(' ')}`)
  }
  if (!quiet) console.log(`Installing Debian packages: ${missing.join(' ')} …`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const stdio = quiet ? 'ignore' : 'inherit'
  execFileSync('apt-get', ['update', '-q'], { stdio, env })
  execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio, env })
}

export function ensureNodeModules({ quiet = false } = {}) {
  // A node_modules that is a symlink (a git worktree sharing another checkout's install) is that
  // checkout's to manage: `npm ci` here would wipe the other checkout's packages.
  if (existsSync(join(root, 'node_modules')) && lstatSync(join(root, 'node_modules')).isSymbolicLink()) return
  const installed = join(root, 'node_modules', '.package-lock.json')
  // npm writes node_modules/.package-lock.json on install; an older one means the lock changed since.
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs) return
  if (!quiet) console.log('Installing npm packages (npm ci) …')
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: quiet ? 'ignore' : 'inherit' })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureNodeModules()
  ensureSystemPackages()
  console.log('Lab ready.')
}
