import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startKamailio } from '../lab/kamailio.mjs'
import { makeSelfSignedCert } from '../lab/tls.mjs'
import { expect, nextUser, test } from './fixtures'

test('registers over wss:// to Kamailio\'s TLS module with a self-signed certificate', async ({ phones }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-tls-'))
  const kamailio = await startKamailio({ tls: await makeSelfSignedCert(dir) })
  try {
    expect(kamailio.wssUrl).toMatch(/^wss:\/\//)
    const user = nextUser()
    const { page } = await phones({ user, server: kamailio.wssUrl, contextOptions: { ignoreHTTPSErrors: true } })
    await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    await expect.poll(() => kamailio.locations()).toContain(`AoR: ${user}`)
  } finally {
    await kamailio.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
