/**
 * The history as a CSV file Excel opens with Japanese intact: UTF-8 with BOM, CRLF, one header
 * row, ISO 8601 local times. Cells a spreadsheet would run as a formula (a caller's name or a CRM
 * value starting with `=`, `+`, `@` …) get a leading apostrophe (papaparse's `escapeFormulae`).
 */
import Papa from 'papaparse'
import type { HistoryRow } from './record'

export const HISTORY_CSV_COLUMNS = [
  'start', 'answered', 'end', 'direction', 'result', 'number', 'name', 'company', 'durationSeconds',
  'endedBy', 'requestId', 'code1', 'code2', 'cutOff',
] as const

/** ISO 8601 with the local offset (`2026-12-01T09:30:00+09:00`), '' for none. */
export function localIso(epochMs: number | undefined, offsetMinutes = -new Date(epochMs ?? 0).getTimezoneOffset()): string {
  if (epochMs === undefined) return ''
  const shifted = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMinutes)
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

export function historyCsv(rows: readonly HistoryRow[], offsetMinutes?: number): string {
  const data = rows.map((row) => [
    localIso(row.startedAt, offsetMinutes), localIso(row.answeredAt, offsetMinutes), localIso(row.endedAt, offsetMinutes),
    row.direction, row.result, row.remoteNumber, row.values.NAME || row.phonebookName || row.sipName || '', row.values.COMPANY ?? '',
    String(row.durationSeconds), row.endedBy, row.requestId ?? '', row.code1 ?? '', row.code2 ?? '', row.cutOff ? '1' : '0',
  ])
  return `\ufeff${Papa.unparse({ fields: [...HISTORY_CSV_COLUMNS], data }, { newline: '\r\n', escapeFormulae: true })}\r\n`
}
