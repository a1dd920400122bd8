import { h, render, type App } from 'vue'
import IncomingPopup from '@/components/phone/IncomingPopup.vue'
import type { PopupView } from '@/stores/popup'

/** A caller as a real one looks: number, phonebook name, CRM name, company and one more value. */
const SAMPLE: PopupView = {
  callId: 'rehearsal',
  number: '0312345678',
  name: '山田 太郎',
  anonymous: false,
  values: { NAME: '山田 太郎', COMPANY: '株式会社サンプル', MEMO: '—' },
  searching: false,
  searchFailed: false,
}

/** The same caller while the CRM search runs. */
const SEARCHING: PopupView = { ...SAMPLE, values: {}, searching: true }

/** How often the ring path is rehearsed while idle (the engine drops code unused for about half a minute). */
export const REHEARSE_MS = 20_000

/**
 * Keeps the ring path's code compiled while the phone waits for calls. The JavaScript engine
 * compiles a function when it first runs and drops the compiled code of functions that have not
 * run for a while; vue-i18n compiles a message when it is first used. Measured here, the first
 * popup of a page, and the first after 90 s idle, reached the DOM 5–15 ms later than the calls
 * after it. So when the page is idle after its start, and every 20 s while no call is up, the
 * popup is rendered off the document (searching, then with the CRM's answer) and thrown away,
 * and the calls store reads a made-up call (`rehearse`, false while a call is up), whose search
 * the CTI store runs against a made-up answer (`cti/rehearsal.ts`). Nothing is shown, announced,
 * counted or sent. The sip
 * adapter rehearses its half of the ring path with each liveness probe.
 */
export function rehearseRingPath(app: App, readCall: () => boolean, schedule = whenIdle): void {
  const popup = () => {
    const container = document.createElement('div')
    for (const size of ['standard', 'large'] as const) {
      // As a call shows it: the number while the CRM is asked, then its answer (a patch).
      for (const popup of [SEARCHING, SAMPLE]) {
        const vnode = h(IncomingPopup, { popup, size, buttons: true })
        vnode.appContext = app._context
        render(vnode, container)
      }
      render(null, container)
    }
  }
  const round = () => {
    if (readCall()) popup()
    setTimeout(() => schedule(round), REHEARSE_MS)
  }
  schedule(() => {
    popup()
    round()
  })
}

/** `requestIdleCallback` where the browser has it (at most 3 s away), else a 1 s timer. */
function whenIdle(work: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => work(), { timeout: 3000 })
  else setTimeout(work, 1000)
}
