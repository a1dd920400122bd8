/**
 * Self-signed certificates for the lab's wss:// tests.
 *
 * Why: real deployments run the phone against wss://, and some browser behaviour (mixed content, secure
 * contexts) only shows with TLS. In the lab we make a throw-away certificate for 127.0.0.1 with the system's
 * openssl (no extra npm dependency) and let Chromium accept it with --ignore-certificate-errors.
 *
 * @module lab/tls
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import fs from 'node:fs/promises'

const execFileP = promisify(execFile)

/**
 * Create a self-signed RSA-2048 certificate for CN=127.0.0.1 (also SAN IP:127.0.0.1 and DNS:localhost) valid
 * for one day, in `dir` as cert.pem / key.pem.
 *
 * @param {string} dir an existing directory (e.g. a test's mkdtemp dir); the caller removes it.
 * @returns {Promise<{ certFile: string, keyFile: string }>}
 * @throws {Error} with an install hint when openssl is missing.
 */
export async function makeSelfSignedCert(dir) {
  const certFile = path.join(dir, 'cert.pem')
  const keyFile = path.join(dir, 'key.pem')
  const args = [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-days', '1',
    '-keyout', keyFile,
    '-out', certFile,
  ]
  try {
    await execFileP('openssl', args, { timeout: 30000 })
  } catch (err) {
    const e = /** @type {NodeJS.ErrnoException & { stderr?: string }} */ (err)
    if (e.code === 'ENOENT') {
      throw new Error('openssl not found: run `npm run lab:setup` (or `apt-get install -y openssl`)')
    }
    throw new Error(`openssl failed to make a self-signed certificate: ${e.stderr || e.message}`)
  }
  await fs.chmod(keyFile, 0o600)
  return { certFile, keyFile }
}
