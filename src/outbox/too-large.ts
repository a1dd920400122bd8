/**
 * A recording upload larger than its way to the CRM carries (the helper's message limit, ~47 MB)
 * fails for good: retrying sends the same bytes. The outbox keeps its reason as plain words with
 * the sizes (`upload-too-large: 52.3 MB (limit 47 MB)`); the history view reads them back to
 * tell the agent in their language.
 */
const MB = 1024 * 1024

export function uploadTooLargeReason(bytes: number, limit: number): string {
  return `upload-too-large: ${(bytes / MB).toFixed(1)} MB (limit ${(limit / MB).toFixed(0)} MB)`
}

/** The sizes in an outbox entry's `lastError`, when an upload failed for its size. */
export function readUploadTooLarge(reason: string | undefined): { size: string; limit: string } | undefined {
  const match = /^upload-too-large: ([\d.]+) MB \(limit ([\d.]+) MB\)$/.exec(reason ?? '')
  return match ? { size: match[1]!, limit: match[2]! } : undefined
}
