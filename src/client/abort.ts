import { onAbort } from '../common/index.js';
import { AbortError, isAbortError } from './errors.js';

/**
 * Runs `work` so that the returned promise rejects with AbortError as soon as
 * `signal` fires (the work itself gets the signal to cancel in-flight
 * requests; its late outcome is ignored, never left unhandled).
 */
export function withSignal<T>(signal: AbortSignal | undefined, what: string, work: () => Promise<T>): Promise<T> {
  if (signal === undefined) {
    // No signal: the work's own promise, without another around it.
    try {
      return work();
    } catch (err: unknown) {
      return Promise.reject(err);
    }
  }
  if (signal.aborted) return Promise.reject(new AbortError(`${what} aborted`, { cause: signal.reason }));
  let p: Promise<T>;
  try {
    p = work();
  } catch (err: unknown) {
    return Promise.reject(err);
  }
  return new Promise<T>((resolve, reject) => {
    const unregister = onAbort(signal, () => reject(new AbortError(`${what} aborted`, { cause: signal.reason })));
    p.then(
      (v) => {
        unregister();
        resolve(v);
      },
      (err: unknown) => {
        unregister();
        reject(isAbortError(err) && !(err instanceof AbortError) ? new AbortError(`${what} aborted`, { cause: err }) : err);
      },
    );
  });
}
