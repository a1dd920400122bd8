import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from '@playwright/test'
import { CHROMIUM_ARGS } from '../playwright.config'
import { helperExtensionId } from '../helper/extension-id.mjs'
import { runSipp } from '../lab/sipp.mjs'
import { expect, nextUser, provisionPage, test, type Lab, type PhoneOptions } from './fixtures'

/**
 * The native helper end to end: Debian Chromium with the unpacked "Tsunagu helper" extension
 * (fixed key, so a fixed id), the real Node host found through a per-profile host manifest, and
 * an allow-list of the test's own. A sipp caller rings the phone; the `command` access starts an
 * allow-listed script that records its argv, and `via: "helper"` reaches a CRM without CORS.
 */
const EXTENSION_DIR = fileURLToPath(new URL('../helper/extension/', import.meta.url))
const HOST = fileURLToPath(new URL('../helper/host/tsunagu-helper.mjs', import.meta.url))

interface HelperWorld {
  dir: string
  /** The allow-listed program (with a space in its path): appends its argv as a JSON line. */
  recorder: string
  argvFile: string
  open(lab: Lab, options: PhoneOptions): Promise<Page>
}

const helperTest = test.extend<{ helper: HelperWorld }>({
  helper: async ({}, use) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsunagu-helper-e2e-'))
    const argvFile = path.join(dir, 'argv.jsonl')
    const recorder = path.join(dir, 'record argv.mjs')
    writeFileSync(recorder, `#!${process.execPath}\nimport { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)) + '\\n')\n`)
    chmodSync(recorder, 0o755)
    chmodSync(HOST, 0o755)
    const config = path.join(dir, 'helper.json')
    writeFileSync(config, JSON.stringify({ allow: [recorder] }))

    const profile = path.join(dir, 'profile')
    mkdirSync(path.join(profile, 'NativeMessagingHosts'), { recursive: true })
    writeFileSync(path.join(profile, 'NativeMessagingHosts', 'jp.tsunagu.helper.json'), JSON.stringify({
      name: 'jp.tsunagu.helper',
      description: 'Tsunagu helper (test)',
      path: HOST,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${helperExtensionId()}/`],
    }))

    const contexts: BrowserContext[] = []
    await use({
      dir, recorder, argvFile,
      async open(lab, options) {
        const context = await chromium.launchPersistentContext(profile, {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          headless: true,
          locale: 'en-US',
          permissions: ['microphone', 'notifications'],
          ignoreDefaultArgs: ['--disable-extensions'],
          args: [...CHROMIUM_ARGS, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`],
          // The host inherits Chromium's environment: this is how it finds the test's allow-list.
          env: { ...process.env, TSUNAGU_HELPER_CONFIG: config },
        })
        contexts.push(context)
        const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker')
        expect(new URL(worker.url()).host).toBe(helperExtensionId())
        const page = context.pages()[0] ?? await context.newPage()
        await provisionPage(page, lab, options)
        return page
      },
    })
    for (const context of contexts) await context.close()
    rmSync(dir, { recursive: true, force: true })
  },
})

function recorded(file: string): string[][] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[])
}

async function logIn(page: Page): Promise<void> {
  const dialog = page.getByTestId('agent-login')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('login-id').locator('input').fill('agent01')
  await dialog.getByTestId('login-password').locator('input').fill('pass01')
  await dialog.getByTestId('login-submit').click()
  await expect(dialog).toBeHidden()
}

test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
})

helperTest('a ring `command` access starts the allow-listed program with the exact argv, never through a shell', async ({ lab, helper }) => {
  const user = nextUser()
  const page = await helper.open(lab, {
    user,
    settings: { cti: { target: 'custom', accesses: { ring: { method: 'command', url: `"${helper.recorder}" {TEL} {TELNAME}` } } } },
  })
  await logIn(page)
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: '山田 太郎; rm -rf ~ $(id)' })
  await expect(page.getByTestId('incoming-popup').getByTestId('popup-number')).toHaveText('0312345678')
  await expect.poll(() => recorded(helper.argvFile)).toEqual([['0312345678', '山田 太郎; rm -rf ~ $(id)']])
  await sipp.hangUp()
  await sipp.done
  await expect(page.getByTestId('incoming-popup')).toBeHidden()
  await page.getByTestId('cti-log-toggle').click()
  await expect(page.getByTestId('cti-log-entry').and(page.locator('[data-access=ring][data-outcome=ok]'))).toHaveCount(1)
})

helperTest('`via: "helper"` reaches a CRM that sends no CORS headers: login and the popup name work', async ({ lab, helper }) => {
  const crm = lab.crm.url
  const user = nextUser()
  const page = await helper.open(lab, {
    user,
    settings: {
      cti: {
        target: 'custom',
        accesses: {
          auth: { method: 'get-internal', via: 'helper', url: `${crm}/login?userid={AID}&password={APW}`, format: '{SID}' },
          search: { method: 'get-internal', via: 'helper', url: `${crm}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
        },
      },
    },
  })
  // The provisioning document itself needs CORS; the CRM's accesses from here on do not.
  lab.crm.setBehaviour({ cors: false })
  await logIn(page)
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  const popup = page.getByTestId('incoming-popup')
  await expect(popup.getByTestId('popup-name')).toHaveText('山田 太郎')
  await expect(popup.getByTestId('popup-company')).toHaveText('株式会社つなぐ商事')
  await sipp.hangUp()
  await sipp.done
  expect(lab.crm.requests().filter((r) => r.path === '/search')).toHaveLength(1)
})

test('without the helper, a `command` access is logged as helper-not-installed', async ({ lab, phones }) => {
  const user = nextUser()
  const { page } = await phones({
    user,
    settings: { cti: { target: 'custom', accesses: { ring: { method: 'command', url: '"/usr/local/bin/crm-open" {TEL}' } } } },
  })
  await logIn(page)
  const sipp = await runSipp({ scenario: 'cancel', untilHangUp: true, udpPort: lab.kamailio.udpPort, to: user, fromUser: '0312345678', fromName: 'Yamada' })
  await expect(page.getByTestId('incoming-popup').getByTestId('popup-number')).toHaveText('0312345678')
  await sipp.hangUp()
  await sipp.done
  await expect(page.getByTestId('incoming-popup')).toBeHidden()
  await page.getByTestId('cti-log-toggle').click()
  const ring = page.getByTestId('cti-log-entry').and(page.locator('[data-access=ring][data-outcome=failed]'))
  await expect(ring).toContainText('helper-not-installed')
})
