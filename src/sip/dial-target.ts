/**
 * What to dial from a click-to-dial request: `?dial=` on the phone's URL, which a CRM link
 * or the registered `tel:`/`sip:` protocol handler fills with e.g. `tel:03-1234-5678`,
 * `tel:+81312345678;phone-context=…` or `sip:1002@pbx.example.com`.
 *
 * Phone numbers lose their visual separators (`-`, spaces, dots, parentheses) and URI
 * parameters; SIP addresses keep user@host. Undefined when nothing dialable is left.
 */
export function dialTargetOf(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined
  // NFKC turns full-width digits and hyphens (０３－１２３４, common in Japanese CRMs) into ASCII.
  let value = raw.normalize('NFKC').trim()
  try {
    value = decodeURIComponent(value)
  } catch {
    // Not percent-encoded after all: use it as it is.
  }
  const sip = /^sips?:(.+)$/i.exec(value)
  if (sip) {
    const address = (sip[1] ?? '').split(/[;?]/)[0]?.trim() ?? ''
    return /^[^@\s]+(@[^@\s]+)?$/.test(address) ? address : undefined
  }
  const number = value.replace(/^tel:/i, '').split(/[;?]/)[0] ?? ''
  const compact = number.replace(/[\s\-.()\u2010-\u2015\u30fc]/g, '')
  return /^\+?[0-9*#]+$/.test(compact) ? compact : undefined
}
