import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { startKamailio } from '../lab/kamailio.mjs'
import { startCrm } from '../lab/crm-server.mjs'
import { startStaticServer } from '../lab/static-server.mjs'

export interface Lab {
  kamailio: Awaited<ReturnType<typeof startKamailio>>
  crm: Awaited<ReturnType<typeof startCrm>>
  appUrl: string
  /** Serves this deploy.json next to the phone (undefined: none, i.e. the defaults); see {@link labDeployment}. */
  setDeploy(doc: unknown): void
}

/**
 * The lab's deploy.json, as IT would write it: provisioning documents come from the CRM
 * stand-in's origin, and its click-to-dial links dial without asking.
 */
export function labDeployment(lab: Pick<Lab, 'crm'>): Record<string, unknown> {
  return { provisioning: { origins: [lab.crm.url] }, dial: { trustedOrigins: [lab.crm.url] } }
}

export interface PhoneOptions {
  user: string
  displayName?: string
  /** Settings laid over the SIP account in the provisioning document. */
  settings?: Record<string, unknown>
  /** Overrides `sip.server` (e.g. a wss:// URL). */
  server?: string
  /** Extra query parameters for the page URL. */
  query?: Record<string, string>
  /** Skip waiting for registration. */
  noWait?: boolean
  /** The page that "opened" the phone (document.referrer), e.g. a CRM page with a click-to-dial link. */
  referer?: string
  /** Extra browser-context options (e.g. `ignoreHTTPSErrors` for a self-signed wss:// server). */
  contextOptions?: Parameters<Browser['newContext']>[0]
}

export interface Phone {
  page: Page
  context: BrowserContext
  user: string
}

let provisionSeq = 0

/** Provisions a page through `?config=` served by the CRM stand-in, like IT would. */
export async function openPhone(browser: Browser, lab: Lab, options: PhoneOptions): Promise<Phone> {
  const context = await browser.newContext({ permissions: ['microphone', 'notifications'], ...options.contextOptions })
  const page = await context.newPage()
  await provisionPage(page, lab, options)
  return { page, context, user: options.user }
}

/** Opens the phone in `page` with a provisioning document for `options` (any kind of context). */
export async function provisionPage(page: Page, lab: Lab, options: PhoneOptions): Promise<void> {
  page.on('pageerror', (error) => console.log(`[page ${options.user}] ${error.message}`))
  const name = `p${++provisionSeq}-${options.user}`
  lab.crm.setProvision(name, {
    version: 1,
    ...options.settings,
    sip: {
      server: options.server ?? lab.kamailio.wsUrl,
      domain: lab.kamailio.domain,
      user: options.user,
      password: '',
      displayName: options.displayName ?? `Agent ${options.user}`,
      ...(options.settings?.sip as object | undefined),
    },
  })
  const query = new URLSearchParams({ config: `${lab.crm.url}/provision/${name}.json`, ...options.query })
  await page.goto(`${lab.appUrl}/?${query}`, options.referer ? { referer: options.referer } : {})
  if (!options.noWait) await expect(page.getByTestId('registration-status')).toHaveAttribute('data-state', 'registered')
}

export const test = base.extend<{ phones: (options: PhoneOptions) => Promise<Phone> }, { lab: Lab }>({
  lab: [async ({}, use) => {
    const kamailio = await startKamailio()
    const crm = await startCrm({})
    const app = await startStaticServer({ dir: 'dist' })
    const setDeploy = (doc: unknown) => app.setFile('/deploy.json', doc === undefined ? undefined : JSON.stringify(doc))
    setDeploy(labDeployment({ crm }))
    await use({ kamailio, crm, appUrl: app.url, setDeploy })
    await app.stop()
    await crm.stop()
    await kamailio.stop()
  }, { scope: 'worker' }],

  phones: async ({ browser, lab }, use, testInfo) => {
    const opened: Phone[] = []
    await use(async (options) => {
      const phone = await openPhone(browser, lab, options)
      opened.push(phone)
      return phone
    })
    if (testInfo.status !== testInfo.expectedStatus) {
      // What the PBX saw during the test: the first place to look when a call never arrived.
      await testInfo.attach('kamailio.log', { body: lab.kamailio.logs().slice(-200_000), contentType: 'text/plain' })
      await testInfo.attach('kamailio-locations.txt', { body: await lab.kamailio.locations().catch(String), contentType: 'text/plain' })
    }
    for (const phone of opened) await phone.context.close()
  },
})

export { expect }

let userSeq = 0
/** A fresh extension per test, so no test inherits another's registration. */
export function nextUser(): string {
  userSeq += 1
  return String(3000 + ((process.pid * 7 + userSeq) % 6000))
}
