// The few web-standard globals the CTI engine uses. tsconfig.cti.json has only the ES2023
// lib, so these declarations are what lets the engine run in a browser, a worker or Node
// without the DOM. Shapes are a subset of lib.dom's, so they merge with it harmlessly where
// the app's configs include both (skipLibCheck). Timers are deliberately absent: time goes
// through the clock port.

interface TextDecoder {
  readonly encoding: string
  decode(input?: Uint8Array): string
}
declare var TextDecoder: {
  prototype: TextDecoder
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder
}

interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>
}
declare var TextEncoder: {
  prototype: TextEncoder
  new (): TextEncoder
}

interface AbortSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}
interface AbortController {
  readonly signal: AbortSignal
  abort(reason?: unknown): void
}
declare var AbortController: {
  prototype: AbortController
  new (): AbortController
}
