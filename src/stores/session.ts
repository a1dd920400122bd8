import { defineStore } from 'pinia'
import { ref } from 'vue'
import { createSoftphone } from '@/sip'
import { isSipConfigured } from '@/settings/settings'
import { useCtiStore } from './cti'
import { usePhoneStore, type SoftphoneFactory } from './phone'
import { usePopupStore } from './popup'
import { useSettingsStore } from './settings'

/** Start-up: settings (saved, then provisioned by URL), then the line. */
export const useSessionStore = defineStore('session', () => {
  const settingsStore = useSettingsStore()
  const phone = usePhoneStore()
  const cti = useCtiStore()
  // Created here, before any call can ring: their call listeners must be in place (CTI first).
  usePopupStore()
  const configured = ref(false)

  async function start(factory: SoftphoneFactory = createSoftphone): Promise<void> {
    await settingsStore.load()
    const { sip } = settingsStore.settings
    configured.value = isSipConfigured(sip)
    if (!configured.value) return
    // The engine is ready before the line: no call can ring past the integration.
    await cti.start()
    await phone.connect({
      server: sip.server,
      domain: sip.domain,
      user: sip.user,
      password: sip.password,
      authUser: sip.authUser || undefined,
      displayName: sip.displayName,
      contactName: settingsStore.device.contactName,
      viaHost: settingsStore.device.viaHost,
      iceServers: sip.iceServers,
      // A cap for STUN/TURN gathering; without servers the INVITE leaves after the host candidates.
      iceGatheringTimeoutMs: 1500,
      registerExpires: 300,
    }, factory)
  }

  return { configured, start }
})
