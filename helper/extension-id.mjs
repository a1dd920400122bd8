// The helper extension's id, derived the way Chromium derives it from the manifest's `key`:
// SHA-256 of the DER public key, the first 32 hex digits mapped 0-f → a-p. The key in
// extension/manifest.json is fixed, so the id is the same wherever the folder is loaded from.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

export const MANIFEST_FILE = new URL('./extension/manifest.json', import.meta.url)

/** @param {string} keyBase64 the manifest's `key` (base64 of the DER SubjectPublicKeyInfo) */
export function extensionIdFromKey(keyBase64) {
  const hex = createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('hex').slice(0, 32)
  return Array.from(hex, (digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join('')
}

export function helperExtensionId() {
  return extensionIdFromKey(JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')).key)
}

// `node helper/extension-id.mjs` prints the id for the key now in the manifest.
if (import.meta.url === `file://${process.argv[1]}`) console.log(helperExtensionId())
