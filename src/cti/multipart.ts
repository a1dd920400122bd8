/**
 * The body of the `recording` access (録音ファイル連携, docs/cti-integration.md §8):
 * `multipart/form-data` (RFC 7578) with the extra fields first, in the order configured, then
 * the file. Pure: bytes in, bytes out (the engine runs without the DOM, so no `FormData`).
 *
 * Field names and the file name are written as quoted strings; `"`, CR and LF in them are
 * percent-encoded as browsers do (WHATWG "multipart/form-data encoding algorithm"), so a value
 * from a hostile caller ID can never start a part of its own. Values are UTF-8.
 */

export interface UploadFile {
  /** The form field that carries the file (`cti.accesses.recording.field`, default `file`). */
  readonly field: string
  /** File name given to the CRM, e.g. `12345678901234567890.webm`. */
  readonly filename: string
  /** `audio/webm;codecs=opus` */
  readonly contentType: string
  readonly bytes: Uint8Array
}

export interface MultipartBody {
  readonly body: Uint8Array<ArrayBuffer>
  /** `multipart/form-data; boundary=…` */
  readonly contentType: string
}

const escapeName = (name: string): string => name.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')

/**
 * The body. The boundary is `----TsunaguBoundary` and random digits (the engine's random port):
 * 24 random digits make a collision with the audio's bytes practically impossible.
 */
export function multipartBody(fields: readonly (readonly [string, string])[], file: UploadFile, boundaryDigits: string): MultipartBody {
  const encoder = new TextEncoder()
  const boundary = `----TsunaguBoundary${boundaryDigits}`
  const parts: Uint8Array[] = []
  for (const [name, value] of fields) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value.replace(/\r?\n|\r/g, '\r\n')}\r\n`))
  }
  parts.push(encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(file.field)}"; filename="${escapeName(file.filename)}"\r\n` +
      `Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
  ))
  parts.push(file.bytes)
  parts.push(encoder.encode(`\r\n--${boundary}--\r\n`))
  const body = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    body.set(part, at)
    at += part.length
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}

/** What the CTI log shows of an upload: the fields (masked by the runner) and the file's size, never its bytes. */
export function multipartLabel(fields: readonly (readonly [string, string])[], file: UploadFile): string {
  return [...fields.map(([name, value]) => `${name}=${value}`), `${file.field}=@${file.filename} (${file.contentType}, ${file.bytes.length} bytes)`].join('; ')
}
