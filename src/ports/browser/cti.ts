import type { CommandResult, CtiPorts, HttpPort, HttpResponse, TabResult } from '@/cti'
import { openCrmTab, postCrmTab } from './crm-tab'
import { detectHelper, HELPER_EXTENSION_ID, helperPorts } from './helper'

/**
 * The CTI engine's effects in a browser: `fetch`, the named CRM tab, a hidden form, timers
 * and crypto, and the optional native helper (`runCommand`, `helperHttp`, see `./helper`).
 * The helper ports are present only once the helper answered a ping at start; when it did not,
 * they are absent, which the engine reports as "helper not installed". While the ping is still
 * out, they wait for its answer (a call can ring during the first second after a load).
 *
 * The CRM tab is opened through a hidden same-origin iframe (see `./crm-tab`): it is reused
 * call after call, and the CRM page's opener is that iframe, so no page shown there can
 * navigate the phone away.
 */
export function browserCtiPorts(extensionId = HELPER_EXTENSION_ID): CtiPorts {
  const helper = helperPorts(extensionId)
  let state: 'pending' | 'present' | 'absent' = 'pending'
  const detected = detectHelper(extensionId).then((info) => {
    state = info ? 'present' : 'absent'
    return info !== undefined
  })
  const whenDetected = {
    runCommand: async (argv: readonly string[]): Promise<CommandResult> =>
      (await detected) ? helper.runCommand(argv) : { ok: false, reason: 'helper-not-installed' },
    helperHttp: (async (request) => {
      if (await detected) return helper.helperHttp(request)
      throw new Error('helper not installed')
    }) satisfies HttpPort,
  }
  return {
    get runCommand() {
      return state === 'present' ? helper.runCommand : state === 'pending' ? whenDetected.runCommand : undefined
    },
    get helperHttp() {
      return state === 'present' ? helper.helperHttp : state === 'pending' ? whenDetected.helperHttp : undefined
    },
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
      return openCrmTab(url, tabName) ? { ok: true } : { ok: false, reason: 'blocked', url }
    },
    postForm(url, fields, tabName): TabResult {
      return postCrmTab(url, fields, tabName) ? { ok: true } : { ok: false, reason: 'blocked', url }
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
