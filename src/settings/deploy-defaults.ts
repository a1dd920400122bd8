import type { Deployment } from './deploy'

/**
 * deploy.json's defaults (absent or unreadable file): the strictest policy. Apart from
 * `./deploy.ts` (its schema and loader), which the settings store loads only at start.
 */
export function defaultDeployment(): Deployment {
  return { provisioning: { origins: [], hashConfig: 'off', publicKeys: [] }, dial: { trustedOrigins: [] } }
}
