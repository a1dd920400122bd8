/**
 * Placeholder filters for phone numbers (docs/cti-integration.md §6): `{TEL|e164}`,
 * `{TEL|national}`, `{TEL|digits}`, by libphonenumber-js with the default region JP. A value that is
 * no valid number falls back to its digits (so `{EXT|e164}` of `1001` is `1001`, never `+811001`).
 */

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min'

export const NUMBER_FILTERS = ['e164', 'national', 'digits'] as const
export type NumberFilter = (typeof NUMBER_FILTERS)[number]

export const DEFAULT_REGION: CountryCode = 'JP'

export function isNumberFilter(name: string): name is NumberFilter {
  return (NUMBER_FILTERS as readonly string[]).includes(name)
}

export function digitsOnly(text: string): string {
  return text.replace(/\D/g, '')
}

/**
 * Applies a filter. For a valid number of the default region `national` is its national form
 * (`03-1234-5678`) and `digits` its national digits (`0312345678`); a valid foreign number keeps
 * its country: `national` gives the international form (`+1 415 555 2671`), `digits` the digits
 * as written. Empty stays empty.
 */
export function applyNumberFilter(value: string, filter: NumberFilter, region: CountryCode = DEFAULT_REGION): string {
  const digits = digitsOnly(value)
  const phone = parsePhoneNumberFromString(value, region)
  if (!phone?.isValid()) return digits
  const home = phone.country === region
  switch (filter) {
    case 'e164':
      return phone.number
    case 'national':
      return home ? phone.formatNational() : phone.formatInternational()
    case 'digits':
      return home ? digitsOnly(phone.formatNational()) : digits
  }
}
