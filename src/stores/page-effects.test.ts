// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { fakePorts } from '@/testing/fake-ports'
import { setupStores } from '@/testing/setup-store'
import { useDevicesStore } from './devices'
import { useLocaleStore } from './locale'
import { usePermissionsStore } from './permissions'
import { useSettingsStore } from './settings'

/** The effects components used to do themselves, now store actions over the ports. */
async function setup() {
  const fake = fakePorts()
  setupStores(fake.ports)
  await useSettingsStore().load()
  return fake
}

describe('permissions store', () => {
  it('asks for notifications only when told to, and remembers the answer', async () => {
    const fake = await setup()
    let asked = 0
    fake.ports.notifier = { ...fake.ports.notifier, permission: 'default', requestPermission: async () => { asked += 1; return 'denied' } }
    const permissions = usePermissionsStore()
    expect(permissions.notifications).toBe('default')
    expect(asked).toBe(0)
    await permissions.enableNotifications()
    expect(asked).toBe(1)
    expect(permissions.notifications).toBe('denied')
  })

  it('unlocks the ringer on a gesture, and the devices store sees it', async () => {
    const fake = await setup()
    fake.setUnlocked(false)
    const devices = useDevicesStore()
    usePermissionsStore().unlockAudio()
    await nextTick()
    expect(devices.audioUnlocked).toBe(true)
  })
})

describe('locale store', () => {
  it('follows the browser on auto and the setting otherwise, and sets the page language', async () => {
    const fake = await setup()
    fake.page.languages = ['ja-JP', 'en-US']
    const locale = useLocaleStore()
    expect(locale.locale).toBe('ja')
    expect(fake.page.lang).toBe('ja')
    await useSettingsStore().setLanguage('en')
    expect(locale.locale).toBe('en')
    await nextTick()
    expect(fake.page.lang).toBe('en')
  })
})

describe('devices store and the settings it saves', () => {
  it('saves a choice through the settings store, and not a locked one', async () => {
    const fake = await setup()
    const settings = useSettingsStore()
    const devices = useDevicesStore()
    await devices.choose('output', 'spk-1')
    expect(settings.settings.audio.output).toBe('spk-1')
    expect((fake.store.get('tsunagu.settings') as { settings: { audio: { output: string } } }).settings.audio.output).toBe('spk-1')
    settings.settings = { ...settings.settings, locked: ['audio.input'] }
    expect(devices.isLocked('input')).toBe(true)
    expect(devices.isLocked('output')).toBe(false)
    await devices.choose('input', 'mic-2')
    expect(settings.settings.audio.input).toBe('')
    settings.settings = { ...settings.settings, locked: ['audio'] }
    expect(devices.isLocked('ringer')).toBe(true)
  })

  it('reports a refused microphone, and lists the devices either way', async () => {
    const fake = await setup()
    fake.plug([{ kind: 'audioinput', deviceId: 'mic-1', label: '' }])
    fake.ports.audioDevices = { ...fake.ports.audioDevices, revealLabels: async () => false }
    const devices = useDevicesStore()
    expect(await devices.revealLabels()).toBe(false)
    expect(devices.inputs.map((d) => d.deviceId)).toEqual(['mic-1'])
    expect(devices.labelsHidden).toBe(true)
  })
})

describe('settings export', () => {
  it('downloads the export as a dated JSON file, passwords only when asked', async () => {
    const fake = await setup()
    const settings = useSettingsStore()
    settings.settings = { ...settings.settings, sip: { ...settings.settings.sip, password: 'sip-secret' } }
    await settings.downloadExport(false, new Date('2026-04-01T09:00:00Z'))
    await settings.downloadExport(true, new Date('2026-04-01T09:00:00Z'))
    expect(fake.saved.map((f) => [f.name, f.type])).toEqual([
      ['tsunagu-settings-2026-04-01.json', 'application/json'],
      ['tsunagu-settings-2026-04-01.json', 'application/json'],
    ])
    expect(fake.saved[0]!.text).not.toContain('sip-secret')
    expect(fake.saved[1]!.text).toContain('sip-secret')
  })
})
