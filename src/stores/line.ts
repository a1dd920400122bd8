import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { usePorts } from '@/ports/ports'
import type { RegistrationStatus, Softphone, SoftphoneConfig } from '@/sip'
import { dialTargetOf } from '@/sip/dial-target'
import { useCallsStore } from './calls'
import { referrerOrigin, useDialConsentStore } from './dial-consent'
import { useSettingsStore } from './settings'

export type SoftphoneFactory = (config: SoftphoneConfig) => Promise<Softphone>

/**
 * The line: one softphone, its registration, and what follows the settings on it (do not
 * disturb, microphone, speakers). Its calls belong to the calls store, which it hands the
 * softphone to before starting it. Also click-to-dial: `?dial=` is dialled once registered.
 */
export const useLineStore = defineStore('line', () => {
  const ports = usePorts()
  const settingsStore = useSettingsStore()
  const calls = useCallsStore()
  const dialConsent = useDialConsentStore()
  const registration = ref<RegistrationStatus>({ state: 'unregistered' })
  let phone: Softphone | undefined
  let unsubscribe: (() => void) | undefined
  /** `?dial=` of the page's URL, dialled once the line is registered. */
  let pendingDial = dialTargetOf(new URL(ports.location.href).searchParams.get('dial'))
  let handlersOffered = false
  /** This load brought back a tab the browser had discarded: calls could not ring meanwhile. */
  const discarded = ref(false)
  void ports.lifecycle().then((lifecycle) => { discarded.value = lifecycle.wasDiscarded })

  const callSettings = computed(() => settingsStore.settings.call)

  watch(() => callSettings.value.dnd, (on) => phone?.setDoNotDisturb(on))
  watch(() => settingsStore.settings.audio.input, (deviceId) => void phone?.setMicrophone(deviceId))
  // Speakers follow the settings, whoever changed them (device picker, settings screen, provisioning).
  // The ringtone may go to its own device (a loudspeaker) while the call plays in the headset.
  watch(() => [settingsStore.settings.audio.output, settingsStore.settings.audio.ringer] as const, ([output, ringer]) => {
    void ports.remoteAudio.setOutput(output)
    void ports.ringer.setOutput(ringer || output)
  }, { immediate: true })
  watch(() => registration.value.state, (state) => {
    if (state === 'registered') void onRegistered()
  })

  async function connect(config: SoftphoneConfig, factory: SoftphoneFactory): Promise<void> {
    await disconnect()
    const next = await factory(config)
    phone = next
    next.setDoNotDisturb(callSettings.value.dnd)
    void next.setMicrophone(settingsStore.settings.audio.input)
    unsubscribe = next.on('registration', (status) => { registration.value = status })
    calls.attach(next)
    registration.value = next.registration
    await next.start()
  }

  /** Stops the line; the calls in `leaving` are left to the tab that takes the line (`Softphone.stopLeaving`). */
  async function disconnect(leaving: readonly string[] = []): Promise<void> {
    unsubscribe?.()
    unsubscribe = undefined
    calls.detach()
    const old = phone
    phone = undefined
    if (old) await (old.stopLeaving ? old.stopLeaving(leaving) : old.stop())
    registration.value = { state: 'unregistered' }
  }

  /** Checks the line at once (the page woke up, the network changed): re-registers when needed. */
  function verify(): void {
    phone?.verify()
  }

  function dismissDiscarded(): void {
    discarded.value = false
  }

  /** The `?dial=` target this tab cannot dial itself (another tab has the line): taken once. */
  function takePendingDial(): string | undefined {
    const target = pendingDial
    pendingDial = undefined
    if (target) ports.clickToDial.forgetDialParameter()
    return target
  }

  async function onRegistered(): Promise<void> {
    if (!handlersOffered) {
      handlersOffered = true
      ports.clickToDial.registerHandlers()
    }
    const target = takePendingDial()
    // A `?dial=` from a page IT does not trust waits for the agent's yes (`dial-consent.ts`);
    // the call's offer gets ready meanwhile.
    if (target) calls.readyToDial()
    if (target && (await dialConsent.approve(target, referrerOrigin(ports.location.referrer)))) await calls.dial(target)
  }

  /** Do-not-disturb from the phone screen; IT may have locked it. */
  const dndLocked = computed(() => settingsStore.isLocked('call.dnd'))
  async function setDoNotDisturb(on: boolean): Promise<void> {
    await settingsStore.setValue('call.dnd', on)
  }

  /** Each change of the registration: the unsubscribe function (not the store's deep `$subscribe`). */
  const onRegistration = (listener: (status: RegistrationStatus) => void): (() => void) => watch(registration, (status) => listener(status))

  return { registration, dndLocked, discarded, connect, disconnect, verify, dismissDiscarded, takePendingDial, setDoNotDisturb, onRegistration }
})
