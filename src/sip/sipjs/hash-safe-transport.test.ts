import { describe, expect, it, vi } from 'vitest'
import { hashSafe, messageChannelTask, type TransportConstructor } from './hash-safe-transport'

class Bare {
  onMessage: ((message: string) => void) | undefined
  send() {
    return Promise.resolve()
  }
}

const INVITE = 'INVITE sip:1001@x SIP/2.0\r\nTo: <sip:1001@x>\r\nFrom: <sip:1002@x>;tag=a\r\n\r\n'
const CANCEL = 'CANCEL sip:1001@x SIP/2.0\r\nTo: <sip:1001@x>\r\n\r\n'

function transport(hooks: Parameters<typeof hashSafe>[1]) {
  const T = hashSafe(Bare as unknown as TransportConstructor, hooks)
  const t = new T(undefined, {}) as unknown as Bare
  const got: string[] = []
  return { t, got }
}

describe('the receive path behind a previewed INVITE', () => {
  it('holds what follows the INVITE and hands it all to sip.js in the next task, in order; a message sip.js throws on does not stall the rest', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const after = vi.fn()
    const { t, got } = transport({ initialInvite: () => after, nextTask: messageChannelTask })
    t.onMessage = (m) => {
      got.push(m.split(' ')[0]!)
      if (m.startsWith('INVITE')) throw new Error('sip.js broke')
    }
    t.onMessage!(INVITE)
    t.onMessage!(CANCEL)
    expect(got).toEqual([])
    await vi.waitFor(() => expect(got).toEqual(['INVITE', 'CANCEL']))
    expect(after).toHaveBeenCalledOnce()
    // Nothing left held: the next message goes straight through.
    t.onMessage!(CANCEL)
    expect(got).toEqual(['INVITE', 'CANCEL', 'CANCEL'])
    warn.mockRestore()
  })

  it('one page-wide channel runs many tasks in order', async () => {
    const ran: number[] = []
    for (let i = 0; i < 50; i++) messageChannelTask(() => ran.push(i))
    await vi.waitFor(() => expect(ran).toHaveLength(50))
    expect(ran).toEqual([...Array(50).keys()])
  })
})
