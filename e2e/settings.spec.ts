import type { Page } from '@playwright/test'
import { expect, labDeployment, nextUser, test, type Lab } from './fixtures'

/**
 * Settings, provisioning and the test console against the real lab: the page is provisioned by
 * `?config=` (or `#config=`) like IT would do it, with the demo CRM serving both the provisioning
 * file and the CRM the test console talks to.
 */

function crmAccesses(lab: Lab) {
  const crm = lab.crm.url
  return {
    auth: { method: 'get-internal', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
    search: { method: 'get-internal', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
  }
}

async function openSettings(page: Page, section: string): Promise<void> {
  await page.getByTestId('app-menu').click()
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('settings')).toBeVisible()
  await page.getByTestId(`settings-nav-${section}`).click()
  await expect(page.getByTestId(`settings-section-${section}`)).toBeVisible()
}

const input = (page: Page, path: string) => page.getByTestId(`setting-${path}`).locator('input')

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

test('provisioned by ?config=: locked fields are read-only, and an unlocked change survives a reload of the same link', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({
    user,
    settings: {
      locked: ['sip.server', 'popup.size', 'cti.accesses'],
      popup: { size: 'large' },
      cti: { target: 'custom', accesses: crmAccesses(lab) },
      agent: { id: 'agent01', password: 'pass01' },
    },
  })
  await openSettings(page, 'sip')
  await expect(page.getByTestId('setting-sip.server')).toHaveAttribute('data-locked', 'true')
  await expect(input(page, 'sip.server')).toHaveValue(lab.kamailio.wsUrl)
  await expect(input(page, 'sip.server')).not.toBeEditable()
  await expect(input(page, 'sip.displayName')).toBeEditable()

  await page.getByTestId('settings-nav-custom').click()
  await page.getByTestId('access-tab-search').click()
  await expect(input(page, 'cti.accesses.search.url')).not.toBeEditable()
  await expect(page.getByTestId('placeholder-chip')).toHaveCount(0)

  await page.getByTestId('settings-nav-popup').click()
  await expect(page.getByTestId('setting-popup.size')).toHaveAttribute('data-locked', 'true')
  await expect(page.getByTestId('setting-popup.size')).toContainText('Large')
  await input(page, 'popup.anonymousLabel').fill('番号非通知')
  await page.getByTestId('settings-save').click()
  await expect(page.getByTestId('settings-saved')).toBeVisible()

  // The same link again: the document is fetched again, but only the locked keys are re-applied.
  const fetches = () => lab.crm.requests().filter((r) => r.path.startsWith('/provision/')).length
  const before = fetches()
  await page.reload()
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  expect(fetches()).toBe(before + 1)
  await openSettings(page, 'popup')
  await expect(input(page, 'popup.anonymousLabel')).toHaveValue('番号非通知')
  await expect(page.getByTestId('setting-popup.size')).toHaveAttribute('data-locked', 'true')
})

test('every field is checked as it is typed, and a placeholder is inserted at the cursor', async ({ phones, lab }) => {
  const { page } = await phones({ user: nextUser(), settings: { cti: { target: 'custom', accesses: crmAccesses(lab) }, agent: { id: 'agent01', password: 'pass01' } } })
  await openSettings(page, 'sip')
  await input(page, 'sip.server').fill('http://pbx.example.com')
  await expect(page.getByTestId('setting-sip.server')).toContainText('SIP server (WebSocket URL) must be a ws:// or wss:// URL')
  await expect(page.getByTestId('settings-save')).toBeDisabled()
  await expect(page.getByTestId('settings-error')).toHaveAttribute('data-path', 'sip.server')
  await input(page, 'sip.server').fill(lab.kamailio.wsUrl)
  await expect(page.getByTestId('settings-error')).toHaveCount(0)

  await page.getByTestId('settings-nav-ctiBasic').click()
  await input(page, 'cti.timeoutSeconds').fill('ten')
  await expect(page.getByTestId('setting-cti.timeoutSeconds')).toContainText('Integration timeout (s) must be a number')

  await page.getByTestId('settings-nav-custom').click()
  await page.getByTestId('access-tab-search').click()
  const url = input(page, 'cti.accesses.search.url')
  await url.fill('https://crm.example.com/search?tel=&sid={SID}')
  // The cursor right after "tel=", as if the agent had clicked there.
  await url.evaluate((el: HTMLInputElement) => el.setSelectionRange(el.value.indexOf('tel=') + 4, el.value.indexOf('tel=') + 4))
  await page.getByTestId('placeholders-cti.accesses.search.url').locator('[data-token="{TEL}"]').click()
  await expect(url).toHaveValue('https://crm.example.com/search?tel={TEL}&sid={SID}')
})

test('an import with errors changes nothing and names the wrong field', async ({ phones }) => {
  const { page } = await phones({ user: nextUser(), settings: { popup: { displaySeconds: 7 } } })
  await openSettings(page, 'backup')
  const file = page.getByTestId('import-file').locator('input[type=file]')
  await file.setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ popup: { displaySeconds: 30, anonymousLabel: 'x' }, sip: { server: 'http://pbx.example.com' } })),
  })
  await expect(page.getByTestId('import-errors')).toBeVisible()
  await expect(page.getByTestId('import-error')).toHaveAttribute('data-path', 'sip.server')
  await expect(page.getByTestId('import-error')).toContainText('SIP server (WebSocket URL) must be a ws:// or wss:// URL')

  await file.setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from('{"popup": {"displaySeconds": ') })
  await expect(page.getByTestId('import-error')).toContainText('The file is not valid JSON')

  await page.getByTestId('settings-nav-popup').click()
  await expect(input(page, 'popup.displaySeconds')).toHaveValue('7')
  await expect(input(page, 'popup.anonymousLabel')).toHaveValue('非通知')
  await page.reload()
  await openSettings(page, 'popup')
  await expect(input(page, 'popup.displaySeconds')).toHaveValue('7')
})

test('switching the language shows Japanese labels, and the choice is kept', async ({ phones }) => {
  const { page } = await phones({ user: nextUser() })
  // The browser prefers English here, so "auto" starts in English.
  await expect(page.getByTestId('app-menu')).toHaveAttribute('aria-label', 'Menu')
  await openSettings(page, 'language')
  await page.getByTestId('language-ja').click()
  await expect(page.getByTestId('settings-nav-ctiBasic')).toHaveText('基本設定')
  await expect(page.getByTestId('settings-nav-custom')).toHaveText('カスタム連携')
  await expect(page.getByTestId('settings').getByText('表示言語').first()).toBeVisible()
  await page.getByTestId('settings-close').click()
  await expect(page.getByTestId('app-menu')).toHaveAttribute('aria-label', 'メニュー')
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja')

  await page.reload()
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('app-menu')).toHaveAttribute('aria-label', 'メニュー')
})

test('a browser that prefers Japanese gets Japanese without any setting', async ({ phones }) => {
  const { page } = await phones({ user: nextUser(), contextOptions: { locale: 'ja-JP' } })
  await expect(page.getByTestId('app-menu')).toHaveAttribute('aria-label', 'メニュー')
  await openSettings(page, 'language')
  await expect(page.getByTestId('language-switch').locator('[value="auto"]')).toHaveClass(/v-btn--active/)
})

test('the test console runs the search against the CRM and shows the extracted values, passwords masked', async ({ phones, lab }) => {
  const { page } = await phones({ user: nextUser(), settings: { cti: { target: 'custom', accesses: crmAccesses(lab) }, agent: { id: 'agent01', password: 'pass01' } } })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  await openSettings(page, 'custom')

  // Auth first: its {SID} is offered to the search.
  await page.getByTestId('try-auth').click()
  let console = page.getByTestId('test-console')
  await expect(console.getByTestId('console-request-url')).toHaveText(`${lab.crm.url}/login?userid=agent01&password=***`)
  await console.getByTestId('console-run').click()
  await expect(console.getByTestId('console-value').and(page.locator('[data-name="SID"]'))).toContainText('SID-')
  await expect(console).not.toContainText('pass01')
  await console.getByTestId('console-close').click()
  await expect(console).toBeHidden()

  await page.getByTestId('access-tab-search').click()
  await page.getByTestId('try-search').click()
  console = page.getByTestId('test-console')
  await console.getByTestId('console-fact-remoteUser').locator('input').fill('06-6333-4444#A1')
  await expect(console.getByTestId('console-request-url')).toContainText(`${lab.crm.url}/search?tel=06-6333-4444&sid=SID-`)
  lab.crm.clear()
  await console.getByTestId('console-run').click()
  await expect(console.getByTestId('console-status')).toHaveAttribute('data-status', '200')
  await expect(console.getByTestId('console-value').and(page.locator('[data-name="NAME"]'))).toContainText('佐藤 花子')
  await expect(console.getByTestId('console-value').and(page.locator('[data-name="COMPANY"]'))).toContainText('大阪物産株式会社')
  expect(lab.crm.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /search'])
})

test('a remembered agent password survives a reload as a prefilled login (the login screen shows at each start); signing out forgets it', async ({ phones, lab }) => {
  const { page } = await phones({ user: nextUser(), settings: { cti: { target: 'custom', accesses: crmAccesses(lab) } } })
  const login = page.getByTestId('agent-login')
  await expect(login).toBeVisible()
  await login.getByTestId('login-id').locator('input').fill('agent01')
  await login.getByTestId('login-password').locator('input').fill('pass01')
  await login.getByTestId('login-remember').locator('input').check()
  await login.getByTestId('login-submit').click()
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  // docs/cti-integration.md §1: the login screen pops up at each start unless IT provisioned the
  // agent; a remembered password only fills it in.
  await page.reload()
  await expect(login).toBeVisible()
  await expect(login.getByTestId('login-id').locator('input')).toHaveValue('agent01')
  await expect(login.getByTestId('login-password').locator('input')).toHaveValue('pass01')
  await login.getByTestId('login-submit').click()
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  await expect(login).toBeHidden()

  await page.getByTestId('cti-logout').click()
  await expect(login).toBeVisible()
  await page.reload()
  await expect(login).toBeVisible()
  await expect(login.getByTestId('login-id').locator('input')).toHaveValue('agent01')
  await expect(login.getByTestId('login-password').locator('input')).toHaveValue('')
})

test('#config=<base64url JSON> provisions without a file server where deploy.json allows it, and the version dialog tells what runs', async ({ browser, lab }) => {
  const doc = { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user: nextUser(), password: '' } }
  const encoded = Buffer.from(JSON.stringify(doc)).toString('base64url')
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'] })
  // A lab's deployment: unsigned links accepted (the default, "off", refuses them).
  lab.setDeploy({ ...labDeployment(lab), provisioning: { origins: [lab.crm.url], hashConfig: 'any' } })
  try {
    const page = await context.newPage()
    await page.goto(`${lab.appUrl}/#config=${encoded}`)
    await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
    await page.getByTestId('app-menu').click()
    await page.getByTestId('menu-about').click()
    await expect(page.getByTestId('about-version')).toHaveText(/^\d+\.\d+\.\d+/)
    await expect(page.getByTestId('about-sipjs')).toHaveText('0.21.2')
    await expect(page.getByTestId('about-build')).not.toBeEmpty()
  } finally {
    lab.setDeploy(labDeployment(lab))
    await context.close()
  }
})
