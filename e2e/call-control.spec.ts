import { runSipp } from '../lab/sipp.mjs'
import { audioDirections, dial, RECORD_DTMF_TONES, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { expect, nextUser, test, type Phone } from './fixtures'

/**
 * Call control against the real lab: two or three Tsunagu pages and sipp callers through
 * Kamailio. What the *other* party sees is asserted (its SDP direction, the SIP messages it
 * received), not just our buttons.
 */

/** b calls a; a answers from the popup; both talk. */
async function connect(a: Phone, b: Phone): Promise<void> {
  await dial(b.page, a.user)
  await a.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(b.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
}

test('hold and resume are seen by the other browser (re-INVITE sendonly, then sendrecv); mute silences the microphone', async ({ phones }) => {
  const a = await phones({ user: nextUser() })
  const b = await phones({ user: nextUser() })
  await withInitScripts(a.page, TRACK_PEER_CONNECTIONS)
  await withInitScripts(b.page, TRACK_PEER_CONNECTIONS)
  await connect(a, b)
  await expect.poll(() => audioDirections(b.page)).toEqual(['sendrecv'])

  await a.page.getByTestId('hold').click()
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-held', 'true')
  // The other side answered our sendonly offer with recvonly: it hears nothing from us and sends nothing.
  await expect.poll(() => audioDirections(b.page)).toEqual(['recvonly'])
  await expect.poll(() => audioDirections(a.page)).toEqual(['sendonly'])
  await expect(b.page.getByTestId('remote-held')).toBeVisible()
  await expect(a.page.getByTestId('call-timer')).toBeVisible()

  await a.page.getByTestId('hold').click()
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-held', 'false')
  await expect.poll(() => audioDirections(b.page)).toEqual(['sendrecv'])
  await expect(b.page.getByTestId('remote-held')).toHaveCount(0)

  await a.page.getByTestId('mute').click()
  await expect(a.page.getByTestId('call')).toHaveAttribute('data-muted', 'true')
  const trackEnabled = () => a.page.evaluate(() => {
    const pcs = (window as unknown as { __tsunaguPeerConnections: RTCPeerConnection[] }).__tsunaguPeerConnections
    return pcs.filter((pc) => pc.connectionState !== 'closed').flatMap((pc) => pc.getSenders().map((s) => s.track?.enabled))
  })
  expect(await trackEnabled()).toEqual([false])
  await a.page.getByTestId('mute').click()
  expect(await trackEnabled()).toEqual([true])

  await a.page.getByTestId('call-hangup').click()
  await expect(b.page.getByTestId('idle')).toBeVisible()
})

test('DTMF between browsers goes out as RFC 4733 telephone-events', async ({ phones }) => {
  const a = await phones({ user: nextUser() })
  const b = await phones({ user: nextUser() })
  await withInitScripts(b.page, TRACK_PEER_CONNECTIONS, RECORD_DTMF_TONES)
  await connect(a, b)
  // Both browsers offer telephone-event: it is in the negotiated SDP.
  const negotiated = await b.page.evaluate(() => {
    const pc = (window as unknown as { __tsunaguPeerConnections: RTCPeerConnection[] }).__tsunaguPeerConnections.at(-1)!
    return /telephone-event/.test(pc.remoteDescription?.sdp ?? '') && /telephone-event/.test(pc.localDescription?.sdp ?? '')
  })
  expect(negotiated).toBe(true)

  await b.page.getByTestId('dtmf-pad').click()
  for (const key of ['1', '2', '3', '#']) await b.page.locator(`[data-testid=dtmf-key][data-key="${key}"]`).click()
  await expect(b.page.getByTestId('dtmf-sent')).toHaveAttribute('data-method', 'rfc4733')
  await expect(b.page.getByTestId('dtmf-sent')).toContainText('123#')
  // The sender really played the tones (tonechange fires as each one goes out).
  await expect.poll(() => b.page.evaluate(() => (window as unknown as { __dtmfTones: string[] }).__dtmfTones.join(''))).toBe('123#')
  await b.page.getByTestId('call-hangup').click()
  await expect(a.page.getByTestId('idle')).toBeVisible()
})

test('DTMF falls back to SIP INFO when the other side did not offer telephone-event (PBX via sipp)', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  // The lab caller's SDP offers opus and PCMU only: no telephone-event.
  const sipp = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'IVR' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await page.getByTestId('dtmf-pad').click()
  for (const key of ['4', '2', '*']) await page.locator(`[data-testid=dtmf-key][data-key="${key}"]`).click()
  await expect(page.getByTestId('dtmf-sent')).toContainText('42*')
  await expect(page.getByTestId('dtmf-sent')).toHaveAttribute('data-method', 'info')
  await page.getByTestId('call-hangup').click()
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
  // The PBX received one INFO per digit, in order, as application/dtmf-relay.
  const signals = [...result.messages.matchAll(/^Signal=(\S)/gm)].map((m) => m[1])
  expect(signals).toEqual(['4', '2', '*'])
  expect(result.messages).toMatch(/^Content-Type: application\/dtmf-relay/im)
})

test('blind transfer: the agent REFERs the caller, who is connected to a third registered page', async ({ phones }) => {
  const agent = await phones({ user: nextUser() })
  const caller = await phones({ user: nextUser() })
  const target = await phones({ user: nextUser() })
  await connect(agent, caller)

  await agent.page.getByTestId('transfer').click()
  await agent.page.getByTestId('transfer-target').locator('input').fill(target.user)
  await agent.page.getByTestId('transfer-blind').click()

  // The caller's phone accepts the REFER and calls the target by itself.
  const popup = target.page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-number')).toHaveText(caller.user)
  await popup.getByTestId('popup-answer').click()
  await expect(target.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(caller.page.getByTestId('call')).toHaveCount(1)
  await expect(caller.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(caller.page.getByTestId('call')).toContainText(target.user)
  await expect(caller.page.getByTestId('phone-notice')).toHaveAttribute('data-kind', 'referred')
  // The agent's leg ended once the target answered.
  await expect(agent.page.getByTestId('idle')).toBeVisible()

  await target.page.getByTestId('call-hangup').click()
  await expect(caller.page.getByTestId('idle')).toBeVisible()
})

test('attended transfer: the agent consults the target, then connects caller and target (REFER with Replaces)', async ({ phones }) => {
  const agent = await phones({ user: nextUser() })
  const caller = await phones({ user: nextUser() })
  const target = await phones({ user: nextUser() })
  await connect(agent, caller)

  await agent.page.getByTestId('transfer').click()
  await agent.page.getByTestId('transfer-target').locator('input').fill(target.user)
  await agent.page.getByTestId('transfer-consult').click()
  // The caller waits on hold while the agent talks to the target.
  await expect(agent.page.getByTestId('call').first()).toHaveAttribute('data-held', 'true')
  await target.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(agent.page.getByTestId('consulting')).toBeVisible()
  await agent.page.getByTestId('transfer-complete').click()

  // The caller's new call replaces the target's call with the agent: no second ringing there.
  await expect(agent.page.getByTestId('idle')).toBeVisible()
  await expect(caller.page.getByTestId('call')).toHaveCount(1)
  await expect(caller.page.getByTestId('call')).toContainText(target.user)
  await expect(caller.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect(target.page.getByTestId('call')).toHaveCount(1)
  await expect(target.page.getByTestId('call')).toContainText(caller.user)
  await expect(target.page.getByTestId('incoming-popup')).toHaveCount(0)

  await caller.page.getByTestId('call-hangup').click()
  await expect(target.page.getByTestId('idle')).toBeVisible()
})

test('call waiting: a second caller pops up while talking; answering it puts the first on hold', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  const first = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')

  const second = await runSipp({ scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0663334444', fromName: 'Sato' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup).toHaveCount(1)
  await expect(popup.getByTestId('popup-number')).toHaveText('0663334444')
  const secondId = await popup.getAttribute('data-call-id')
  await expect(page.locator(`[data-testid=call][data-call-id="${secondId}"]`)).toContainText('Call waiting')
  await popup.getByTestId('popup-answer').click()

  const calls = page.getByTestId('call')
  await expect(calls).toHaveCount(2)
  await expect(calls.nth(0)).toHaveAttribute('data-held', 'true')
  await expect(calls.nth(1)).toHaveAttribute('data-state', 'active')
  await expect(calls.nth(1)).toHaveAttribute('data-held', 'false')

  // Hang up both (the held one first, from its own controls).
  await page.getByTestId('call-hangup').nth(0).click()
  await expect(calls).toHaveCount(1)
  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  const [r1, r2] = await Promise.all([first.done, second.done])
  expect(r1.code, r1.errors).toBe(0)
  expect(r2.code, r2.errors).toBe(0)
  // The first caller received a re-INVITE putting it on hold.
  expect(r1.messages).toMatch(/^INVITE sip:[\s\S]*?^a=sendonly/m)
})

test('do not disturb turns a caller away with 486 and nothing rings or pops', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user })
  await page.getByTestId('dnd-toggle').click()
  await expect(page.getByTestId('dnd-active')).toBeVisible()
  const sipp = await runSipp({ scenario: 'declined', udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  const result = await sipp.done
  expect(result.code, result.errors).toBe(0)
  expect(result.messages).toMatch(/SIP\/2\.0 486/)
  expect(result.messages).not.toMatch(/SIP\/2\.0 180/)
  await expect(page.getByTestId('incoming-popup')).toHaveCount(0)
  await expect(page.getByTestId('idle')).toBeVisible()
  // The choice survives a reload.
  await page.reload()
  await expect(page.getByTestId('dnd-toggle')).toHaveAttribute('aria-pressed', 'true')
})
