import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import { useSettingsStore } from './settings'

/**
 * Click-to-dial asks the agent first. Any page can open `…/?dial=<premium number>` (or a
 * `tel:` link that lands in the phone's tab), so a request places a call at once only when
 * IT trusts where it came from: the origin of `document.referrer` is listed in deploy.json's
 * `dial.trustedOrigins`. A `sip:` address on a domain other than the account's always asks,
 * whoever sent it. Everything else shows the number with Call / Cancel.
 */

export interface DialRequest {
  /** What `dialTargetOf` made of the request: digits, or `user@host`. */
  target: string
  /** The requesting page's origin (from `document.referrer`); undefined when the browser did not say. */
  from?: string
}

export interface DialPolicy {
  trustedOrigins: readonly string[]
  /** `sip.domain` of the account: a SIP address elsewhere always needs consent. */
  sipDomain: string
}

/** The origin of a referrer, or undefined for none, an opaque one or one that is no URL. */
export function referrerOrigin(referrer: string | undefined): string | undefined {
  if (!referrer) return undefined
  try {
    const origin = new URL(referrer).origin
    return origin === 'null' ? undefined : origin
  } catch {
    return undefined
  }
}

export function dialNeedsConsent(request: DialRequest, policy: DialPolicy): boolean {
  const at = request.target.lastIndexOf('@')
  if (at >= 0 && request.target.slice(at + 1).toLowerCase() !== policy.sipDomain.toLowerCase()) return true
  return request.from === undefined || !policy.trustedOrigins.includes(request.from)
}

/** The one request waiting for the agent's answer, shown by `DialConsent.vue`. */
export const useDialConsentStore = defineStore('dial-consent', () => {
  const settingsStore = useSettingsStore()
  const waiting = shallowRef<DialRequest>()
  let answer: ((ok: boolean) => void) | undefined

  /** Resolves true when the call may be placed: at once when trusted, else when the agent says Call. */
  function approve(target: string, from: string | undefined): Promise<boolean> {
    const request: DialRequest = from === undefined ? { target } : { target, from }
    const policy = { trustedOrigins: settingsStore.deployment.dial.trustedOrigins, sipDomain: settingsStore.settings.sip.domain }
    if (!dialNeedsConsent(request, policy)) return Promise.resolve(true)
    // A newer request replaces the one on screen; the older one is not placed.
    answer?.(false)
    waiting.value = request
    return new Promise((resolve) => { answer = resolve })
  }

  function decide(ok: boolean): void {
    const resolve = answer
    answer = undefined
    waiting.value = undefined
    resolve?.(ok)
  }

  return { waiting, approve, call: () => decide(true), cancel: () => decide(false) }
})
