import { describe, expect, it } from 'vitest'
import { sendResultOf } from './cti-delivery'

describe('sendResultOf: what the outbox does with a CRM access\'s answer', () => {
  it('a 2xx is delivered (never sent again)', () => {
    expect(sendResultOf({ ok: true, status: 204, values: {}, missing: [] })).toEqual({ ok: true, status: 204 })
  })

  it.each([500, 502, 503, 408, 429, 401])('HTTP %i is retried later', (status) => {
    expect(sendResultOf({ ok: false, reason: 'http-error', status })).toMatchObject({ ok: false, retryable: true, status })
  })

  it.each([400, 404, 422])('HTTP %i fails for good (the CRM refuses the request itself)', (status) => {
    expect(sendResultOf({ ok: false, reason: 'http-error', status })).toMatchObject({ ok: false, retryable: false, status })
  })

  it.each(['timeout', 'network', 'blocked', 'helper-not-installed', 'aborted', 'disposed'] as const)('%s is retried later', (reason) => {
    expect(sendResultOf({ ok: false, reason })).toMatchObject({ ok: false, retryable: true, reason })
  })

  it('an access that is no longer configured is not retried', () => {
    expect(sendResultOf({ ok: false, reason: 'not-configured' })).toEqual({ ok: false, retryable: false, reason: 'not-configured' })
  })
})
