/**
 * Who was who in a past call, from its history row: the placeholders a CRM access gets when the
 * agent presses "Open in CRM" on the row (`{TEL}`, `{CALLED}`, `{REMOTE}`, `{ID}`, codes, names),
 * as the call's own accesses had them (docs/cti-integration.md §6).
 */
import type { CallParties } from '@/cti/call-parties'
import type { HistoryRow } from './record'

export function rowParties(row: HistoryRow): CallParties {
  const name = row.phonebookName ?? row.sipName ?? ''
  const common = { code1: row.code1 ?? '', code2: row.code2 ?? '', remote: row.remoteNumber, requestId: row.requestId ?? '' }
  return row.direction === 'in'
    ? { ...common, direction: 'in', tel: row.remoteNumber, anonymous: row.remoteNumber === '', called: row.localNumber, telName: name, calledName: '' }
    : { ...common, direction: 'out', tel: row.localNumber, anonymous: false, called: row.remoteNumber, telName: '', calledName: name }
}
