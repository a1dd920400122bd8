import { describe, expect, it } from 'vitest'
import { demoProvisioning } from '../../lab/demo-provisioning.mjs'
import { parseSettings } from './settings'

describe('the demo provisioning (npm start)', () => {
  it('is valid, strictly, and sends every call\'s record to the demo CRM\'s list (history access)', () => {
    const doc = demoProvisioning({ wsUrl: 'ws://127.0.0.1:8088', domain: '127.0.0.1', crmUrl: 'http://127.0.0.1:8090' })
    const result = parseSettings(doc, undefined, true)
    expect(result.ok && result.warnings).toEqual([])
    expect(doc.cti.accesses.history).toMatchObject({ method: 'post-internal' })
    expect(doc.cti.accesses.history?.url).toMatch(/^http:\/\/127\.0\.0\.1:8090\/calls\?id=\{ID\}&.*result=\{RESULT\}/)
  })

  it('records every answered call and uploads it to the demo CRM\'s recordings (recording access)', () => {
    const doc = demoProvisioning({ wsUrl: 'ws://127.0.0.1:8088', domain: '127.0.0.1', crmUrl: 'http://127.0.0.1:8090' })
    expect(doc.recording).toMatchObject({ mode: 'auto' })
    expect(doc.cti.accesses.recording).toEqual(expect.objectContaining({ method: 'post-internal', url: 'http://127.0.0.1:8090/recordings?id={ID}', field: 'file' }))
  })
})
