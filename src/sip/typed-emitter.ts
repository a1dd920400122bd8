/** A minimal typed event emitter: listeners keyed by event name, unsubscribe by the returned function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>()

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        ;(listener as (...a: Parameters<Events[E]>) => void)(...args)
      } catch (error) {
        // One broken listener must not stop the others (or the SIP stack) from hearing the event.
        console.error(`listener for ${String(event)} failed`, error)
      }
    }
  }
}
