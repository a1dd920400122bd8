import { describe, expect, it } from 'vitest'
import { readMediaInfo } from './media-container.mjs'

/** An EBML element: id bytes, a size vint, the body. */
const el = (id, body) => {
  const size = body.length
  const sizeBytes = size < 0x7f ? [0x80 | size] : [0x40 | (size >> 8), size & 0xff]
  return [...id, ...sizeBytes, ...body]
}
const text = (s) => [...new TextEncoder().encode(s)]
const u = (n, bytes) => Array.from({ length: bytes }, (_, i) => (n >> (8 * (bytes - 1 - i))) & 0xff)
const simpleBlock = (relative) => el([0xa3], [0x81, ...u(relative & 0xffff, 2), 0x80, 0xfc, 0xff, 0xfe])
const cluster = (timecode, relatives, unknownSize = false) => {
  const body = [...el([0xe7], u(timecode, 4)), ...relatives.flatMap(simpleBlock)]
  // Chromium's MediaRecorder writes clusters of unknown size (all ones).
  return unknownSize ? [0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...body] : el([0x1f, 0x43, 0xb6, 0x75], body)
}
function webm({ codec = 'A_OPUS', clusters, docType = 'webm' }) {
  const header = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], text(docType)))
  const info = el([0x15, 0x49, 0xa9, 0x66], el([0x2a, 0xd7, 0xb1], u(1_000_000, 3)))
  const tracks = el([0x16, 0x54, 0xae, 0x6b], el([0xae], el([0x86], text(codec))))
  const segmentBody = [...info, ...tracks, ...clusters.flat()]
  // Segment of unknown size, as a live recorder writes it.
  return new Uint8Array([...header, 0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...segmentBody])
}

function oggPage(granule, packet) {
  const header = new Uint8Array(27 + 1)
  header.set(text('OggS'), 0)
  new DataView(header.buffer).setBigInt64(6, BigInt(granule), true)
  header[26] = 1
  header[27] = packet.length
  return [...header, ...packet]
}
const opusHead = (preSkip) => [...text('OpusHead'), 1, 1, preSkip & 0xff, preSkip >> 8, 0x80, 0xbb, 0, 0, 0, 0, 0]

describe('readMediaInfo: what a recording upload is', () => {
  it('a WebM Opus recording without a declared duration: the last block\'s time', () => {
    const file = webm({ clusters: [cluster(0, [0, 20, 40]), cluster(5_000, [0, 20, 3_980], true)] })
    expect(readMediaInfo(file)).toEqual({ container: 'webm', codec: 'opus', durationMs: 8_980 })
  })

  it('a WebM with another codec says so', () => {
    expect(readMediaInfo(webm({ codec: 'A_VORBIS', clusters: [cluster(0, [0])] }))).toMatchObject({ container: 'webm', codec: 'A_VORBIS' })
  })

  it('an Ogg Opus recording: the last granule position at 48 kHz, minus the pre-skip', () => {
    const file = new Uint8Array([...oggPage(0, opusHead(312)), ...oggPage(0, text('OpusTags')), ...oggPage(48_000 * 6 + 312, [1, 2, 3])])
    expect(readMediaInfo(file)).toEqual({ container: 'ogg', codec: 'opus', durationMs: 6_000 })
  })

  it('anything else is unknown', () => {
    expect(readMediaInfo(new TextEncoder().encode('RIFF....WAVE'))).toEqual({ container: 'unknown', codec: '', durationMs: undefined })
    expect(readMediaInfo(new Uint8Array())).toEqual({ container: 'unknown', codec: '', durationMs: undefined })
  })
})
