/**
 * The published JSON Schema of the settings document (`schema/tsunagu-settings.schema.json`),
 * generated from `schema.ts` so the two cannot drift: `json-schema.test.ts` fails when the file
 * differs from what this produces, and rewrites it with `UPDATE_SCHEMA=1`. Editors (VS Code and
 * others) use it to complete and check a provisioning file while IT writes it.
 *
 * Test-time only: it imports `@valibot/to-json-schema`, a development dependency.
 */
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema'
import { deploymentSchema, ORIGIN_MESSAGE } from './deploy'
import { lockablePaths } from './lockable-paths'
import { settingsSchema } from './schema'

export const SCHEMA_FILE = 'schema/tsunagu-settings.schema.json'
/** The JSON Schema of `deploy.json` (`deploy.ts`), for IT's editor. */
export const DEPLOY_SCHEMA_FILE = 'schema/tsunagu-deploy.schema.json'

/** Custom checks (see `validate.ts` codes) that JSON Schema can express. */
const CHECKS: Record<string, JsonSchema> = {
  'ws-url': { pattern: '^(|wss?://[^\\s/?#]+.*)$' },
  'tab-name': { pattern: '^(?!_)(?=.*\\S)' },
  'header-name': { pattern: "^(|none|[!#$%&'*+.^_`|~0-9A-Za-z-]+)$" },
  'json-pointer': { pattern: '^(|/.*)$' },
}

type Node = Record<string, unknown>

/** Objects of the format are closed (a typo is flagged), and an empty `required` says nothing. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy)
  if (typeof node !== 'object' || node === null) return node
  const out: Node = {}
  for (const [key, value] of Object.entries(node)) out[key] = tidy(value)
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) out.additionalProperties = false
  return out
}

export function buildJsonSchema(): Node {
  const generated = toJsonSchema(settingsSchema, {
    target: 'draft-07',
    // Checks JSON Schema cannot express (valid regular expression, known charset) stay the phone's.
    errorMode: 'ignore',
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type !== 'check') return undefined
      const code = (valibotAction as { message?: unknown }).message
      if (code === 'lock-path') return { ...jsonSchema, enum: lockablePaths() }
      const check = typeof code === 'string' ? CHECKS[code] : undefined
      return check && { ...jsonSchema, ...check }
    },
  })
  const { $schema, ...rest } = tidy(generated) as Node
  return {
    $schema,
    title: 'Tsunagu settings',
    description: 'Provisioning, export and import format of the Tsunagu softphone. Every key is optional; what a document leaves out keeps its saved or default value.',
    ...rest,
  }
}

export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`
}

export function deployJsonSchemaText(): string {
  const generated = toJsonSchema(deploymentSchema, {
    target: 'draft-07',
    errorMode: 'ignore',
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type !== 'check' || (valibotAction as { message?: unknown }).message !== ORIGIN_MESSAGE) return undefined
      return { ...jsonSchema, pattern: '^https?://[^/?#\\s]+/?$' }
    },
  })
  const { $schema, ...rest } = tidy(generated) as Node
  // A JWK has more members (y, use, kid…): only the deployment's own objects are closed.
  const keys = (((rest.properties as Node).provisioning as Node).properties as Node).publicKeys as { items: { anyOf: Node[] } }
  keys.items.anyOf[1]!.additionalProperties = true
  const schema = {
    $schema,
    title: 'Tsunagu deploy.json',
    description: 'The deployment\'s trust anchor, served next to index.html: who may provision the phone, and whose click-to-dial requests dial without asking.',
    ...rest,
  }
  return `${JSON.stringify(schema, null, 2)}\n`
}
