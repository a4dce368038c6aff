/**
 * One 'abort' listener per AbortSignal for every waiter of the SDK.
 *
 * Requests, sends, sleeps and waits that honour a caller's AbortSignal used to
 * add and remove a listener each. Node's EventTarget warns
 * (MaxListenersExceededWarning) past 10 listeners on one signal, so eleven
 * concurrent sends sharing an application's shutdown signal printed a leak
 * warning, and each add/remove walks Node's listener machinery. Here the first
 * waiter of a signal installs a single listener that calls every waiter
 * registered at that moment; later waiters only join a Set. When the last
 * waiter cancels, the listener is removed too, so a signal holds no listener
 * of ours while nothing waits on it, unless the SDK created the signal for a
 * long-lived job of its own whose waits come and go (retainedAbortController).
 */

interface Registration {
  readonly waiters: Set<() => void>;
  readonly listener: () => void;
}

const bySignal = new WeakMap<AbortSignal, Registration>();
const retained = new WeakSet<AbortSignal>();

/**
 * An AbortController whose signal keeps our listener installed while nothing
 * waits on it, until it aborts. For the SDK's own long-lived jobs whose waits
 * come one after another (a queue's pulls, one at a time): each wait is then a
 * Set insert and delete instead of an addEventListener / removeEventListener
 * pair on Node's EventTarget. Not for a caller's signal: an
 * AbortSignal.timeout() stays alive while it has a listener.
 */
export function retainedAbortController(): AbortController {
  const c = new AbortController();
  retained.add(c.signal);
  return c;
}

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
  let reg = bySignal.get(signal);
  if (reg === undefined) {
    const waiters = new Set<() => void>();
    const listener = (): void => {
      bySignal.delete(signal);
      for (const w of waiters) {
        try {
          w();
        } catch {
          // a waiter's own failure; the others still get the abort
        }
      }
      waiters.clear();
    };
    reg = { waiters, listener };
    bySignal.set(signal, reg);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper per registration: the same callback registered twice is two waiters.
  const entry = (): void => callback();
  const { waiters, listener } = reg;
  waiters.add(entry);
  return () => {
    if (!waiters.delete(entry) || waiters.size > 0 || bySignal.get(signal) !== reg || retained.has(signal)) return;
    // The last waiter is gone: so is the listener (a per-call AbortSignal.timeout() stays
    // alive while it has an abort listener, until its timer fires).
    bySignal.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

function noop(): void {
  // nothing registered
}
