import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { usePorts } from '@/ports/ports'
import type { CallInfo, RegistrationStatus, Softphone, SoftphoneConfig } from '@/sip'
import { TypedEmitter } from '@/sip/typed-emitter'

/** Call lifecycle events for other stores (CTI, history): one source, no watchers on snapshots. */
export interface CallEvents {
  added: (call: CallInfo) => void
  answered: (call: CallInfo) => void
  ended: (call: CallInfo) => void
}

export type SoftphoneFactory = (config: SoftphoneConfig) => Promise<Softphone>

/**
 * The line and its calls. Holds the `Softphone` as a plain (non-reactive) object: sip.js
 * instances and MediaStreams never become Vue proxies. Calls are immutable snapshots
 * replaced on each update.
 */
export const usePhoneStore = defineStore('phone', () => {
  const ports = usePorts()
  const registration = ref<RegistrationStatus>({ state: 'unregistered' })
  const calls = shallowRef<CallInfo[]>([])
  const lastError = ref<string>()
  const events = new TypedEmitter<CallEvents>()
  let phone: Softphone | undefined
  let unsubscribe: (() => void)[] = []

  const ringing = computed(() => calls.value.filter((c) => c.direction === 'in' && c.state === 'ringing'))
  const active = computed(() => calls.value.filter((c) => c.state !== 'ended'))

  async function connect(config: SoftphoneConfig, factory: SoftphoneFactory): Promise<void> {
    await disconnect()
    const next = await factory(config)
    phone = next
    unsubscribe = [
      next.on('registration', (status) => { registration.value = status }),
      next.on('callAdded', onCallAdded),
      next.on('callUpdated', onCallUpdated),
      next.on('remoteStream', (callId, stream) => ports.remoteAudio.play(callId, stream)),
    ]
    registration.value = next.registration
    await next.start()
  }

  async function disconnect(): Promise<void> {
    for (const off of unsubscribe) off()
    unsubscribe = []
    const old = phone
    phone = undefined
    if (old) await old.stop()
    calls.value = []
    ports.ringer.stop()
    registration.value = { state: 'unregistered' }
  }

  function onCallAdded(call: CallInfo): void {
    calls.value = [...calls.value, call]
    updateRinger()
    events.emit('added', call)
  }

  function onCallUpdated(call: CallInfo): void {
    const before = calls.value.find((c) => c.id === call.id)
    calls.value = call.state === 'ended'
      ? calls.value.filter((c) => c.id !== call.id)
      : calls.value.map((c) => (c.id === call.id ? call : c))
    updateRinger()
    if (call.state === 'active' && before?.state !== 'active') events.emit('answered', call)
    if (call.state === 'ended') {
      ports.remoteAudio.stop(call.id)
      events.emit('ended', call)
    }
  }

  function updateRinger(): void {
    if (ringing.value.length > 0) ports.ringer.start()
    else ports.ringer.stop()
  }

  async function dial(target: string): Promise<boolean> {
    performance.mark('tsunagu:dial')
    lastError.value = undefined
    if (!phone) {
      lastError.value = 'not-registered'
      return false
    }
    const result = await phone.dial(target)
    if (!result.ok) lastError.value = result.reason
    return result.ok
  }

  const answer = (callId: string) => phone?.answer(callId)
  const decline = (callId: string) => phone?.decline(callId)
  const hangup = (callId: string) => phone?.hangup(callId)

  return {
    registration, calls, ringing, active, lastError,
    connect, disconnect, dial, answer, decline, hangup,
    onCall: events.on.bind(events) as TypedEmitter<CallEvents>['on'],
  }
})
