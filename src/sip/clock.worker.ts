/**
 * The timers of the worker clock (`worker-clock.ts`): `{ set: id, ms }` starts one,
 * `{ clear: id }` cancels it, and the worker posts `id` back when it fires. Chrome throttles a
 * hidden page's own timers (to one wake-up a minute after 5 minutes hidden); a dedicated
 * worker's timers are not, and the message it posts is no timer task of the page's.
 */
type Command = { set: number; ms: number } | { clear: number }

const scope = self as unknown as { onmessage: ((event: MessageEvent<Command>) => void) | null; postMessage(id: number): void }
const timers = new Map<number, ReturnType<typeof setTimeout>>()

scope.onmessage = ({ data }) => {
  if ('set' in data) {
    const id = data.set
    timers.set(id, setTimeout(() => {
      timers.delete(id)
      scope.postMessage(id)
    }, data.ms))
    return
  }
  clearTimeout(timers.get(data.clear))
  timers.delete(data.clear)
}
