import { describe, expect, it } from 'vitest'
import { registrationStateOf, type LineFacts } from './registration-state'

const base: LineFacts = { transport: 'disconnected', registerer: 'initial', wanted: true, everRegistered: false, rejected: false }

describe('registrationStateOf', () => {
  it.each<[string, Partial<LineFacts>, ReturnType<typeof registrationStateOf>]>([
    ['not started', { wanted: false }, 'unregistered'],
    ['stopped after working', { wanted: false, everRegistered: true, transport: 'connected', registerer: 'registered' }, 'unregistered'],
    ['first connection under way', { transport: 'connecting' }, 'connecting'],
    ['connected, REGISTER not answered yet', { transport: 'connected' }, 'connecting'],
    ['registered', { transport: 'connected', registerer: 'registered', everRegistered: true }, 'registered'],
    ['socket lost after working', { transport: 'disconnected', registerer: 'unregistered', everRegistered: true }, 'reconnecting'],
    ['socket back, registering again', { transport: 'connected', registerer: 'unregistered', everRegistered: true }, 'reconnecting'],
    ['first connection refused, retrying', { transport: 'connecting' }, 'connecting'],
    ['registrar said 403', { transport: 'connected', registerer: 'unregistered', rejected: true }, 'failed'],
  ])('%s', (_name, facts, expected) => {
    expect(registrationStateOf({ ...base, ...facts })).toBe(expected)
  })
})
