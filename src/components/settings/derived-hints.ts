/**
 * `{SVADDR}`'s default as the engine derives it (origin of sip.server, ws→http, wss→https),
 * shown as a hint without loading the engine for it.
 */
export function deriveServerAddressHint(sipServer: string): string {
  const match = /^(wss?|https?):\/\/([^/?#\s]+)/i.exec(sipServer.trim())
  if (!match) return '—'
  const scheme = match[1]!.toLowerCase()
  return `${scheme === 'ws' ? 'http' : scheme === 'wss' ? 'https' : scheme}://${match[2]!}`
}
