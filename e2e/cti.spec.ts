import type { Page } from '@playwright/test'
import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, test, type Lab } from './fixtures'

/**
 * The CTI custom integration end to end: a PBX caller (sipp, raw `#` codes) through the real
 * Kamailio, the phone in Debian Chromium, and the demo CRM recording every request byte for
 * byte. The order and the query strings are the contract of docs/cti-integration.md §4–§6.
 */
function ctiSettings(lab: Lab, overrides: Record<string, unknown> = {}) {
  const crm = lab.crm.url
  return {
    cti: {
      target: 'custom',
      requestIdHeader: 'X-Request-Id',
      timeoutSeconds: 3,
      accesses: {
        auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        ring: { method: 'get-internal', url: `${crm}/event/ring?tel={TEL}&code1={CODE1}&code2={CODE2}&id={ID}&name={NAME}` },
        answer: { method: 'get-internal', url: `${crm}/event/answer?tel={TEL}&id={ID}&company={COMPANY}`, delaySeconds: 1 },
        hangup: { method: 'post-internal', url: `${crm}/event/hangup?tel={TEL}&id={ID}&sid={SID}`, onlyIfAnswered: true },
      },
      ...overrides,
    },
  }
}

async function logIn(page: Page, id = 'agent01', password = 'pass01'): Promise<void> {
  const dialog = page.getByTestId('agent-login')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('login-id').locator('input').fill(id)
  await dialog.getByTestId('login-password').locator('input').fill(password)
  await dialog.getByTestId('login-submit').click()
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
}

/** Requests the CRM got, as `METHOD path?query [body]`, without the provisioning fetches. */
function seen(lab: Lab): string[] {
  return lab.crm.requests()
    .filter((r) => !r.path.startsWith('/provision/'))
    .map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}${r.body ? ` ${r.body}` : ''}`)
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('a PBX call with raw #A1#B2 codes runs auth, search, ring, answer and hang-up in order, with exact query strings', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: ctiSettings(lab) })
  await logIn(page)
  expect(seen(lab)).toEqual(['GET /login?userid=agent01&password=pass01'])
  // From now on the CRM answers a search without a valid session with 401.
  lab.crm.setBehaviour({ requireSession: true })

  const sipp = await runSipp({
    scenario: 'answerable-wait-bye', udpPort: lab.kamailio.udpPort, to: user,
    fromUser: '0312345678#A1#B2', fromName: 'Yamada', extraHeaders: { 'X-Request-Id': 'REQ-0001' },
  })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
  await expect(popup.getByTestId('popup-name')).toHaveText('山田 太郎')
  await expect(popup.getByTestId('popup-company')).toHaveText('株式会社つなぐ商事')
  await expect.poll(() => seen(lab).some((r) => r.startsWith('GET /event/ring'))).toBe(true)

  // The agent answers no earlier than this (same machine clock as the CRM's request times).
  const beforeAnswer = Date.now()
  await popup.getByTestId('popup-answer').click()
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'active')
  await expect.poll(() => seen(lab).some((r) => r.startsWith('GET /event/answer'))).toBe(true)
  await page.getByTestId('call-hangup').click()
  await expect(page.getByTestId('idle')).toBeVisible()
  await expect.poll(() => seen(lab).some((r) => r.startsWith('POST /event/hangup'))).toBe(true)
  expect((await sipp.done).code).toBe(0)

  const requests = seen(lab)
  const sidValue = /sid=(SID-[0-9a-f]+)/.exec(requests[1] ?? '')?.[1]
  expect(sidValue).toBeTruthy()
  expect(requests).toEqual([
    'GET /login?userid=agent01&password=pass01',
    `GET /search?tel=0312345678&sid=${sidValue}`,
    'GET /event/ring?tel=0312345678&code1=A1&code2=B2&id=REQ-0001&name=%E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E',
    'GET /event/answer?tel=0312345678&id=REQ-0001&company=%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%E3%81%A4%E3%81%AA%E3%81%90%E5%95%86%E4%BA%8B',
    `POST /event/hangup tel=0312345678&id=REQ-0001&sid=${sidValue}`,
  ])
  const hangup = lab.crm.requests().find((r) => r.path === '/event/hangup')
  expect(hangup?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
  // The answer access waited its delaySeconds (1 s) after the answer, not after the ring.
  const answer = lab.crm.requests().find((r) => r.path === '/event/answer')!
  expect(Date.parse(answer.time) - beforeAnswer).toBeGreaterThanOrEqual(1000)

  // A second call, missed: the session is reused (no new login), and the only-if-answered hang-up does not run.
  lab.crm.clear()
  const missed = await runSipp({
    scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user,
    fromUser: '0663334444', fromName: 'Sato', extraHeaders: { 'X-Request-Id': 'REQ-0002' },
  })
  await expect(popup.getByTestId('popup-name')).toHaveText('佐藤 花子')
  await expect.poll(() => seen(lab).some((r) => r.startsWith('GET /event/ring?tel=0663334444'))).toBe(true)
  await missed.hangUp()
  await expect(popup).toHaveCount(0)
  expect((await missed.done).code).toBe(0)
  // The CTI log shows the hang-up as skipped for the missed call: the decision has been made…
  await page.getByTestId('cti-log-toggle').click()
  await expect(page.getByTestId('cti-log-entry').and(page.locator('[data-access=hangup][data-outcome=skipped]'))).toHaveCount(1)
  // …so the CRM has all it will get for this call.
  expect(seen(lab)).toEqual([
    `GET /search?tel=0663334444&sid=${sidValue}`,
    'GET /event/ring?tel=0663334444&code1=&code2=&id=REQ-0002&name=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90',
  ])
  // …and never shows the agent's password.
  await expect(page.getByTestId('cti-log')).not.toContainText('pass01')
})

test('a CRM that never answers is cut at the timeout; the popup still shows the number and the call goes on', async ({ phones, lab }) => {
  const user = nextUser()
  const settings = ctiSettings(lab, { timeoutSeconds: 1 })
  settings.cti.accesses.search = { method: 'get-internal', url: `${lab.crm.url}/slow?tel={TEL}`, format: '{NAME}{CRLF}{COMPANY}' }
  const { page } = await phones({ user, settings: { ...settings, agent: { id: 'agent01', password: 'pass01' } } })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678#A1#B2', fromName: 'Yamada' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-number')).toHaveText('0312345678')
  await expect(popup.getByTestId('popup-search-failed')).toBeVisible()
  // Ring runs after the search gave up.
  await expect.poll(() => seen(lab).some((r) => r.startsWith('GET /event/ring?tel=0312345678'))).toBe(true)
  await page.getByTestId('cti-log-toggle').click()
  const searchEntry = page.getByTestId('cti-log-entry').and(page.locator('[data-access=search]'))
  await expect(searchEntry).toHaveAttribute('data-outcome', 'failed')
  await expect(searchEntry).toContainText('timeout')
  // The call went on meanwhile: it still rings until the caller gives up.
  await expect(page.getByTestId('call')).toHaveAttribute('data-state', 'ringing')
  await sipp.hangUp()
  expect((await sipp.done).code).toBe(0)
})

test('search bodies in Shift_JIS, EUC-JP and JSON are decoded by the browser and shown in the popup', async ({ phones, lab }) => {
  const cases = [
    { path: '/sjis/search', format: '{NAME}{CRLF}{COMPANY}', tel: '0663334444', name: '佐藤 花子', company: '大阪物産株式会社' },
    { path: '/eucjp/search', format: '{NAME}{CRLF}{COMPANY}', tel: '0522223333', name: '高橋 健二', company: '名古屋精機株式会社' },
    { path: '/json/search', format: { json: { NAME: '/customer/name', COMPANY: '/customer/company' } }, tel: '0112345678', name: '伊藤 さくら', company: '札幌ソフト合同会社' },
  ]
  for (const c of cases) {
    const user = nextUser()
    const settings = ctiSettings(lab)
    settings.cti.accesses = { search: { method: 'get-internal', url: `${lab.crm.url}${c.path}?tel={TEL}`, format: c.format } } as typeof settings.cti.accesses
    const { page, context } = await phones({ user, settings })
    const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: c.tel, fromName: 'Caller' })
    const popup = page.getByTestId('incoming-popup')
    await expect(popup.getByTestId('popup-name'), c.path).toHaveText(c.name)
    await expect(popup.getByTestId('popup-company'), c.path).toHaveText(c.company)
    await sipp.hangUp()
    expect((await sipp.done).code).toBe(0)
    await context.close()
  }
})
