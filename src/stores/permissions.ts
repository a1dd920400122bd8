import { defineStore } from 'pinia'
import { ref } from 'vue'
import { usePorts } from '@/ports/ports'

/**
 * What the browser allows only after the agent did something: showing notifications (asked
 * from a click, never on load) and playing the ringtone (audio stays locked until the page had
 * a user gesture). The components only pass the gesture on.
 */
export const usePermissionsStore = defineStore('permissions', () => {
  const ports = usePorts()
  const notifications = ref(ports.notifier.permission)

  /** Call from a click: the browser asks the agent. */
  async function enableNotifications(): Promise<void> {
    notifications.value = await ports.notifier.requestPermission()
  }

  /** Call from any click or key press: resumes the ringer's audio if the browser still holds it. */
  function unlockAudio(): void {
    if (!ports.ringer.unlocked) void ports.ringer.unlock()
  }

  return { notifications, enableNotifications, unlockAudio }
})
