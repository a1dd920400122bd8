/**
 * Opens the CRM tab so that the CRM page cannot replace the phone (issue 9, reverse tabnabbing),
 * yet stays one reused tab.
 *
 * A tab opened with `window.open(url, name)` from the phone's page has the phone as its
 * `opener`, and any page shown there can set `opener.location`. Severing the opener
 * (`noopener`, `w.opener = null`) makes Chromium open a new tab for every access. So every CRM
 * tab is opened — and every CRM form posted — from a hidden same-origin iframe's window: the
 * CRM page's opener is then that iframe, and `opener.location`, `opener.top.location` and
 * `opener.parent.location` all throw `SecurityError` in the cross-origin CRM page (it is not
 * "familiar with" a subframe of another tab), while later `open(url, name)` calls from the same
 * iframe still find and reuse the named tab (measured with Chromium 156, lab notes). The one
 * cost: after the phone reloads (a new iframe), the first access opens a fresh tab.
 */

let frame: HTMLIFrameElement | undefined

/** The hidden launcher iframe's window, created on first use (and again if it was removed). Exported for tests. */
import { crmTabTarget } from '../crm-tab'
export function launcher(): Window {
  if (!frame?.isConnected || !frame.contentWindow) {
    frame = document.createElement('iframe')
    frame.hidden = true
    frame.tabIndex = -1
    frame.setAttribute('aria-hidden', 'true')
    frame.dataset.testid = 'crm-tab-launcher'
    // No src: the initial about:blank document shares the phone's origin (and its CSP).
    document.body.append(frame)
  }
  return frame.contentWindow!
}

/** Never the phone's own tab: a CRM tab name equal to ours would navigate the phone away. */
export function crmTabName(tabName: string): string {
  return crmTabTarget(tabName, window.name)
}

/** Opens (or navigates) the named CRM tab; false when the pop-up blocker refused it. */
export function openCrmTab(url: string, tabName: string): boolean {
  return launcher().open(url, crmTabName(tabName)) !== null
}

/** Posts a UTF-8 form into the named CRM tab; false when the pop-up blocker refused the tab. */
export function postCrmTab(url: string, fields: readonly (readonly [string, string])[], tabName: string): boolean {
  const name = crmTabName(tabName)
  const win = launcher()
  // Opening (or finding) the named tab first tells a blocked pop-up apart from a sent form.
  if (!win.open('', name)) return false
  const doc = win.document
  const form = doc.createElement('form')
  form.method = 'post'
  form.action = url
  form.target = name
  form.acceptCharset = 'UTF-8'
  for (const [key, value] of fields) {
    const input = doc.createElement('input')
    input.type = 'hidden'
    input.name = key
    input.value = value
    form.append(input)
  }
  doc.body.append(form)
  form.submit()
  form.remove()
  return true
}
