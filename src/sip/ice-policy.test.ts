import { describe, expect, it } from 'vitest'
import { isSufficientCandidate } from './ice-policy'

describe('isSufficientCandidate', () => {
  it.each([
    ['candidate:1 1 udp 2122194687 192.0.2.2 60824 typ host generation 0', false, true],
    ['candidate:2 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active', false, false],
    ['candidate:1 1 udp 2122194687 192.0.2.2 60824 typ host', true, false],
    ['candidate:3 1 udp 1686052607 203.0.113.5 40000 typ srflx raddr 192.0.2.2 rport 60824', true, true],
    ['candidate:4 1 udp 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.5 rport 40000', true, true],
    ['a=candidate:3 1 UDP 1686052607 203.0.113.5 40000 typ srflx', true, true],
    ['', false, false],
  ])('%s (ice servers: %s) → %s', (candidate, servers, expected) => {
    expect(isSufficientCandidate(candidate, servers)).toBe(expected)
  })
})
