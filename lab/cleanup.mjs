/**
 * Last-resort cleanup of lab child processes (Kamailio, sipp) and temp dirs.
 *
 * Why: the lab starts its children in their own process groups (so stop() can kill a whole Kamailio with its
 * workers), which also means a Ctrl-C in the terminal no longer reaches them. If the Node process ends without
 * calling stop() — a crashed test, Ctrl-C on `npm start`, a `kill` — the children would linger and hold their
 * ports. This module runs registered synchronous cleanups on 'exit' and on SIGINT/SIGTERM/SIGHUP; for a signal
 * it then re-raises it when nobody else listens, so the process still ends the way the signal means.
 *
 * @module lab/cleanup
 */

/** @type {Set<() => void>} */
const cleanups = new Set()
let installed = false

function runAll() {
  for (const fn of [...cleanups]) {
    try {
      fn()
    } catch {
      /* best effort */
    }
  }
  cleanups.clear()
}

/** @param {NodeJS.Signals} sig */
function onSignal(sig) {
  runAll()
  // If the application has its own handler for this signal it decides what happens next; otherwise behave like
  // the default action (terminate) by re-raising with our handler removed.
  if (process.listenerCount(sig) <= 1) {
    process.removeListener(sig, onSignal)
    process.kill(process.pid, sig)
  }
}

function install() {
  if (installed) return
  installed = true
  process.once('exit', runAll)
  for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(sig, onSignal)
}

/**
 * Register a synchronous cleanup (e.g. SIGKILL a process group, rmSync a dir) to run if the process ends
 * before the owner cleans up normally.
 * @param {() => void} fn must be synchronous
 * @returns {() => void} unregister (call it after a normal stop)
 */
export function onProcessEnd(fn) {
  install()
  cleanups.add(fn)
  return () => {
    cleanups.delete(fn)
  }
}
