/**
 * What a recording upload holds, read from its bytes: WebM (Matroska) or Ogg, the codec of its
 * audio track, and its duration. For the CRM stand-in, so a test can check that the phone
 * uploaded a real Opus recording of about the call's length — without any npm package.
 *
 * - WebM: EBML header DocType `webm`; the track's CodecID (`A_OPUS`); duration = the Segment
 *   Info's Duration when present (Chromium's MediaRecorder writes none), else the last block's
 *   time: Cluster Timecode + SimpleBlock/Block relative timecode, scaled by TimecodeScale.
 * - Ogg: pages `OggS`; an `OpusHead` packet names Opus (its pre-skip is subtracted); duration =
 *   the last page's granule position at 48 kHz.
 *
 * @module lab/media-container
 */

/**
 * @typedef {object} MediaInfo
 * @property {'webm' | 'ogg' | 'unknown'} container
 * @property {string} codec       `opus`, or what the file names ('' when none)
 * @property {number | undefined} durationMs
 */

const ID = {
  EBML: 0x1a45dfa3, DocType: 0x4282, Segment: 0x18538067, Info: 0x1549a966, TimecodeScale: 0x2ad7b1, Duration: 0x4489,
  Tracks: 0x1654ae6b, TrackEntry: 0xae, CodecID: 0x86, Cluster: 0x1f43b675, Timecode: 0xe7, SimpleBlock: 0xa3, BlockGroup: 0xa0, Block: 0xa1,
}
/** Containers whose children we read; everything else is skipped by its size. */
const MASTER = new Set([ID.EBML, ID.Segment, ID.Info, ID.Tracks, ID.TrackEntry, ID.Cluster, ID.BlockGroup])

/** A variable-length integer at `at`: its value (marker removed unless `keepMarker`) and length. */
function vint(bytes, at, keepMarker = false) {
  const first = bytes[at]
  if (first === undefined || first === 0) return undefined
  let length = 1
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++
  if (length > 8 || at + length > bytes.length) return undefined
  let value = keepMarker ? first : first & (0xff >> length)
  let allOnes = value === (0xff >> length)
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]
    if (bytes[at + i] !== 0xff) allOnes = false
  }
  return { value, length, unknown: !keepMarker && allOnes }
}

const uint = (bytes, at, size) => {
  let v = 0
  for (let i = 0; i < size; i++) v = v * 256 + bytes[at + i]
  return v
}

function float(bytes, at, size) {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, size)
  return size === 4 ? view.getFloat32(0) : view.getFloat64(0)
}

/** @param {Uint8Array} bytes @returns {MediaInfo} */
function readWebm(bytes) {
  let docType = ''
  let codec = ''
  let scale = 1_000_000
  let declared
  let cluster = 0
  let last
  const walk = (start, end) => {
    let at = start
    while (at < end) {
      const id = vint(bytes, at, true)
      if (!id) return
      const size = vint(bytes, at + id.length)
      if (!size) return
      const body = at + id.length + size.length
      const stop = size.unknown ? end : Math.min(end, body + size.value)
      if (MASTER.has(id.value)) walk(body, stop)
      else if (id.value === ID.DocType) docType = new TextDecoder().decode(bytes.subarray(body, stop))
      else if (id.value === ID.CodecID) codec ||= new TextDecoder().decode(bytes.subarray(body, stop))
      else if (id.value === ID.TimecodeScale) scale = uint(bytes, body, stop - body)
      else if (id.value === ID.Duration) declared = float(bytes, body, stop - body)
      else if (id.value === ID.Timecode) cluster = uint(bytes, body, stop - body)
      else if (id.value === ID.SimpleBlock || id.value === ID.Block) {
        const track = vint(bytes, body)
        if (track) {
          const relative = new DataView(bytes.buffer, bytes.byteOffset + body + track.length, 2).getInt16(0)
          last = Math.max(last ?? 0, cluster + relative)
        }
      }
      at = stop
    }
  }
  walk(0, bytes.length)
  const toMs = (ticks) => (ticks * scale) / 1_000_000
  const durationMs = declared !== undefined ? toMs(declared) : last !== undefined ? toMs(last) : undefined
  return { container: docType === 'webm' || docType === 'matroska' ? 'webm' : 'unknown', codec: codec === 'A_OPUS' ? 'opus' : codec, durationMs }
}

/** @param {Uint8Array} bytes @returns {MediaInfo} */
function readOgg(bytes) {
  let at = 0
  let codec = ''
  let preSkip = 0
  let granule
  while (at + 27 <= bytes.length && bytes[at] === 0x4f && bytes[at + 1] === 0x67 && bytes[at + 2] === 0x67 && bytes[at + 3] === 0x53) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at)
    const position = Number(view.getBigInt64(6, true))
    const segments = bytes[at + 26]
    let size = 0
    for (let i = 0; i < segments; i++) size += bytes[at + 27 + i]
    const body = at + 27 + segments
    const head = new TextDecoder().decode(bytes.subarray(body, body + 8))
    if (head === 'OpusHead') {
      codec = 'opus'
      preSkip = new DataView(bytes.buffer, bytes.byteOffset + body + 10, 2).getUint16(0, true)
    }
    if (position >= 0) granule = position
    at = body + size
  }
  const durationMs = codec === 'opus' && granule !== undefined ? (Math.max(0, granule - preSkip) / 48_000) * 1000 : undefined
  return { container: 'ogg', codec, durationMs }
}

/** @param {Uint8Array} bytes @returns {MediaInfo} */
export function readMediaInfo(bytes) {
  if (bytes.length >= 4 && uint(bytes, 0, 4) === ID.EBML) return readWebm(bytes)
  if (bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === 'OggS') return readOgg(bytes)
  return { container: 'unknown', codec: '', durationMs: undefined }
}
