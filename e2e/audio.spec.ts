import type { Page } from '@playwright/test'
import { dial, withInitScripts } from './call-helpers'
import { expect, nextUser, test } from './fixtures'

/**
 * Ringing that is heard: the agent is told while the browser keeps audio locked, and the
 * microphone / speakers chosen in the phone are used for calls and survive a reload.
 * Chromium's fake devices (`--use-fake-device-for-media-stream`) offer two microphones and two
 * speakers besides the defaults.
 */

/**
 * Records the constraints of every getUserMedia call (which microphone a call asked for) and
 * the speakers an AudioContext (the ringtone) was routed to.
 */
const RECORD_DEVICE_USE = `(() => {
  window.__ringerSinks = []
  const setSinkId = AudioContext.prototype.setSinkId
  AudioContext.prototype.setSinkId = function (id) { window.__ringerSinks.push(id); return setSinkId.call(this, id) }
  window.__gum = []
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)
  navigator.mediaDevices.getUserMedia = (constraints) => { window.__gum.push(JSON.parse(JSON.stringify(constraints))); return original(constraints) }
})()`

async function choose(page: Page, testId: string, label: string): Promise<void> {
  await page.getByTestId(testId).click()
  await page.getByRole('option', { name: label, exact: true }).filter({ visible: true }).click()
  await expect(page.getByTestId(testId)).toContainText(label)
  // The menu closes with an animation: wait until it is gone, or the next select's options
  // would be matched twice (both menus list the same speakers).
  await expect(page.getByRole('listbox')).toHaveCount(0)
}

async function deviceId(page: Page, kind: MediaDeviceKind, label: string): Promise<string> {
  return page.evaluate(async ([k, l]) => (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === k && d.label === l)!.deviceId, [kind, label] as const)
}

test('the agent is told the ringtone cannot play until the first click, which unlocks it', async ({ phones }) => {
  const { page } = await phones({ user: nextUser() })
  // Headless Chromium applies the autoplay policy: audio stays locked until a gesture.
  const notice = page.getByTestId('audio-locked')
  await expect(notice).toBeVisible()
  await page.getByTestId('idle').click()
  await expect(notice).toHaveCount(0)
})

test('microphone, call speaker and ringtone speaker are chosen in the phone, used by calls, and survive a reload', async ({ phones }) => {
  const callee = await phones({ user: nextUser() })
  const agent = await phones({ user: nextUser() })
  await withInitScripts(agent.page, RECORD_DEVICE_USE)

  await agent.page.getByTestId('device-picker').click()
  await expect(agent.page.getByTestId('device-menu')).toBeVisible()
  await choose(agent.page, 'device-input', 'Fake Audio Input 2')
  await choose(agent.page, 'device-output', 'Fake Audio Output 1')
  await choose(agent.page, 'device-ringer', 'Fake Audio Output 2')

  await agent.page.reload()
  await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await agent.page.getByTestId('device-picker').click()
  await expect(agent.page.getByTestId('device-input')).toContainText('Fake Audio Input 2')
  await expect(agent.page.getByTestId('device-output')).toContainText('Fake Audio Output 1')
  await expect(agent.page.getByTestId('device-ringer')).toContainText('Fake Audio Output 2')
  await agent.page.getByTestId('device-picker').click()

  const mic = await deviceId(agent.page, 'audioinput', 'Fake Audio Input 2')
  const speaker = await deviceId(agent.page, 'audiooutput', 'Fake Audio Output 1')
  const ringer = await deviceId(agent.page, 'audiooutput', 'Fake Audio Output 2')
  // After the reload the saved ringtone speaker was applied to the ringer at start.
  expect(await agent.page.evaluate(() => (window as unknown as { __ringerSinks: string[] }).__ringerSinks)).toContain(ringer)
  await dial(agent.page, callee.user)
  await callee.page.getByTestId('incoming-popup').getByTestId('popup-answer').click()
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  // The call asked for the chosen microphone, and plays the other party on the chosen speaker.
  const asked = await agent.page.evaluate(() => (window as unknown as { __gum: { audio: { deviceId?: string } }[] }).__gum.map((c) => c.audio?.deviceId))
  expect(asked).toContain(mic)
  await expect.poll(() => agent.page.locator('audio[data-testid=remote-audio]').evaluate((el: HTMLAudioElement & { sinkId: string }) => el.sinkId)).toBe(speaker)
  await agent.page.getByTestId('call-hangup').click()
  await expect(callee.page.getByTestId('idle')).toBeVisible()
})
