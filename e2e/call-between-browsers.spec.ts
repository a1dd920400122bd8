import type { Page } from '@playwright/test'
import { dial, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { expect, nextUser, test } from './fixtures'

/** Bytes of audio received on the page's RTCPeerConnection(s), read from getStats(). */
async function audioBytesReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    let total = 0
    for (const pc of pcs) {
      const stats = await pc.getStats()
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0
      })
    }
    return total
  })
}

test('two browsers call each other through Kamailio with audio both ways', async ({ phones }) => {
  const a = await phones({ user: nextUser() })
  const b = await phones({ user: nextUser() })
  await withInitScripts(a.page, TRACK_PEER_CONNECTIONS)
  await withInitScripts(b.page, TRACK_PEER_CONNECTIONS)
  await expect(a.page.getByTestId('registration-status')).toHaveText(/registered/i)

  await dial(b.page, a.user)

  const popup = a.page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  await expect(popup).toContainText(b.user)
  await expect(popup).toContainText(`Agent ${b.user}`)
  await expect(a.page.getByTestId('call-answer')).toBeVisible()
  await expect(a.page.getByTestId('call-decline')).toBeVisible()

  await a.page.getByTestId('popup-answer').click()
  await expect(popup).toHaveCount(0)
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(b.page.getByTestId('call')).toHaveAttribute('data-state', 'active')

  await expect.poll(() => audioBytesReceived(a.page)).toBeGreaterThan(0)
  await expect.poll(() => audioBytesReceived(b.page)).toBeGreaterThan(0)
  // Each side plays the other's audio in an element attached to the call.
  await expect(a.page.locator('audio[data-testid=remote-audio]')).toHaveCount(1)

  await a.page.getByTestId('call-hangup').click()
  for (const p of [a.page, b.page]) {
    await expect(p.getByTestId('call')).toHaveCount(0)
    await expect(p.getByTestId('idle')).toBeVisible()
  }
  await expect(a.page.locator('audio[data-testid=remote-audio]')).toHaveCount(0)
})

test('the main screen can decline a ringing call with 486', async ({ phones }) => {
  const a = await phones({ user: nextUser() })
  const b = await phones({ user: nextUser() })
  await dial(b.page, a.user)
  await expect(a.page.getByTestId('incoming-popup')).toBeVisible()
  await a.page.getByTestId('call-decline').click()
  await expect(a.page.getByTestId('incoming-popup')).toHaveCount(0)
  await expect(b.page.getByTestId('call')).toHaveCount(0)
  await expect(a.page.getByTestId('idle')).toBeVisible()
})

test('closing the phone tab during a call asks first; after the call it closes without asking', async ({ phones }) => {
  const a = await phones({ user: nextUser() })
  const b = await phones({ user: nextUser() })
  await dial(b.page, a.user)
  await a.page.getByTestId('popup-answer').click()
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  const asked = a.page.waitForEvent('dialog')
  await a.page.close({ runBeforeUnload: true })
  const dialog = await asked
  expect(dialog.type()).toBe('beforeunload')
  await dialog.dismiss()
  // Dismissed: the agent stays, the call goes on.
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await a.page.getByTestId('call-hangup').click()
  await expect(a.page.getByTestId('idle')).toBeVisible()
  let askedAgain = false
  a.page.on('dialog', () => { askedAgain = true })
  const closed = a.page.waitForEvent('close')
  // With runBeforeUnload, close() returns at once; the page is gone when 'close' fires.
  await a.page.close({ runBeforeUnload: true })
  await closed
  expect(askedAgain).toBe(false)
})
