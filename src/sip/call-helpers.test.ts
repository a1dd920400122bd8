import { describe, expect, it } from 'vitest'
import { dialTargetOf } from './dial-target'
import { dtmfRelayBody, normalizeDtmf } from './dtmf'
import { audioDirection, isHoldOffer } from './sdp-direction'
import { sipfragStatus } from './sipfrag'

describe('dialTargetOf', () => {
  it.each([
    ['1002', '1002'],
    ['tel:03-1234-5678', '0312345678'],
    ['tel%3A0312345678', '0312345678'],
    ['tel:+81-3-1234-5678;phone-context=example.com', '+81312345678'],
    ['０３－１２３４－５６７８', '0312345678'],
    ['(03) 1234.5678', '0312345678'],
    ['sip:1002@pbx.example.com', '1002@pbx.example.com'],
    ['SIP:1002@pbx.example.com;transport=ws', '1002@pbx.example.com'],
    ['sip:1003', '1003'],
    ['*61', '*61'],
  ])('%s → %s', (raw, expected) => {
    expect(dialTargetOf(raw)).toBe(expected)
  })

  it.each([[''], [null], ['tel:'], ['javascript:alert(1)'], ['sip:a b@c'], ['0312345678abc']])('%j is not dialable', (raw) => {
    expect(dialTargetOf(raw)).toBeUndefined()
  })
})

describe('DTMF', () => {
  it('accepts keypad characters and A-D, upper-cased', () => {
    expect(normalizeDtmf('12*#ab')).toBe('12*#AB')
    expect(normalizeDtmf('1x')).toBeUndefined()
    expect(normalizeDtmf('')).toBeUndefined()
  })

  it('writes the application/dtmf-relay body PBXs read', () => {
    expect(dtmfRelayBody('5')).toBe('Signal=5\r\nDuration=120\r\n')
  })
})

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

describe('sipfragStatus', () => {
  it.each([
    ['SIP/2.0 200 OK', 200],
    ['SIP/2.0 100 Trying\r\n', 100],
    ['  SIP/2.0 486 Busy Here', 486],
    ['hello', undefined],
  ])('%j → %s', (body, status) => {
    expect(sipfragStatus(body)).toBe(status)
  })
})
