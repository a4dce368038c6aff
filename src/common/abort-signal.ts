/**
 * One 'abort' listener per AbortSignal for every waiter of the SDK.
 *
 * Requests, sends, sleeps and waits that honour a caller's AbortSignal used to
 * add and remove a listener each. Node's EventTarget warns
 * (MaxListenersExceededWarning) past 10 listeners on one signal, so eleven
 * concurrent sends sharing an application's shutdown signal printed a leak
 * warning, and each add/remove walks Node's listener machinery. Here the first
 * waiter of a signal installs a single listener that calls every waiter
 * registered at that moment; later waiters only join a Set. The listener stays
 * until the signal aborts (one per signal, whatever the number of waiters),
 * and the WeakMap lets a signal that never aborts be collected with it.
 */

type Waiters = Set<() => void>;

const bySignal = new WeakMap<AbortSignal, Waiters>();

/**
 * Calls `callback` once when `signal` aborts (at once, synchronously, if it
 * already has); returns the function that cancels that. Callbacks must not
 * throw: one that does is skipped and the others still run.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    callback();
    return noop;
  }
  let waiters = bySignal.get(signal);
  if (waiters === undefined) {
    const created: Waiters = new Set();
    waiters = created;
    bySignal.set(signal, created);
    signal.addEventListener('abort', () => {
      bySignal.delete(signal);
      for (const w of created) {
        try {
          w();
        } catch {
          // a waiter's own failure; the others still get the abort
        }
      }
      created.clear();
    }, { once: true });
  }
  // A wrapper per registration: the same callback registered twice is two waiters.
  const entry = (): void => callback();
  const set = waiters;
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

function noop(): void {
  // nothing registered
}
