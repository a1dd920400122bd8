import type { ClickToDial } from '../ports'

/**
 * `tel:` and `sip:` are on the browsers' allow-list of schemes a site may handle without the
 * `web+` prefix. The handler URL must be on the phone's own origin; Chrome puts the whole
 * link (`tel:0312345678`) in place of `%s`, percent-encoded.
 */
export function browserClickToDial(): ClickToDial {
  return {
    registerHandlers() {
      if (typeof navigator.registerProtocolHandler !== 'function') return false
      const url = `${location.origin}${location.pathname}?dial=%s`
      try {
        navigator.registerProtocolHandler('tel', url)
        navigator.registerProtocolHandler('sip', url)
        return true
      } catch (error) {
        // Insecure origin or a browser policy: click-to-dial through `?dial=` links still works.
        console.warn('could not register as tel:/sip: handler', error)
        return false
      }
    },
    forgetDialParameter() {
      const url = new URL(location.href)
      if (!url.searchParams.has('dial')) return
      url.searchParams.delete('dial')
      history.replaceState(history.state, '', url)
    },
  }
}
