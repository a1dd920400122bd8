import { dial, expectStays } from './call-helpers'
import { expect, nextUser, provisionPage, test, type Lab } from './fixtures'

/**
 * Call recording (issue 10 §4) and the recording access (録音ファイル連携, §5) against the CRM
 * stand-in: a call recorded in the browser (both sides mixed, WebM/Opus) reaches the CRM as a
 * multipart upload the stand-in reads as Opus of about the call's length, through the outbox
 * (once, also when the CRM fails the first uploads and the page reloads meanwhile); the history
 * row plays and downloads it.
 */
function settings(lab: Lab) {
  return {
    agent: { id: 'agent01', password: 'pass01' },
    recording: { mode: 'auto' },
    cti: {
      target: 'custom',
      timeoutSeconds: 5,
      // The caller is another browser phone: an extension, internal by the default pattern.
      skipInternal: false,
      accesses: { recording: { method: 'post-internal', url: `${lab.crm.url}/recordings?id={ID}`, fields: { tel: '{TEL}', result: '{RESULT}' } } },
    },
  }
}

test.beforeEach(async ({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
  // clear() keeps the uploads: forget them the way the demo CRM's API does.
  await fetch(`${lab.crm.url}/api/recordings`, { method: 'DELETE' })
})

/** Calls the agent from a second phone, answers, lets the call run `seconds` (by the call timer) and hangs up; the talk time in ms. */
async function recordedCall(agent: { page: import('@playwright/test').Page; user: string }, caller: { page: import('@playwright/test').Page }, seconds: number): Promise<number> {
  await dial(caller.page, agent.user)
  await expect(agent.page.getByTestId('incoming-popup')).toHaveCount(1)
  await agent.page.getByTestId('popup-answer').click()
  const call = agent.page.getByTestId('call')
  await expect(call).toHaveAttribute('data-state', 'active')
  const answeredAt = Date.now()
  await expect(call.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
  await expect(call.getByTestId('call-timer')).toHaveText(`0:0${seconds}`, { timeout: (seconds + 3) * 1000 })
  await agent.page.getByTestId('call-hangup').click()
  const talkMs = Date.now() - answeredAt
  await expect(agent.page.getByTestId('idle')).toBeVisible()
  return talkMs
}

test('a recorded call uploads a WebM Opus file of about the call\'s length, once; its history row plays and downloads it', async ({ phones, lab }) => {
  const agent = await phones({ user: nextUser(), settings: settings(lab) })
  const caller = await phones({ user: nextUser() })
  const talkMs = await recordedCall(agent, caller, 4)

  await expect.poll(() => lab.crm.recordings().length, { timeout: 10_000 }).toBe(1)
  const [upload] = lab.crm.recordings()
  expect(upload!.id).toMatch(/^\d{20}$/)
  expect(upload!.field).toBe('file')
  expect(upload!.filename).toBe(`${upload!.id}.webm`)
  expect(upload!.contentType).toMatch(/^audio\/webm/)
  expect(upload!.bytes).toBeGreaterThan(1000)
  expect(upload!.fields).toMatchObject({ tel: caller.user, result: 'answered' })
  expect(upload!.media).toMatchObject({ container: 'webm', codec: 'opus' })
  expect(Math.abs(upload!.media.durationMs! - talkMs)).toBeLessThan(1500)
  const multipart = lab.crm.requests().filter((r) => r.path === '/recordings')
  expect(multipart).toHaveLength(1)
  expect(String(multipart[0]!.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/)

  await agent.page.getByRole('button', { name: /History/ }).click()
  const row = agent.page.getByTestId('history-row')
  await expect(row).toHaveCount(1)
  await expect(row.getByTestId('history-recording-delivery')).toHaveAttribute('data-state', 'delivered')
  await row.getByTestId('history-recording-play').click()
  const player = agent.page.getByTestId('history-recording-player')
  await expect(player).toHaveAttribute('src', /^blob:/)
  await expect.poll(() => player.evaluate((audio: HTMLAudioElement) => audio.duration > 0 || audio.readyState > 0)).toBe(true)
  const [download] = await Promise.all([agent.page.waitForEvent('download'), row.getByTestId('history-recording-download').click()])
  expect(download.suggestedFilename()).toMatch(new RegExp(`^tsunagu-${caller.user}-.*\\.webm$`))
  await expectStays(async () => lab.crm.recordings()[0]!.received, 1)
})

test('a CRM that fails the first two uploads gets the file exactly once, after a page reload', async ({ phones, lab }) => {
  lab.crm.setBehaviour({ failFirst: { '/recordings': 2 } })
  const agent = await phones({ user: nextUser(), settings: settings(lab) })
  const caller = await phones({ user: nextUser() })
  await recordedCall(agent, caller, 2)
  await lab.crm.waitForRequests((r) => r.path === '/recordings')
  expect(lab.crm.recordings()).toHaveLength(0)

  // The upload is still owed when the page goes away; the next page sends it (after its back-off).
  await agent.page.reload()
  await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect.poll(() => lab.crm.recordings().length, { timeout: 40_000 }).toBe(1)
  expect(lab.crm.recordings()[0]!.media).toMatchObject({ container: 'webm', codec: 'opus' })
  await expectStays(async () => lab.crm.recordings()[0]!.received, 1)
  expect(lab.crm.requests().filter((r) => r.path === '/recordings')).toHaveLength(3)
})

test('a recorded call whose tab was closed mid-call (leave prompt confirmed) still reaches the CRM once, with its {ID}, from the next page', async ({ phones, lab }) => {
  // The ring access tells the call's {ID} as the CRM knew it.
  const base = settings(lab)
  const ring = { method: 'get-internal', url: `${lab.crm.url}/event/ring?id={ID}` }
  const options = { user: nextUser(), settings: { ...base, cti: { ...base.cti, accesses: { ...base.cti.accesses, ring } } } }
  const agent = await phones(options)
  const caller = await phones({ user: nextUser() })
  await dial(caller.page, agent.user)
  await agent.page.getByTestId('popup-answer').click()
  const call = agent.page.getByTestId('call')
  await expect(call).toHaveAttribute('data-state', 'active')
  await expect(call.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording')
  await expect(call.getByTestId('call-timer')).toHaveText('0:03', { timeout: 6000 })
  const [rang] = await lab.crm.waitForRequests((r) => r.path === '/event/ring')
  const requestId = rang!.params.id

  // The agent closes the tab and confirms the leave prompt: BYE, the call is over.
  const asked = agent.page.waitForEvent('dialog')
  await agent.page.close({ runBeforeUnload: true })
  const dialog = await asked
  expect(dialog.type()).toBe('beforeunload')
  await dialog.accept()
  await expect(caller.page.getByTestId('idle')).toBeVisible()
  expect(lab.crm.recordings()).toHaveLength(0)

  const again = await agent.context.newPage()
  await provisionPage(again, lab, options)
  await expect.poll(() => lab.crm.recordings().length, { timeout: 15_000 }).toBe(1)
  const [upload] = lab.crm.recordings()
  expect(upload!.id).toBe(requestId)
  expect(upload!.filename).toBe(`${requestId}.webm`)
  expect(upload!.media).toMatchObject({ container: 'webm', codec: 'opus' })
  expect(upload!.fields).toMatchObject({ tel: caller.user })
  await again.getByRole('button', { name: /History/ }).click()
  await expect(again.getByTestId('history-row').getByTestId('history-recording-delivery')).toHaveAttribute('data-state', 'delivered')
  await expectStays(async () => lab.crm.requests().filter((r) => r.path === '/recordings').length, 1)
})
