import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, securityHeaders } from './security-headers.mjs'

describe('security headers', () => {
  it('the README nginx snippet sends exactly the policy the lab server sends, for its PBX and CRM', () => {
    const readme = readFileSync('README.md', 'utf8')
    const header = (name) => new RegExp(`add_header ${name} "([^"]+)" always;`).exec(readme)?.[1]
    const headers = securityHeaders({ connect: ['wss://pbx.example.com:8089', 'https://crm.example.com'] })
    for (const [name, value] of Object.entries(headers)) expect(header(name), name).toBe(value)
  })

  it('is strict where it matters and lists the PBX and CRMs IT gives', () => {
    const csp = contentSecurityPolicy({ connect: ['wss://pbx.example.com', 'https://crm.example.com'] })
    const directive = (name) => csp.split('; ').find((d) => d.startsWith(`${name} `))
    expect(directive('script-src')).toBe("script-src 'self'")
    expect(directive('connect-src')).toBe("connect-src 'self' wss://pbx.example.com https://crm.example.com")
    expect(directive('form-action')).toBe('form-action https://crm.example.com')
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(directive('object-src')).toBe("object-src 'none'")
    expect(contentSecurityPolicy({ frameAncestors: ['https://crm.example.com'] })).toContain('frame-ancestors https://crm.example.com')
  })
})
