/**
 * Which charsets an access may name (docs/cti-integration.md §6): the labels the platform's
 * TextDecoder knows. A module of its own because the settings check needs it at start, while the
 * encoders and decoders of `charset.ts` belong to the engine, a lazy chunk.
 */

/** The canonical TextDecoder name of a charset label (`sjis` → `shift_jis`), or undefined. */
export function canonicalCharset(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding
  } catch {
    return undefined
  }
}

export function isKnownCharset(label: string): boolean {
  return canonicalCharset(label) !== undefined
}
