/**
 * Requests waiting for their reply, by CORRELATION_ID (Java RequestFutureHolder
 * / RequestResponseFuture): each entry settles exactly once — with the reply
 * pushed by the broker (PUSH_REPLY_MESSAGE_TO_CLIENT), a TimeoutError after
 * its timeout, an AbortError when its signal fires, or the send's error — and
 * is removed from the table when it does.
 */
import { TimeoutError, onAbort } from '../../common/index.js';
import { AbortError } from '../errors.js';
import type { MessageExt } from '../message-ext.js';

/** A registered request. */
export interface PendingRequest {
  /** Resolves with the reply. */
  readonly promise: Promise<MessageExt>;
  /** Rejects with `err` unless already settled (e.g. the request could not be sent). */
  fail(err: unknown): void;
}

interface Entry {
  resolve(msg: MessageExt): void;
  reject(err: unknown): void;
}

export class RequestFutureTable {
  private readonly table = new Map<string, Entry>();

  /** Requests waiting now. */
  get size(): number {
    return this.table.size;
  }

  /** Registers `correlationId` (unique) for `timeoutMs`; `what` names the request in errors. */
  register(correlationId: string, timeoutMs: number, signal: AbortSignal | undefined, what: string): PendingRequest {
    if (this.table.has(correlationId)) throw new RangeError(`correlation id ${correlationId} is already waiting`);
    let entry: Entry | undefined;
    const promise = new Promise<MessageExt>((resolve, reject) => {
      let unregister: (() => void) | undefined;
      const settle = (fn: () => void): void => {
        if (this.table.get(correlationId) !== entry) return;
        this.table.delete(correlationId);
        clearTimeout(timer);
        unregister?.();
        fn();
      };
      entry = { resolve: (m) => settle(() => resolve(m)), reject: (e) => settle(() => reject(e)) };
      this.table.set(correlationId, entry);
      const timer = setTimeout(() => settle(() => reject(new TimeoutError(`${what}: no reply within ${timeoutMs} ms`))), timeoutMs);
      if (signal !== undefined) unregister = onAbort(signal, () => settle(() => reject(new AbortError(`${what} aborted`, { cause: signal.reason }))));
    });
    const e = entry as Entry | undefined;
    return { promise, fail: (err) => e?.reject(err) };
  }

  /** Hands a reply to its request; false when no request waits for that CORRELATION_ID. */
  complete(correlationId: string, reply: MessageExt): boolean {
    const e = this.table.get(correlationId);
    if (e === undefined) return false;
    e.resolve(reply);
    return true;
  }

  /** Rejects every waiting request (client shutdown). */
  failAll(err: unknown): void {
    for (const e of [...this.table.values()]) e.reject(err);
  }
}
