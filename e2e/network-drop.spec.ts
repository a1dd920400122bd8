import type { Page } from '@playwright/test'
import { startCuttableProxy } from '../lab/cuttable-proxy.mjs'
import { dial, TRACK_PEER_CONNECTIONS, withInitScripts } from './call-helpers'
import { expect, nextUser, test } from './fixtures'

/**
 * Network changes keep the call (issue 11 item 3). The agent's phone reaches Kamailio through a
 * TCP proxy the test cuts (RST, no goodbye) and keeps refusing for a while, as a network that is
 * gone; the other party's phone is connected directly. Media flows browser to browser over loopback.
 */

/** Audio bytes the page received on its newest live peer connection. */
async function bytesReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    const pc = pcs.filter((p) => p.connectionState !== 'closed').at(-1)
    if (!pc) return 0
    let bytes = 0
    ;(await pc.getStats()).forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += s.bytesReceived ?? 0
    })
    return bytes
  })
}

/** The ICE user fragment of the newest live peer connection's local and remote descriptions. */
async function iceUfrags(page: Page): Promise<{ local?: string; remote?: string }> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __tsunaguPeerConnections?: RTCPeerConnection[] }).__tsunaguPeerConnections ?? []
    const pc = pcs.filter((p) => p.connectionState !== 'closed').at(-1)
    const ufrag = (sdp?: string) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1]
    return { local: ufrag(pc?.localDescription?.sdp), remote: ufrag(pc?.remoteDescription?.sdp) }
  })
}

for (const direction of ['incoming', 'outgoing'] as const) {
  test(`the WebSocket cut during an ${direction} call: the card shows reconnecting, the line re-registers, an ICE restart keeps two-way audio, and the call ends normally`, async ({ phones, lab }) => {
    const proxy = await startCuttableProxy({ targetPort: lab.kamailio.wsPort })
    try {
      const agent = await phones({ user: nextUser(), server: proxy.url })
      const other = await phones({ user: nextUser() })
      await withInitScripts(agent.page, TRACK_PEER_CONNECTIONS)
      await withInitScripts(other.page, TRACK_PEER_CONNECTIONS)

      if (direction === 'incoming') {
        await dial(other.page, agent.user)
        await agent.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
      } else {
        await dial(agent.page, other.user)
        await other.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
      }
      const agentCall = agent.page.getByTestId('call')
      await expect(agentCall).toHaveAttribute('data-state', 'active')
      await expect(other.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
      await expect.poll(() => bytesReceived(agent.page)).toBeGreaterThan(0)
      await expect.poll(() => bytesReceived(other.page)).toBeGreaterThan(0)
      const before = await iceUfrags(agent.page)

      const connections = proxy.connections()
      expect(proxy.cut()).toBe(1)
      await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'reconnecting')
      await expect(agentCall).toHaveAttribute('data-reconnecting', 'true')
      await expect(agentCall.getByTestId('call-reconnecting')).toBeVisible()
      await expect(agentCall).toHaveAttribute('data-state', 'active')

      proxy.restore()
      await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
      await expect(agentCall).toHaveAttribute('data-reconnecting', 'false')
      await expect(agentCall.getByTestId('call-reconnecting')).toHaveCount(0)
      expect(proxy.connections()).toBe(connections + 1)
      // The re-INVITE restarted ICE: new credentials on both ends of the media.
      const after = await iceUfrags(agent.page)
      expect(after.local).not.toBe(before.local)
      expect(after.remote).not.toBe(before.remote)
      expect((await iceUfrags(other.page)).remote).toBe(after.local)

      // Two-way audio after the reconnect: both ends keep receiving.
      const agentBytes = await bytesReceived(agent.page)
      const otherBytes = await bytesReceived(other.page)
      await expect.poll(() => bytesReceived(agent.page)).toBeGreaterThan(agentBytes + 2000)
      await expect.poll(() => bytesReceived(other.page)).toBeGreaterThan(otherBytes + 2000)

      // The other party's BYE reaches the agent over the new connection (the re-INVITE's Contact
      // refreshed its target, and Kamailio routes it by that connection's alias).
      await other.page.getByTestId('call-hangup').click()
      await expect(agent.page.getByTestId('idle')).toBeVisible()
      await expect(other.page.getByTestId('idle')).toBeVisible()
    } finally {
      await proxy.stop()
    }
  })
}
