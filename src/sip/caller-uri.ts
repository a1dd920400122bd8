/**
 * PBXs that follow BIZTEL's convention put raw `#` codes in the From user
 * (`sip:0312345678#A1#B2@pbx`). RFC 3261 does not allow a raw `#` there, and sip.js 0.21.2
 * drops such a message as unparsable, so the phone would never ring. We escape `#` to `%23`
 * inside SIP/SIPS URI user parts of a message's start line and headers before sip.js
 * parses it; sip.js then reports the user with `#` decoded again. Bodies (SDP) are left
 * byte for byte as they are.
 */
export function escapeHashInSipUris(message: string): string {
  if (!message.includes('#')) return message
  const end = message.indexOf('\r\n\r\n')
  const head = end === -1 ? message : message.slice(0, end)
  const rest = end === -1 ? '' : message.slice(end)
  const escaped = head.replace(/(sips?:)([^@\s<>;"]*#[^@\s<>;"]*)@/gi, (_m, scheme: string, user: string) =>
    `${scheme}${user.replaceAll('#', '%23')}@`)
  return escaped + rest
}

/** True for the first INVITE of a dialog (no To tag), as opposed to a re-INVITE. */
export function isInitialInvite(message: string): boolean {
  if (!message.startsWith('INVITE ')) return false
  const to = /^(?:To|t)\s*:(.*)$/im.exec(message)
  return !!to && !/;\s*tag=/i.test(to[1] ?? '')
}
