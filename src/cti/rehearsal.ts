/**
 * The search of a made-up call, run through the engine's own path — variables, the request,
 * the runner, the body's decoding and its format — against an answer made up here: nothing is
 * sent, logged or kept. The app runs it while idle with its ring-path rehearsal
 * (`plugins/rehearse.ts`): measured here, the first calls of a page showed the CRM's answer
 * 5–15 ms later than the calls after them, the JavaScript engine compiling this code on the ring
 * path (and dropping it again after a while unused).
 */
import { utf8Encode } from './charset'
import type { AccessConfig, CtiConfig } from './config'
import { createCtiEngine } from './engine'
import type { CallReading } from './call-reading'
import type { CtiPorts, HttpResponse } from './ports'
import type { ResponseFormat } from './response-format'

/** An answer the format reads: two lines, a JSON object, or text for a regex. */
function sampleAnswer(format: ResponseFormat | undefined): string {
  if (typeof format === 'object' && 'json' in format) return '{"name":"山田 太郎","company":"株式会社サンプル"}'
  return '山田 太郎\r\n株式会社サンプル\r\n'
}

/**
 * Runs the search access of `reading` (a made-up call) once, on an engine of its own whose other
 * accesses are off and whose HTTP port answers at once. Resolves true once the answer was read;
 * false when there was nothing to rehearse (no internal search configured, or the call would not
 * search).
 */
export async function rehearseSearch(config: CtiConfig, reading: CallReading, ports: CtiPorts): Promise<boolean> {
  const search = config.accesses.search
  if (search.method !== 'get-internal' && search.method !== 'post-internal') return false
  const off: AccessConfig = { ...search, method: 'none', url: '' }
  // Never through the helper: the rehearsal is the page's own code path.
  const { via: _helper, ...direct } = search
  const accesses = Object.fromEntries(Object.keys(config.accesses).map((name) => [name, name === 'search' ? direct : off]))
  const answer: HttpResponse = { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: utf8Encode(sampleAnswer(search.format)) }
  const engine = createCtiEngine({
    config: { ...config, timeoutSeconds: 0, accesses: accesses as CtiConfig['accesses'] },
    ports: { clock: ports.clock, random: ports.random, ...(ports.encodeCharset ? { encodeCharset: ports.encodeCharset } : {}), http: async () => answer, openTab: () => ({ ok: true }), postForm: () => ({ ok: true }) },
  })
  try {
    engine.callArriving(reading)
    engine.callStarted(reading)
    await engine.idle()
    // Done (the answer read) or failed (a regex it did not match): either way the path ran.
    const state = engine.callInfo(reading.callId)?.searchState
    return state === 'done' || state === 'failed'
  } finally {
    engine.dispose()
  }
}
