import { describe, expect, it } from 'vitest'
import { adoptUnsentTrack } from './unsent-track'

function transceiver(mid: string | null, track: { kind: string } | null) {
  const t = {
    mid,
    currentDirection: mid === null ? null : 'recvonly',
    stopped: false,
    sender: { track, replaceTrack: async (next: { kind: string } | null) => { t.sender.track = next } },
    receiver: { track: { kind: 'audio' } },
    stop: () => { t.stopped = true },
  }
  return t
}

describe('a leg answered to a sendonly offer gets our microphone onto its negotiated transceiver', () => {
  it('moves the track from the never-negotiated transceiver to the offered one and stops the first', async () => {
    const mic = { kind: 'audio' }
    const added = transceiver(null, mic)
    const offered = transceiver('0', null)
    expect(await adoptUnsentTrack({ getTransceivers: () => [added, offered] } as never)).toBe(true)
    expect(offered.sender.track).toBe(mic)
    expect(added.sender.track).toBeNull()
    expect(added.stopped).toBe(true)
  })

  it('a leg whose track was negotiated (a sendrecv offer) is left alone', async () => {
    const normal = transceiver('0', { kind: 'audio' })
    expect(await adoptUnsentTrack({ getTransceivers: () => [normal] } as never)).toBe(false)
    expect(await adoptUnsentTrack(undefined)).toBe(false)
  })
})
