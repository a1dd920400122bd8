/**
 * Public API of the CTI engine (docs/cti-integration.md). Pure
 * TypeScript: no Vue, DOM or sip.js; effects go through {@link CtiPorts}.
 */

export { createCtiEngine } from './engine'
export { rehearseSearch } from './rehearsal'
export { MAX_BODY_BYTES } from './runner'
export { BodyTooLargeError } from './ports'
export type { CallInfo, CallRecordDelivery, CtiEngine, CtiEngineOptions, DeliveryOutcome, SearchState } from './engine'
export { CALL_RESULTS, epochSeconds, isoLocal, recordValues, RECORD_NAMES } from './call-record'
export type { CallRecordFacts, CallResult, RecordName } from './call-record'

export {
  ACCESS_METHODS,
  ACCESS_NAMES,
  DEFAULT_INTERNAL_PATTERN,
  DEFAULT_TAB_NAME,
  defaultAccessConfig,
  defaultCtiConfig,
  deriveServerAddress,
  normalizeCtiConfig,
} from './config'
export type {
  AccessConfig,
  AccessCredentials,
  AccessMethod,
  AccessName,
  AgentCredentials,
  ConfigIssue,
  CtiConfig,
  CtiTarget,
  NormalizedCti,
  SipBasics,
} from './config'

export { checkCtiSection, ctiSchema } from './schema'
export type { CtiSection, CtiSectionCheck } from './schema'

export type { CallDirection, CallFacts, CallParties } from './call-parties'
export { lenientReadingRules, readCall, readingRulesOf } from './call-reading'
export type { CallReading, NoPopupReason, ReadingDeps, ReadingFacts, ReadingRules } from './call-reading'
export { parseCallerId, privacyWithholdsId } from './caller-id'
export type { CallerId } from './caller-id'

export type { AuthFailure, AuthResult, AuthState, AuthStatus } from './auth-session'
export type { AccessFailure, CtiLogEntry, CtiLogger } from './cti-log'
export type { CallPlan, CallSkipReason, SkipReason } from './plan'
export { planCall } from './plan'

export type {
  ClockPort,
  CommandResult,
  CtiPorts,
  HttpPort,
  HttpRequest,
  HttpResponse,
  RandomPort,
  TabResult,
  TimerHandle,
} from './ports'
export type { CharsetEncoder } from './charset'

export { expandTemplate, expandCommand, splitCommandLine } from './template'
export { prepareAccess } from './prepare-access'
export { previewTry, runTry, sampleCall, sampleFacts } from './try-access'
export type { SampleCall, TryInput, TryPreview, TryResult } from './try-access'
export type { AccessOutcome } from './runner'
export type { PreparedAccess, UploadContent } from './prepare-access'
export { multipartBody } from './multipart'
export { parseResponse } from './response-format'
export { formatVariables } from './format-variables'
export type { ResponseFormat, ParsedResponse } from './response-format'
export { maskSecrets, MASK } from './secrets'
export { applyNumberFilter, NUMBER_FILTERS } from './number-filters'
export type { NumberFilter } from './number-filters'
export { BUILTIN_NAMES } from './placeholders'
export { knownExtractedNames } from './variables'
