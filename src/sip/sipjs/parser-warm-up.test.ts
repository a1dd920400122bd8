import { Core, type UserAgent } from 'sip.js'
import { describe, expect, it } from 'vitest'
import { sampleInvite, warmUpParser } from './parser-warm-up'

const logger = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined }

describe('the parser warm-up', () => {
  it('parses INVITEs shaped like a PBX\'s (raw # escaped, Record-Route, two Vias, SDP) without errors', () => {
    const message = Core.Parser.parseMessage(sampleInvite('pbx.example', 0), logger as unknown as Core.Logger)
    expect(message).toBeInstanceOf(Core.IncomingRequestMessage)
    expect((message as Core.IncomingRequestMessage).from.uri.user).toBe('0312345678#A1#B2')
  })

  it('touches nothing but the parser: it only asks the user agent for a logger', () => {
    const asked: string[] = []
    const ua = { getLogger: (category: string) => { asked.push(category); return logger } } as unknown as UserAgent
    warmUpParser(ua, 'pbx.example', 3)
    expect(asked).toEqual(['sip.Parser'])
  })
})
