import { beforeEach, vi } from 'vitest'
import { softphoneContract } from '../softphone.contract'
import { sipJsContractHarness } from './testing/contract-harness'

// sip.js warns about its own deprecated option we set on purpose (reconnectionAttempts: 0).
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  return () => vi.restoreAllMocks()
})

softphoneContract('SipJsSoftphone on the fake transport', sipJsContractHarness)
