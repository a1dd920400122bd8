/**
 * `deploy.json`: the deployment's trust anchor. It is served by the phone's own web server next
 * to `index.html`, so only whoever operates that server — IT — can write it; no link, page or
 * provisioning document can. Absent = the safest defaults: provisioning only from the phone's
 * own origin, no `#config=` links, every click-to-dial asks the agent.
 *
 * ```json
 * {
 *   "provisioning": {
 *     "origins": ["https://it.example"],
 *     "hashConfig": "off",
 *     "publicKeys": [{ "kty": "EC", "crv": "P-256", "x": "…", "y": "…" }, "MFkwEwYHKoZIzj0CAQYI…"]
 *   },
 *   "dial": { "trustedOrigins": ["https://crm.example"] }
 * }
 * ```
 */
import * as v from 'valibot'
import { defaultDeployment } from './deploy-defaults'

export type HashConfig = 'off' | 'signed' | 'any'

export interface Deployment {
  provisioning: {
    /** Origins whose `?config=` documents are accepted, besides the phone's own. */
    origins: string[]
    /** `#config=` links: refused (`off`), only signed by a key below (`signed`), or any (`any`, labs). */
    hashConfig: HashConfig
    /** Public keys for `signed`: JWK objects (EC P-256 or OKP Ed25519) or base64 SPKI (DER). */
    publicKeys: (string | JsonWebKey)[]
  }
  dial: {
    /** Origins (by `document.referrer`) whose `?dial=` requests dial without asking the agent. */
    trustedOrigins: string[]
  }
}

export { defaultDeployment }

/** `https://it.example` or `http://127.0.0.1:8090`: scheme, host and port, nothing else. */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '')
  } catch {
    return false
  }
}

export const ORIGIN_MESSAGE = 'must be an origin such as https://it.example (no path)'
const origin = v.pipe(v.string(), v.check(isOrigin, ORIGIN_MESSAGE))
const publicKey = v.union(
  [
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 SPKI')),
    v.looseObject({ kty: v.picklist(['EC', 'OKP']), crv: v.picklist(['P-256', 'Ed25519']), x: v.string() }),
  ],
  'must be a JWK (EC P-256 or OKP Ed25519) or base64 SPKI',
)

export const deploymentSchema = v.object({
  $schema: v.optional(v.string()),
  provisioning: v.optional(
    v.object({
      origins: v.optional(v.array(origin), []),
      hashConfig: v.optional(v.picklist(['off', 'signed', 'any'], 'must be "off", "signed" or "any"'), 'off'),
      publicKeys: v.optional(v.array(publicKey), []),
    }),
    {},
  ),
  dial: v.optional(v.object({ trustedOrigins: v.optional(v.array(origin), []) }), {}),
})

export type DeploymentResult = { ok: true; deployment: Deployment } | { ok: false; message: string }

/** Reads a `deploy.json` document; a problem is named by its path (`provisioning.origins.0: …`). */
export function parseDeployment(doc: unknown): DeploymentResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, message: 'must be a JSON object' }
  const result = v.safeParse(deploymentSchema, doc)
  if (!result.success) {
    const issue = result.issues[0]
    const path = v.getDotPath(issue)
    return { ok: false, message: path ? `${path}: ${issue.message}` : issue.message }
  }
  const { provisioning, dial } = result.output
  const deployment: Deployment = {
    provisioning: {
      origins: (provisioning.origins ?? []).map((o) => new URL(o).origin),
      hashConfig: provisioning.hashConfig ?? 'off',
      publicKeys: (provisioning.publicKeys ?? []) as (string | JsonWebKey)[],
    },
    dial: { trustedOrigins: (dial.trustedOrigins ?? []).map((o) => new URL(o).origin) },
  }
  if (deployment.provisioning.hashConfig === 'signed' && deployment.provisioning.publicKeys.length === 0) {
    return { ok: false, message: 'provisioning.publicKeys: "signed" needs at least one public key' }
  }
  return { ok: true, deployment }
}

export interface DeploymentLoad {
  deployment: Deployment
  /** Why the file could not be used (the defaults apply then); undefined when absent or fine. */
  problem?: string
}

/**
 * Fetches `deploy.json` from the app's base URL, never from the cache. Absent (404, or the
 * web server's SPA fallback answering with `index.html`) = the defaults, silently; any other
 * failure = the defaults and a problem to show, since IT meant something else.
 */
export async function loadDeployment(fetcher: typeof fetch, url: string): Promise<DeploymentLoad> {
  let response: Response
  try {
    response = await fetcher(url, { cache: 'no-store', credentials: 'same-origin', redirect: 'error' })
  } catch (error) {
    return { deployment: defaultDeployment(), problem: error instanceof Error ? error.message : String(error) }
  }
  if (response.status === 404) return { deployment: defaultDeployment() }
  if (!response.ok) return { deployment: defaultDeployment(), problem: `HTTP ${response.status}` }
  if (/^text\/html\b/i.test(response.headers.get('content-type') ?? '')) return { deployment: defaultDeployment() }
  let doc: unknown
  try {
    doc = JSON.parse(await response.text())
  } catch (error) {
    return { deployment: defaultDeployment(), problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  const parsed = parseDeployment(doc)
  return parsed.ok ? { deployment: parsed.deployment } : { deployment: defaultDeployment(), problem: parsed.message }
}
