import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { usePorts } from '@/ports/ports'
import { partyName, shownName, shownNumber } from './call-view'
import { useCallsStore, type Call } from './calls'
import { useCtiStore } from './cti'
import { useSettingsStore } from './settings'

export interface PopupView {
  callId: string
  /** The caller's number without `#` codes, or the anonymous label. */
  number: string
  /** The phonebook or SIP name ('' when withheld). */
  name: string
  anonymous: boolean
  /** What the CRM search extracted (NAME, COMPANY, …), as text. */
  values: Readonly<Record<string, string>>
  searching: boolean
  searchFailed: boolean
}

/**
 * What pops up for ringing calls: one in-page popup per call (a second concurrent call gets
 * its own), and a notification when the agent cannot see the phone. Which calls pop up is the
 * call's reading (`reading.popup`: not 9999, not untargeted, not outgoing); the popup settings
 * decide how. Everything here is derived from the calls store: no call events, no order.
 */
export const usePopupStore = defineStore('popup', () => {
  const ports = usePorts()
  const calls = useCallsStore()
  const cti = useCtiStore()
  const settingsStore = useSettingsStore()
  const popupSettings = computed(() => settingsStore.settings.popup)
  /** Popups closed by their display time (the call may still ring in the main screen). */
  const expired = ref(new Set<string>())

  /**
   * Ringing calls that pop up (whether or not their popup's display time ran out), and calls
   * still arriving (`calls.arriving`: the INVITE is read, the SIP stack has it next), so the popup
   * is in the DOM in the INVITE's own task; an arriving call keeps its id (and popup) as a call.
   */
  const popping = computed<Call[]>(() => popupSettings.value.size === 'hidden'
    ? []
    : [...calls.ringing, ...calls.arriving].filter((c) => c.reading.popup))

  const popups = computed<PopupView[]>(() => popping.value
    .filter((call) => !expired.value.has(call.id))
    .map((call) => ({
      callId: call.id,
      number: shownNumber(call, popupSettings.value.anonymousLabel),
      name: partyName(call),
      anonymous: call.reading.anonymous,
      values: call.crm.values,
      searching: call.crm.searchState === 'pending',
      searchFailed: call.crm.searchFailed,
    })))

  // Per popping call, after the render (the popup is on screen first): the display timer, and a
  // notification while the agent cannot see the page, updated when the CRM's answer arrives.
  const timers = new Map<string, unknown>()
  const notifications = new Map<string, { handle: { close(): void }; values: Call['crm']['values'] }>()
  const tracked = new Set<string>()
  watch(popping, (now) => {
    const current = new Set(now.map((c) => c.id))
    for (const id of [...tracked]) if (!current.has(id)) forget(id)
    for (const call of now) {
      if (!tracked.has(call.id)) {
        tracked.add(call.id)
        begin(call)
      } else {
        const shown = notifications.get(call.id)
        if (shown && shown.values !== call.crm.values && Object.keys(call.crm.values).length) notify(call)
      }
    }
  }, { flush: 'post', immediate: true })

  function begin(call: Call): void {
    const seconds = popupSettings.value.displaySeconds
    if (seconds > 0) {
      timers.set(call.id, ports.clock.setTimeout(() => {
        timers.delete(call.id)
        expired.value = new Set([...expired.value, call.id])
        closeNotification(call.id)
      }, seconds * 1000))
    }
    if (ports.visibility.isHidden()) notify(call)
  }

  function notify(call: Call): void {
    const number = shownNumber(call, popupSettings.value.anonymousLabel)
    const name = shownName(call)
    const company = call.crm.values.COMPANY ?? ''
    // Same tag: the browser replaces the notification instead of adding one.
    const handle = ports.notifier.show({
      tag: `tsunagu-call-${call.id}`,
      title: name ? `${name} (${number})` : number,
      body: [company, number].filter(Boolean).join('\n'),
      onClick: () => {
        ports.visibility.focusPhone()
        clicked(call.id)
      },
    })
    if (handle) notifications.set(call.id, { handle, values: call.crm.values })
  }

  function forget(callId: string): void {
    tracked.delete(callId)
    ports.clock.clearTimeout(timers.get(callId))
    timers.delete(callId)
    closeNotification(callId)
    if (expired.value.has(callId)) {
      const next = new Set(expired.value)
      next.delete(callId)
      expired.value = next
    }
  }

  function closeNotification(callId: string): void {
    notifications.get(callId)?.handle.close()
    notifications.delete(callId)
  }

  /** A click on the popup body or its notification: the click access, and the number copied when set. */
  function clicked(callId: string): void {
    cti.openInCrm(callId)
    const call = calls.active.find((c) => c.id === callId)
    const number = call && !call.reading.anonymous ? call.reading.remote : ''
    if (popupSettings.value.copyNumberOnClick && number) void ports.clipboard.writeText(number)
  }

  /** A popup is in the DOM (for the ring-path benchmark: that moment, and the frame that paints it). */
  function rendered(): void {
    ports.marks.mark('tsunagu:popup-dom')
    ports.marks.markNextFrame('tsunagu:popup')
  }

  return { popups, popupSettings, clicked, rendered }
})
