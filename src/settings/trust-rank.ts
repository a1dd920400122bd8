/**
 * The two levels of trust a provisioning source can have (README "Trust model"): IT's sources
 * (`?config=` on the phone's or a listed origin, a signed `#config=`) above a link (an unsigned
 * `#config=` where deploy.json allows it). Apart from `./trust.ts`, which decides a source's
 * level, so that applying a document does not need the signature code at start-up.
 */
export type Trust = 'it' | 'link'

export function trustRank(trust: Trust): number {
  return trust === 'it' ? 2 : 1
}
