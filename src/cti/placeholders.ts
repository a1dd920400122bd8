/**
 * Placeholder names of docs/cti-integration.md §6. Built-in names win over extracted variables of
 * the same name; `NAME` and `COMPANY` are not built-in but always known (the original fills them
 * from Salesforce; here a response format does), so they never show as "unknown" in the log.
 */

export const BUILTIN_NAMES = [
  'TEL',
  'TELNAME',
  'CALLED',
  'CALLEDNAME',
  'REMOTE',
  'DIRECTION',
  'ID',
  'CODE1',
  'CODE2',
  'SFID',
  'DATE-YYYY',
  'DATE-MM',
  'DATE-DD',
  'DATE-HH',
  'DATE-II',
  'DATE-SS',
  'AID',
  'APW',
  'EXT',
  'SVADDR',
  // The history access's call record (./call-record.ts); empty in every other access.
  'RESULT',
  'START',
  'ANSWERED',
  'END',
  'DURATION',
  'RECORDED',
  // The recording access's part of the call's recording (1-based); empty in every other access.
  'PART',
] as const
export type BuiltinName = (typeof BUILTIN_NAMES)[number]

/** Extracted names that are known even when no format extracts them. */
export const ALWAYS_KNOWN_EXTRACTED = ['NAME', 'COMPANY'] as const

const builtins: ReadonlySet<string> = new Set(BUILTIN_NAMES)

export function isBuiltinName(name: string): name is BuiltinName {
  return builtins.has(name)
}
