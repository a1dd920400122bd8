/** Types of `demo-provisioning.mjs` for the TypeScript tests that check it. */
export function demoProvisioning(lab: {
  wsUrl: string
  domain: string
  crmUrl: string
  user?: string
  agent?: { id: string; password: string }
}): Record<string, unknown> & { cti: { accesses: Record<string, { method: string; url: string }> } }
