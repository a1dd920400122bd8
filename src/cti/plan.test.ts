import { describe, expect, it } from 'vitest'
import type { CallParties } from './call-parties'
import { ACCESS_NAMES, defaultCtiConfig, type AccessConfig, type AccessName, type CtiConfig } from './config'
import { decideAccess, isInternal, isTargeted, planCall, sameNumber } from './plan'

const access = (extra: Partial<AccessConfig> = {}): AccessConfig => ({
  method: 'get-internal',
  url: 'http://crm/x',
  delaySeconds: 0,
  onlyIfAnswered: false,
  credentials: 'omit',
  ...extra,
})

function configWith(extra: Partial<CtiConfig> = {}, onlyIfAnswered = false): CtiConfig {
  const accesses = Object.fromEntries(ACCESS_NAMES.map((name) => [name, access(name === 'hangup' ? { onlyIfAnswered } : {})])) as Record<
    AccessName,
    AccessConfig
  >
  return { ...defaultCtiConfig({ user: '1001', server: 'wss://pbx' }), target: 'custom', accesses, ...extra }
}

const external: CallParties = {
  direction: 'in',
  tel: '0312345678',
  code1: '',
  code2: '',
  anonymous: false,
  called: '0501234567',
  remote: '0312345678',
  telName: '',
  calledName: '',
  requestId: '1',
}
const internal: CallParties = { ...external, tel: '1002', remote: '1002' }
const anonymous: CallParties = { ...external, tel: '', remote: '', anonymous: true }
const system: CallParties = { ...external, tel: '9999', remote: '9999' }
const outgoing: CallParties = { ...external, direction: 'out', tel: '1001', called: '0312345678', remote: '0312345678' }
const outgoingInternal: CallParties = { ...outgoing, called: '1002', remote: '1002' }

/** The accesses the engine asks `decideAccess` about at each event of a call. */
const EVENT_ACCESSES = {
  start: ['search', 'ring'],
  answer: ['answer'],
  end: ['hangup'],
  click: ['click'],
} as const satisfies Record<string, readonly AccessName[]>
type CallEvent = keyof typeof EVENT_ACCESSES

function decisions(config: CtiConfig, parties: CallParties, event: CallEvent, answered: boolean) {
  const plan = planCall(config, parties)
  return EVENT_ACCESSES[event].map((name) => ({ name, decision: decideAccess(config, plan, parties, name, answered) }))
}

function runs(config: CtiConfig, parties: CallParties, event: CallEvent, answered: boolean): string[] {
  return decisions(config, parties, event, answered)
    .filter(({ decision }) => decision.run)
    .map(({ name }) => name)
}

function skips(config: CtiConfig, parties: CallParties, event: CallEvent, answered: boolean): string[] {
  return decisions(config, parties, event, answered).flatMap(({ decision }) => (decision.run ? [] : [decision.reason]))
}

describe('the plan for each event', () => {
  const custom = configWith()
  const onlyAnswered = configWith({}, true)
  const withOutgoing = configWith({ outgoing: true })
  const noSkipInternal = configWith({ skipInternal: false })
  const targeted = configWith({ targetNumbers: ['050-123-4567'] })
  const untargeted = configWith({ targetNumbers: ['0399999999'] })

  it.each([
    // name, config, parties, event, answered, accesses that run, skip reasons
    ['incoming external: ring', custom, external, 'start', false, ['search', 'ring'], []],
    ['incoming external: answer', custom, external, 'answer', true, ['answer'], []],
    ['incoming external answered: end', custom, external, 'end', true, ['hangup'], []],
    ['incoming external missed: end', custom, external, 'end', false, ['hangup'], []],
    ['incoming external missed, onlyIfAnswered: end', onlyAnswered, external, 'end', false, [], ['not-answered']],
    ['incoming external answered, onlyIfAnswered: end', onlyAnswered, external, 'end', true, ['hangup'], []],
    ['incoming external: click', custom, external, 'click', false, ['click'], []],
    ['incoming internal, skipInternal: ring', custom, internal, 'start', false, [], ['internal', 'internal']],
    ['incoming internal, skipInternal: answer', custom, internal, 'answer', true, [], ['internal']],
    ['incoming internal, skipInternal: end', custom, internal, 'end', true, [], ['internal']],
    ['incoming internal, skipInternal: click', custom, internal, 'click', false, [], ['internal']],
    ['incoming internal, no skipInternal: ring', noSkipInternal, internal, 'start', false, ['search', 'ring'], []],
    ['incoming targeted (digits compare): ring', targeted, external, 'start', false, ['search', 'ring'], []],
    ['incoming untargeted: ring', untargeted, external, 'start', false, [], ['untargeted', 'untargeted']],
    ['incoming untargeted: answer', untargeted, external, 'answer', true, [], ['untargeted']],
    ['incoming untargeted: end', untargeted, external, 'end', true, [], ['untargeted']],
    ['incoming from 9999: ring', custom, system, 'start', false, [], ['system-number', 'system-number']],
    ['incoming from 9999: end', custom, system, 'end', true, [], ['system-number']],
    ['incoming anonymous: ring', custom, anonymous, 'start', false, [], ['anonymous', 'anonymous']],
    ['incoming anonymous: answer', custom, anonymous, 'answer', true, ['answer'], []],
    ['incoming anonymous answered: end', onlyAnswered, anonymous, 'end', true, ['hangup'], []],
    ['incoming anonymous missed, onlyIfAnswered: end', onlyAnswered, anonymous, 'end', false, [], ['not-answered']],
    ['incoming anonymous missed: end', custom, anonymous, 'end', false, ['hangup'], []],
    ['outgoing, outgoing off: dial', custom, outgoing, 'start', false, [], ['outgoing-off', 'outgoing-off']],
    ['outgoing, outgoing off: answer', custom, outgoing, 'answer', true, [], ['outgoing-off']],
    ['outgoing, outgoing off: end', custom, outgoing, 'end', true, [], ['outgoing-off']],
    ['outgoing, outgoing on: dial', withOutgoing, outgoing, 'start', false, ['search', 'ring'], []],
    ['outgoing, outgoing on: answer', withOutgoing, outgoing, 'answer', true, ['answer'], []],
    ['outgoing, outgoing on, answered: end', withOutgoing, outgoing, 'end', true, ['hangup'], []],
    ['outgoing, outgoing on, not answered: end', withOutgoing, outgoing, 'end', false, ['hangup'], []],
    ['outgoing, outgoing on, not answered, onlyIfAnswered', configWith({ outgoing: true }, true), outgoing, 'end', false, [], ['not-answered']],
    ['outgoing to an internal number, skipInternal', withOutgoing, outgoingInternal, 'start', false, [], ['internal', 'internal']],
    ['outgoing to an untargeted number: not filtered', configWith({ outgoing: true, targetNumbers: [] }), outgoing, 'start', false, ['search', 'ring'], []],
    ['target none', configWith({ target: 'none' }), external, 'start', false, [], ['integration-off', 'integration-off']],
    ['target salesforce', configWith({ target: 'salesforce' }), external, 'end', true, [], ['integration-off']],
  ] as const)('%s', (_name, config, parties, event, answered, expectedRuns, expectedSkips) => {
    expect(runs(config, parties, event, answered)).toEqual(expectedRuns)
    expect(skips(config, parties, event, answered)).toEqual(expectedSkips)
  })

  it('an unconfigured access never runs', () => {
    const config = configWith()
    const accesses = { ...config.accesses, ring: { ...config.accesses.ring, method: 'none' as const } }
    expect(skips({ ...config, accesses }, external, 'start', false)).toEqual(['not-configured'])
  })
})

describe('popup', () => {
  it.each([
    ['incoming external', configWith(), external, true, undefined],
    ['incoming internal with skipInternal: pops up, no access', configWith(), internal, true, 'internal'],
    ['incoming anonymous', configWith(), anonymous, true, undefined],
    ['incoming untargeted', configWith({ targetNumbers: ['0399999999'] }), external, false, 'untargeted'],
    ['incoming, empty target list', configWith({ targetNumbers: [] }), external, false, 'untargeted'],
    ['incoming from 9999', configWith(), system, false, 'system-number'],
    ['incoming from 9999, target none', configWith({ target: 'none' }), system, false, 'system-number'],
    ['incoming, target none: the number still pops up', configWith({ target: 'none' }), external, true, 'integration-off'],
    ['outgoing', configWith({ outgoing: true }), outgoing, false, undefined],
  ] as const)('%s', (_name, config, parties, showPopup, noAccess) => {
    const plan = planCall(config, parties)
    expect(plan.showPopup).toBe(showPopup)
    expect(plan.noAccess).toBe(noAccess)
  })
})

describe('rules', () => {
  it.each([
    ['03-1234-5678', '0312345678', true],
    ['(03) 1234 5678', '0312345678', true],
    ['0312345678', '0312345679', false],
    ['1001', '1001', true],
    ['sales', 'SALES', true],
    ['', '', false],
  ])('sameNumber(%j, %j) = %s', (a, b, same) => {
    expect(sameNumber(a, b)).toBe(same)
  })

  it.each([
    ['all', '0501234567', true],
    [['0501234567', '1001'], '050-123-4567', true],
    [['1001'], '1001', true],
    [['1001'], '0501234567', false],
    [[], '0501234567', false],
    [['0501234567'], '', false],
  ] as const)('targetNumbers %j, CALLED %j → %s', (targetNumbers, called, targeted) => {
    expect(isTargeted({ targetNumbers }, called)).toBe(targeted)
  })

  it.each([
    ['^\\d{2,6}$', '1002', true],
    ['^\\d{2,6}$', '0312345678', false],
    ['^\\d{2,6}$', '', false],
    ['^1\\d{3}$', '2002', false],
    ['(', '1002', false],
  ])('internalPattern %j on %j → %s', (internalPattern, remote, result) => {
    expect(isInternal({ internalPattern }, remote)).toBe(result)
  })
})
