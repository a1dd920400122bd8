export type * from './softphone'
export { registrationStateOf } from './registration-state'

/**
 * sip.js is ~70 KB of gzip JavaScript: it is loaded with the first registration, not
 * with the first paint.
 */
export async function createSoftphone(config: import('./softphone').SoftphoneConfig): Promise<import('./softphone').Softphone> {
  const { browserSoftphone } = await import('./sipjs/browser-softphone')
  return browserSoftphone(config)
}

/** Loads sip.js ahead of need: a tab that may take the line over registers without that wait. */
export function preloadSoftphone(): Promise<unknown> {
  return import('./sipjs/sipjs-softphone').catch(() => undefined)
}
