import { defineStore } from 'pinia'
import { computed } from 'vue'
import { usePorts } from '@/ports/ports'
import type { CallInfo } from '@/sip'
import { usePhoneStore } from './phone'
import { useSettingsStore } from './settings'

export interface PopupView {
  callId: string
  /** The caller's number without `#` codes, or the anonymous label. */
  number: string
  name: string
  anonymous: boolean
}

/** The caller's number as shown and searched: the From user without BIZTEL `#` codes. */
export function numberOf(call: Pick<CallInfo, 'remoteUser'>): string {
  return call.remoteUser.split('#')[0] ?? ''
}

/**
 * What pops up for ringing calls: the in-page popups, and a notification when the agent
 * cannot see the phone. One popup per call; a second concurrent call gets its own.
 */
export const usePopupStore = defineStore('popup', () => {
  const ports = usePorts()
  const phone = usePhoneStore()
  const settings = useSettingsStore()
  const notifications = new Map<string, { close(): void }>()

  const popups = computed<PopupView[]>(() => {
    if (settings.settings.popup.size === 'hidden') return []
    return phone.ringing.map((call) => ({
      callId: call.id,
      number: call.anonymous ? settings.settings.popup.anonymousLabel : numberOf(call),
      name: call.remoteDisplayName,
      anonymous: call.anonymous,
    }))
  })

  phone.onCall('added', (call) => {
    if (call.direction !== 'in' || settings.settings.popup.size === 'hidden') return
    if (!ports.visibility.isHidden()) return
    const number = call.anonymous ? settings.settings.popup.anonymousLabel : numberOf(call)
    const handle = ports.notifier.show({
      tag: `tsunagu-call-${call.id}`,
      title: call.remoteDisplayName ? `${call.remoteDisplayName} (${number})` : number,
      body: number,
      onClick: () => ports.visibility.focusPhone(),
    })
    if (handle) notifications.set(call.id, handle)
  })
  const closeNotification = (call: CallInfo) => {
    notifications.get(call.id)?.close()
    notifications.delete(call.id)
  }
  phone.onCall('answered', closeNotification)
  phone.onCall('ended', closeNotification)

  return { popups }
})
