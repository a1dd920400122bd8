import type { CtiPorts, HttpResponse, TabResult } from '@/cti'

/**
 * The CTI engine's effects in a browser: `fetch`, the named CRM tab, a hidden form, timers
 * and crypto. The native-messaging helper (`runCommand`, `helperHttp`) is absent here, which
 * the engine reports as "helper not installed".
 *
 * The CRM tab keeps its opener. Chromium finds a named tab again only through that relation:
 * with `w.opener = null` (measured with Chromium 156) every access opened a new tab instead of
 * reusing the one CRM tab. The README tells IT to configure only CRMs they trust.
 */
export function browserCtiPorts(): CtiPorts {
  return {
    async http({ method, url, body, headers, credentials, signal }): Promise<HttpResponse> {
      const response = await fetch(url, {
        method,
        body,
        headers: headers as Record<string, string> | undefined,
        credentials,
        signal: signal as AbortSignal,
        cache: 'no-store',
        redirect: 'follow',
      })
      const out: Record<string, string> = {}
      response.headers.forEach((value, name) => { out[name.toLowerCase()] = value })
      return { status: response.status, headers: out, body: new Uint8Array(await response.arrayBuffer()) }
    },
    openTab(url, tabName): TabResult {
      const w = window.open(url, safeName(tabName))
      return w ? { ok: true } : { ok: false, reason: 'blocked', url }
    },
    postForm(url, fields, tabName): TabResult {
      const name = safeName(tabName)
      // Opening (or finding) the named tab first tells a blocked pop-up apart from a sent form.
      if (!window.open('', name)) return { ok: false, reason: 'blocked', url }
      const form = document.createElement('form')
      form.method = 'post'
      form.action = url
      form.target = name
      form.acceptCharset = 'UTF-8'
      form.style.display = 'none'
      for (const [key, value] of fields) {
        const input = document.createElement('input')
        input.type = 'hidden'
        input.name = key
        input.value = value
        form.append(input)
      }
      document.body.append(form)
      form.submit()
      form.remove()
      return { ok: true }
    },
    clock: {
      now: () => new Date(),
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
    },
    random: {
      digits(count) {
        const bytes = crypto.getRandomValues(new Uint8Array(count))
        return Array.from(bytes, (b) => String(b % 10)).join('')
      },
    },
  }
}

/** Never the phone's own tab: a CRM tab name equal to ours would navigate the phone away. */
function safeName(tabName: string): string {
  return tabName && tabName !== window.name ? tabName : `${tabName || 'tsunagu-crm'}-crm`
}
