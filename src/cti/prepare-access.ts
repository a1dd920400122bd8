/**
 * Turns an access and its variables into the exact request of its method (docs/cti-integration.md
 * §5), without running anything — the runner executes it, a test console can show it.
 *
 * | method          | request                                                                |
 * |-----------------|------------------------------------------------------------------------|
 * | `get`           | open the expanded URL in the named CRM tab                              |
 * | `post`          | the URL without its query is the form action; each `&`-separated item  |
 * |                 | of the query, decoded once, is a field (`k` alone = empty value); UTF-8 |
 * | `get-internal`  | HTTP GET of the expanded URL                                            |
 * | `post-internal` | HTTP POST to the URL without its query; the expanded query string is   |
 * |                 | the `application/x-www-form-urlencoded` body, byte for byte             |
 * | `command`       | argv: the template split first, then values substituted per argument    |
 */

import { decodeFormComponent, type CharsetEncoder } from './charset'
import type { AccessConfig } from './config'
import { multipartBody, multipartLabel, type UploadFile } from './multipart'
import { expandCommand, expandTemplate, type TemplateVariables } from './template'

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

export type PreparedRequest =
  | { readonly kind: 'tab'; readonly url: string }
  | { readonly kind: 'form'; readonly url: string; readonly query: string; readonly fields: readonly (readonly [string, string])[] }
  | {
      readonly kind: 'http'
      readonly method: 'GET' | 'POST'
      readonly url: string
      readonly body?: string | Uint8Array<ArrayBuffer>
      readonly headers?: Readonly<Record<string, string>>
      /** What the CTI log shows of a body that is bytes (the recording upload). */
      readonly bodyLabel?: string
    }
  | { readonly kind: 'command'; readonly argv: readonly string[]; readonly fromPlaceholder: readonly boolean[] }

export type PreparedAccess = PreparedRequest & { readonly warnings: readonly string[] }

/** Splits `base?query#fragment`; the fragment is dropped (it is never sent to a server). */
export function splitQuery(url: string): { base: string; query: string } {
  const withoutFragment = url.split('#', 1)[0]!
  const mark = withoutFragment.indexOf('?')
  if (mark < 0) return { base: withoutFragment, query: '' }
  return { base: withoutFragment.slice(0, mark), query: withoutFragment.slice(mark + 1) }
}

/** Form fields of a query string: each item decoded once; an item without `=` has an empty value. */
export function queryFields(query: string): [string, string][] {
  return query
    .split('&')
    .filter((item) => item !== '')
    .map((item) => {
      const equals = item.indexOf('=')
      if (equals < 0) return [decodeFormComponent(item), '']
      return [decodeFormComponent(item.slice(0, equals)), decodeFormComponent(item.slice(equals + 1))]
    })
}

/** Prepares an access; undefined for method `none`. */
export function prepareAccess(access: AccessConfig, variables: TemplateVariables, encoder?: CharsetEncoder): PreparedAccess | undefined {
  const urlMode = (charset: string | undefined) => ({ kind: 'url', charset, encoder }) as const
  switch (access.method) {
    case 'command': {
      const { argv, warnings, fromPlaceholder } = expandCommand(access.url, variables)
      return { kind: 'command', argv, fromPlaceholder, warnings }
    }
    case 'post': {
      // docs/cti-integration.md §5: the browser form is always UTF-8, whatever the access's charset.
      const { text, warnings } = expandTemplate(access.url.trim(), variables, urlMode('utf-8'))
      const { base, query } = splitQuery(text)
      return { kind: 'form', url: base, query, fields: queryFields(query), warnings }
    }
    case 'get': {
      const { text, warnings } = expandTemplate(access.url.trim(), variables, urlMode(access.charset))
      return { kind: 'tab', url: text, warnings }
    }
    case 'get-internal': {
      const { text, warnings } = expandTemplate(access.url.trim(), variables, urlMode(access.charset))
      return { kind: 'http', method: 'GET', url: text, warnings }
    }
    case 'post-internal': {
      const { text, warnings } = expandTemplate(access.url.trim(), variables, urlMode(access.charset))
      const { base, query } = splitQuery(text)
      return { kind: 'http', method: 'POST', url: base, body: query, headers: { 'content-type': FORM_CONTENT_TYPE }, warnings }
    }
    case 'none':
      return undefined
  }
}

/** The file of the recording access, without its form field (the access config names that). */
export type UploadContent = Omit<UploadFile, 'field'>

/**
 * The recording access (docs/cti-integration.md §8): HTTP POST of `multipart/form-data` to the
 * expanded URL (`{ID}` …, percent-encoded as in any URL), the extra fields expanded as plain
 * text (a form part needs no encoding), then the file. Only `post-internal` uploads; any other
 * method gives undefined (not sent; the config warns).
 */
export function prepareUpload(access: AccessConfig, variables: TemplateVariables, content: UploadContent, boundaryDigits: string, encoder?: CharsetEncoder): PreparedAccess | undefined {
  if (access.method !== 'post-internal') return undefined
  const { text, warnings } = expandTemplate(access.url.trim(), variables, { kind: 'url', charset: access.charset, encoder })
  const all = [...warnings]
  const fields = (access.fields ?? []).map(([name, template]) => {
    const expanded = expandTemplate(template, variables, { kind: 'raw' })
    all.push(...expanded.warnings)
    return [name, expanded.text] as const
  })
  const file = { ...content, field: access.field ?? 'file' }
  const { body, contentType } = multipartBody(fields, file, boundaryDigits)
  return { kind: 'http', method: 'POST', url: text, body, headers: { 'content-type': contentType }, bodyLabel: multipartLabel(fields, file), warnings: all }
}
