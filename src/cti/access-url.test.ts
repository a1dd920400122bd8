import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { accessUrlProblem, isHttpUrl, isServerAddress } from './access-url'
import { checkCtiSection } from './schema'

describe('accessUrlProblem', () => {
  it.each([
    ['get', 'https://crm.example/search?tel={TEL}'],
    ['get-internal', 'HTTP://crm.example/login?u={AID}'],
    ['post', '{SVADDR}/crm/ring?tel={TEL}'],
    ['post-internal', '  http://127.0.0.1:8090/x  '],
    ['none', ''],
    ['get', ''],
    ['command', '"C:\\Program Files\\crm.exe" {TEL}'],
    ['command', '/usr/bin/notify-send {NAME}'],
    ['command', 'C:\\Program Files\\sample.exe'],
  ])('%s %j is accepted', (method, url) => {
    expect(accessUrlProblem(method, url)).toBeUndefined()
  })

  it.each([
    ['get', 'javascript:alert(document.cookie)'],
    ['get', ' JavaScript:alert(1)'],
    ['post', 'data:text/html,<script>alert(1)</script>'],
    ['get-internal', 'file:///etc/passwd'],
    ['post-internal', '//evil.example/x'],
    ['get', '{TEL}'],
    ['get', 'https://'],
    ['none', 'javascript:alert(1)'],
    ['get', 'crm.example/search'],
  ])('%s %j is refused (url-scheme)', (method, url) => {
    expect(accessUrlProblem(method, url)).toBe('url-scheme')
  })

  it.each(['{TEL}', '"{NAME}" --flag', '{SVADDR}/x.exe'])('command %j: the program cannot be a placeholder', (url) => {
    expect(accessUrlProblem('command', url)).toBe('command-program')
  })
})

describe('isHttpUrl / isServerAddress', () => {
  it.each([
    ['https://pbx.example:8000', true],
    ['http://127.0.0.1', true],
    ['javascript:alert(1)', false],
    ['https://user@evil', false],
    ['data:,x', false],
  ])('%j → %s', (url, ok) => {
    expect(isHttpUrl(url)).toBe(ok)
  })
  it('an empty server address means "derive it"', () => {
    expect(isServerAddress('')).toBe(true)
    expect(isServerAddress('javascript:x')).toBe(false)
  })
})

describe('the cti schema uses the same check', () => {
  it.each(['javascript:alert(1)', 'data:text/html,x'])('refuses %j with the access path', (url) => {
    const result = checkCtiSection({ accesses: { ring: { method: 'get', url } } })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues.map((issue) => v.getDotPath(issue))).toEqual(['accesses.ring.url'])
  })
  it('refuses a serverAddress that is no http(s) URL', () => {
    expect(checkCtiSection({ serverAddress: 'javascript:alert(1)//' }).ok).toBe(false)
  })
})
