import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { usePorts } from '@/ports/ports'
import type { CallInfo } from '@/sip'
import { useCtiStore } from './cti'
import { usePhoneStore } from './phone'
import { useSettingsStore } from './settings'

export interface PopupView {
  callId: string
  /** The caller's number without `#` codes, or the anonymous label. */
  number: string
  name: string
  anonymous: boolean
  /** What the CRM search extracted (NAME, COMPANY, …), as text. */
  values: Readonly<Record<string, string>>
  searching: boolean
  searchFailed: boolean
}

const BLOCKED_TABS_KEPT = 3

/** The caller's number as shown: the From user without BIZTEL `#` codes. */
export function numberOf(call: Pick<CallInfo, 'remoteUser'>): string {
  return call.remoteUser.split('#')[0] ?? ''
}

/**
 * What pops up for ringing calls: one in-page popup per call (a second concurrent call gets
 * its own), and a notification when the agent cannot see the phone. The CTI engine decides
 * whether a call pops up at all (untargeted numbers and 9999 do not); the popup settings
 * decide how.
 */
export const usePopupStore = defineStore('popup', () => {
  const ports = usePorts()
  const cti = useCtiStore()
  const phone = usePhoneStore()
  const settingsStore = useSettingsStore()
  const notifications = new Map<string, { close(): void }>()
  const timers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Popups closed by their display time (the call may still ring in the main screen). */
  const expired = ref(new Set<string>())

  const popupSettings = computed(() => settingsStore.settings.popup)

  /**
   * The number as shown and copied, and whether it is withheld. The CTI engine's reading wins
   * when it has one (it also honours `Privacy: user/header`), so popup, copy and CRM agree.
   */
  function caller(call: CallInfo): { anonymous: boolean; number: string } {
    const info = cti.calls[call.id]
    const anonymous = info?.anonymous ?? call.anonymous
    return { anonymous, number: anonymous ? '' : (info?.tel || numberOf(call)) }
  }

  function shows(call: CallInfo): boolean {
    return popupSettings.value.size !== 'hidden' && (cti.calls[call.id]?.showPopup ?? true)
  }

  const popups = computed<PopupView[]>(() => phone.ringing
    .filter((call) => shows(call) && !expired.value.has(call.id))
    .map((call) => {
      const info = cti.calls[call.id]
      const { anonymous, number } = caller(call)
      return {
        callId: call.id,
        number: anonymous ? popupSettings.value.anonymousLabel : number,
        name: call.remoteDisplayName,
        anonymous,
        values: info?.values ?? {},
        searching: info?.searchState === 'pending',
        searchFailed: info?.searchState === 'failed',
      }
    }))

  /**
   * CRM tabs the browser refused to open, offered as links. Kept after the call ended (the
   * agent may still want that customer's page) until opened or dismissed; the last few only.
   * `url` is the real URL (the link opens it), `label` the same with its secrets masked (shown).
   */
  const blockedTabs = ref<{ callId: string; url: string; label: string }[]>([])
  watch(() => cti.calls, (now) => {
    for (const info of Object.values(now)) {
      if (!info.blockedUrl || blockedTabs.value.some((b) => b.callId === info.callId && b.url === info.blockedUrl)) continue
      // The engine always masks the label; without one, show no URL rather than an unmasked one.
      const entry = { callId: info.callId, url: info.blockedUrl, label: info.blockedLabel ?? '' }
      blockedTabs.value = [...blockedTabs.value.filter((b) => b.callId !== info.callId), entry].slice(-BLOCKED_TABS_KEPT)
    }
  })
  /** The CRM tab's name, so the fallback link opens into the same tab as the accesses do. */
  const crmTabName = computed(() => cti.config?.tabName ?? 'tsunagu-crm')

  function dismissBlocked(callId: string): void {
    blockedTabs.value = blockedTabs.value.filter((b) => b.callId !== callId)
  }

  /**
   * The agent clicked a blocked tab's link: open it the way the accesses do (the one CRM tab,
   * whose opener cannot reach the phone). False when the browser refused again; the link's
   * own `rel="noopener"` navigation is the fallback then.
   */
  function openBlocked(callId: string): boolean {
    const blocked = blockedTabs.value.find((b) => b.callId === callId)
    dismissBlocked(callId)
    if (!blocked) return false
    try {
      return ports.cti.openTab(blocked.url, crmTabName.value).ok
    } catch {
      return false
    }
  }

  phone.onCall('added', (call) => {
    // A call that replaces one of ours (attended transfer to us) is taken over without a pop.
    if (call.direction !== 'in' || call.replaces || !shows(call)) return
    const seconds = popupSettings.value.displaySeconds
    if (seconds > 0) {
      timers.set(call.id, setTimeout(() => {
        expired.value = new Set([...expired.value, call.id])
        closeNotification(call)
      }, seconds * 1000))
    }
    if (ports.visibility.isHidden()) notify(call)
  })
  phone.onCall('answered', forget)
  phone.onCall('ended', forget)

  function notify(call: CallInfo): void {
    const info = cti.calls[call.id]
    const shown = caller(call)
    const number = shown.anonymous ? popupSettings.value.anonymousLabel : shown.number
    const name = info?.values.NAME || call.remoteDisplayName
    const company = info?.values.COMPANY ?? ''
    const handle = ports.notifier.show({
      tag: `tsunagu-call-${call.id}`,
      title: name ? `${name} (${number})` : number,
      body: [company, number].filter(Boolean).join('\n'),
      onClick: () => {
        ports.visibility.focusPhone()
        clicked(call.id)
      },
    })
    if (handle) notifications.set(call.id, handle)
  }

  // When the search answers while the notification is up, show the name and company in it
  // (same tag: the browser replaces the notification instead of adding one).
  watch(() => cti.calls, (now, before) => {
    for (const callId of notifications.keys()) {
      const values = now[callId]?.values
      const call = phone.ringing.find((c) => c.id === callId)
      if (call && values && values !== before[callId]?.values && Object.keys(values).length) notify(call)
    }
  })

  function forget(call: CallInfo): void {
    clearTimeout(timers.get(call.id))
    timers.delete(call.id)
    closeNotification(call)
    if (expired.value.has(call.id)) {
      const next = new Set(expired.value)
      next.delete(call.id)
      expired.value = next
    }
  }

  function closeNotification(call: Pick<CallInfo, 'id'>): void {
    notifications.get(call.id)?.close()
    notifications.delete(call.id)
  }

  /** A click on the popup body or its notification: the click access, and the number copied when set. */
  function clicked(callId: string): void {
    cti.popupClicked(callId)
    const call = phone.ringing.find((c) => c.id === callId) ?? phone.active.find((c) => c.id === callId)
    const number = call && caller(call).number
    if (popupSettings.value.copyNumberOnClick && number) void ports.clipboard.writeText(number)
  }

  return { popups, blockedTabs, crmTabName, popupSettings, clicked, dismissBlocked, openBlocked }
})
