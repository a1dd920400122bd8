// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { crmTabName, launcher as launcherWindow, openCrmTab, postCrmTab } from './crm-tab'

/** The iframe's own form class: its documents' forms are not the phone's. */
const formClass = (frame: HTMLIFrameElement) => (frame.contentWindow as unknown as { HTMLFormElement: typeof HTMLFormElement }).HTMLFormElement

/** The hidden launcher iframe; its `open` is what the CRM tab's opener becomes. */
const launcher = () => document.querySelector<HTMLIFrameElement>('iframe[data-testid="crm-tab-launcher"]')

afterEach(() => {
  vi.restoreAllMocks()
  launcher()?.remove()
  window.name = ''
})

describe('openCrmTab', () => {
  it('opens the named tab from a hidden same-origin iframe, never from the phone’s own window', () => {
    const topOpen = vi.spyOn(window, 'open')
    launcherWindow()
    const frame = launcher()!
    expect(frame.hidden).toBe(true)
    const frameOpen = vi.spyOn(frame.contentWindow!, 'open').mockReturnValue({} as Window)
    expect(openCrmTab('https://crm.example/c?tel=03', 'crm')).toBe(true)
    expect(openCrmTab('https://crm.example/c?tel=06', 'crm')).toBe(true)
    expect(frameOpen.mock.calls).toEqual([['https://crm.example/c?tel=03', 'crm'], ['https://crm.example/c?tel=06', 'crm']])
    expect(topOpen).not.toHaveBeenCalled()
    // one launcher, reused: a new one would lose the named tab
    expect(document.querySelectorAll('iframe')).toHaveLength(1)
  })

  it('reports a blocked pop-up', () => {
    launcherWindow()
    vi.spyOn(launcher()!.contentWindow!, 'open').mockReturnValue(null)
    expect(openCrmTab('https://crm.example/c', 'crm')).toBe(false)
  })

  it('never uses the phone’s own window name', () => {
    window.name = 'phone'
    expect(crmTabName('phone')).toBe('phone-crm')
    expect(crmTabName('')).toBe('tsunagu-crm-crm')
    expect(crmTabName('crm')).toBe('crm')
  })
})

describe('postCrmTab', () => {
  it('submits the form from the iframe’s document into the named tab', () => {
    launcherWindow()
    const frame = launcher()!
    vi.spyOn(frame.contentWindow!, 'open').mockReturnValue({} as Window)
    const submitted: { action: string; target: string; fields: [string, string][]; owner: Document }[] = []
    vi.spyOn(formClass(frame).prototype, 'submit').mockImplementation(function (this: HTMLFormElement) {
      const fields = [...this.querySelectorAll('input')].map((input) => [input.name, input.value] as [string, string])
      submitted.push({ action: this.action, target: this.target, fields, owner: this.ownerDocument })
    })
    expect(postCrmTab('https://crm.example/open', [['tel', '03'], ['name', '山田']], 'crm')).toBe(true)
    expect(submitted).toEqual([{ action: 'https://crm.example/open', target: 'crm', fields: [['tel', '03'], ['name', '山田']], owner: frame.contentDocument }])
  })

  it('posts nothing when the tab is blocked', () => {
    launcherWindow()
    const frame = launcher()!
    vi.spyOn(frame.contentWindow!, 'open').mockReturnValue(null)
    const submit = vi.spyOn(formClass(frame).prototype, 'submit')
    expect(postCrmTab('https://crm.example/open', [], 'crm')).toBe(false)
    expect(submit).not.toHaveBeenCalled()
  })
})
