import { describe, expect, it } from 'vitest'
import { audioDirection, isHoldOffer } from './sdp-direction'

describe('audioDirection', () => {
  const sdp = (session: string, audio: string) => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', session, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', audio, 'a=rtpmap:111 opus/48000/2', ''].filter(Boolean).join('\r\n')

  it.each([
    [sdp('', 'a=sendonly'), 'sendonly', true],
    [sdp('', 'a=inactive'), 'inactive', true],
    [sdp('', 'a=recvonly'), 'recvonly', false],
    [sdp('', 'a=sendrecv'), 'sendrecv', false],
    [sdp('a=sendonly', ''), 'sendonly', true],
    [sdp('a=sendonly', 'a=sendrecv'), 'sendrecv', false],
    [sdp('', ''), 'sendrecv', false],
  ])('%#: %s', (body, direction, hold) => {
    expect(audioDirection(body)).toBe(direction)
    expect(isHoldOffer(body)).toBe(hold)
  })
})
