import { describe, expect, it } from 'vitest'
import { deepMerge } from './merge'
import { defaultSettings, parseSettings } from './settings'
import { validateDocument } from './validate'

const paths = (doc: unknown, cti: 'strict' | 'lenient' = 'strict') => validateDocument(doc, { cti }).errors.map((e) => e.path)
const over = (patch: unknown) => deepMerge(defaultSettings(), patch)

describe('validateDocument (schema validation)', () => {
  it('accepts the defaults and a complete CTI configuration', () => {
    expect(paths(defaultSettings())).toEqual([])
    expect(paths(over({
      sip: { server: 'wss://pbx.example.com:8089/ws', domain: 'pbx.example.com', user: '1001', iceServers: [{ urls: ['stun:a', 'turn:b'], username: 'u', credential: 'c' }] },
      cti: {
        target: 'custom', targetNumbers: ['0501111'], numbers: ['0501111'], requestIdHeader: 'X-Request-Id', calledHeader: null,
        accesses: {
          auth: { method: 'get-internal', url: 'https://crm/login?u={AID}&p={APW}', format: '{SID}', charset: 'Shift_JIS' },
          search: { method: 'post-internal', url: 'https://crm/s?tel={TEL}', format: { json: { NAME: '/name', COMPANY: '' } } },
          ring: { method: 'get', url: 'https://crm/?tel={TEL}', format: { regex: '(?<NAME>x)', flags: 's' }, via: 'helper' },
          answer: { method: 'command', url: '"C:\\x.exe" {TEL}', delaySeconds: 2 },
          hangup: { method: 'none', onlyIfAnswered: true, credentials: 'include' },
        },
      },
      locked: ['sip.server', 'cti.accesses', 'cti'],
      ui: { language: 'ja' },
    }))).toEqual([])
  })

  it.each([
    [{ sip: { server: 'http://pbx' } }, 'sip.server', 'ws-url'],
    [{ sip: { server: 'wss://pbx/ws', user: '1001' } }, 'sip.domain', 'required-for-sip'],
    [{ sip: { user: 1001 } }, 'sip.user', 'text'],
    [{ version: 2 }, 'version', 'version'],
    [{ sip: { iceServers: 'stun:x' } }, 'sip.iceServers', 'list'],
    [{ sip: { iceServers: [{ urls: 3 }] } }, 'sip.iceServers.0.urls', 'ice-urls'],
    [{ popup: { size: 'huge' } }, 'popup.size', 'one-of'],
    [{ popup: { displaySeconds: -1 } }, 'popup.displaySeconds', 'min'],
    [{ call: { autoAnswerSeconds: 601 } }, 'call.autoAnswerSeconds', 'max'],
    [{ call: { dnd: 'yes' } }, 'call.dnd', 'boolean'],
    [{ ui: { language: 'fr' } }, 'ui.language', 'one-of'],
    [{ locked: ['sip.sever'] }, 'locked.0', 'lock-path'],
    [{ locked: ['locked'] }, 'locked.0', 'lock-path'],
    [{ locked: ['constructor'] }, 'locked.0', 'lock-path'],
    [{ locked: ['__proto__'] }, 'locked.0', 'lock-path'],
    [{ locked: ['toString'] }, 'locked.0', 'lock-path'],
    [{ locked: ['sip.constructor'] }, 'locked.0', 'lock-path'],
    [{ locked: ['cti.accesses.hasOwnProperty'] }, 'locked.0', 'lock-path'],
    [{ cti: { accesses: { ring: { method: 'get', url: 'javascript:alert(document.cookie)' } } } }, 'cti.accesses.ring.url', 'url-scheme'],
    [{ cti: { accesses: { auth: { method: 'get-internal', url: 'data:text/plain,SID' } } } }, 'cti.accesses.auth.url', 'url-scheme'],
    [{ cti: { accesses: { hangup: { method: 'post', url: 'file:///etc/passwd' } } } }, 'cti.accesses.hangup.url', 'url-scheme'],
    [{ cti: { accesses: { answer: { method: 'command', url: '{TEL} --x' } } } }, 'cti.accesses.answer.url', 'command-program'],
    [{ cti: { serverAddress: 'javascript:alert(1)//' } }, 'cti.serverAddress', 'http-url'],
    [{ cti: { timeoutSeconds: 'ten' } }, 'cti.timeoutSeconds', 'number'],
    [{ cti: { internalPattern: '(' } }, 'cti.internalPattern', 'regex'],
    [{ cti: { targetNumbers: 'some' } }, 'cti.targetNumbers', 'all-or-list'],
    [{ cti: { tabName: '_self' } }, 'cti.tabName', 'tab-name'],
    [{ cti: { requestIdHeader: 'X Request' } }, 'cti.requestIdHeader', 'header-name'],
    [{ cti: { accesses: { search: { method: 'get-internal' } } } }, 'cti.accesses.search.url', 'url-required'],
    [{ cti: { accesses: { search: { method: 'fetch', url: 'https://crm/x' } } } }, 'cti.accesses.search.method', 'one-of'],
    [{ cti: { accesses: { auth: { method: 'none', format: 5 } } } }, 'cti.accesses.auth.format', 'format'],
    [{ cti: { accesses: { auth: { method: 'none', charset: 'klingon' } } } }, 'cti.accesses.auth.charset', 'charset'],
  ])('names the wrong field in %j', (patch, path, code) => {
    const errors = validateDocument(over(patch), { cti: 'strict' }).errors
    expect(errors.map((e) => [e.path, e.code])).toContainEqual([path, code])
    expect(errors.find((e) => e.path === path)?.message).toBeTruthy()
  })

  it('refuses javascript: and data: access URLs at start-up too (lenient), and a lock on an inherited name without throwing', () => {
    expect(paths(over({ cti: { accesses: { ring: { method: 'get', url: 'javascript:alert(1)' } } } }), 'lenient')).toEqual(['cti.accesses.ring.url'])
    expect(paths(over({ cti: { accesses: { ring: { method: 'none', url: 'data:text/html,x' } } } }), 'lenient')).toEqual(['cti.accesses.ring.url'])
    expect(() => validateDocument(over({ locked: ['constructor', '__proto__'] }), { cti: 'lenient' })).not.toThrow()
    expect(paths(over({ locked: ['constructor'] }), 'lenient')).toEqual(['locked.0'])
  })

  it('leaves cti problems to the CTI engine at start-up (lenient), but not the section type', () => {
    expect(paths(over({ cti: { timeoutSeconds: 'ten' } }), 'lenient')).toEqual([])
    expect(paths(over({ cti: 'on' }), 'lenient')).toEqual(['cti'])
  })

  it('warns about unknown keys instead of failing, so a newer document still loads', () => {
    const result = validateDocument(over({ sip: { sever: 'x' }, future: {} }), { cti: 'strict' })
    expect(result.errors).toEqual([])
    expect(result.warnings.map((w) => w.path).sort()).toEqual(['future', 'sip.sever'])
  })

  it('gives English messages with their parameters', () => {
    const [error] = validateDocument(over({ popup: { size: 'huge' } }), { cti: 'strict' }).errors
    expect(error?.message).toBe('must be one of standard, large, hidden')
  })
})

describe('parseSettings', () => {
  it('accepts the minimal provisioning form of the foundation', () => {
    const result = parseSettings({ version: 1, sip: { server: 'ws://127.0.0.1:8088', domain: '127.0.0.1', user: '1001', password: '', displayName: 'Agent 1001' } })
    expect(result.ok && result.settings.sip.user).toBe('1001')
    expect(result.ok && result.settings.popup.anonymousLabel).toBe('非通知')
  })

  it('rejects a non-object', () => {
    expect(parseSettings('[]').ok).toBe(false)
    expect(parseSettings([1]).ok).toBe(false)
  })
})
