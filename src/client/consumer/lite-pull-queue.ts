/**
 * State of one assigned queue of the lite pull consumer and the buffer its
 * puller fills (Java AssignedMessageQueue's per-queue pull/consume/seek
 * offsets and paused flag, and DefaultLitePullConsumerImpl's
 * consumeRequestCache, 4.9.8).
 *
 * Offsets: `pullOffset` is where the next pull starts; `consumeOffset` is the
 * next offset the application has not been handed yet — the value to commit.
 * A seek starts a new epoch: the in-flight pull is aborted and everything
 * pulled or handed out under the old epoch no longer moves the offsets.
 */
import { onAbort, retainedAbortController } from '../../common/index.js';
import type { MessageExt } from '../message-ext.js';
import { messageQueueKey, type MessageQueue } from '../route.js';

/** Removes the first `fn` from `list`, if there. */
function remove(list: (() => void)[], fn: () => void): void {
  const i = list.indexOf(fn);
  if (i >= 0) list.splice(i, 1);
}

export class LitePullQueue {
  readonly mq: MessageQueue;
  readonly key: string;
  epoch = 0;
  paused = false;
  /** No longer assigned (or the consumer stopped): the puller exits. */
  removed = false;
  /** Next offset to pull; undefined until computed from the committed offset / consumeFromWhere. */
  pullOffset: number | undefined;
  /** Next offset not yet handed to the application; undefined until known. */
  consumeOffset: number | undefined;
  /** Broker id the last pull suggested (0 = master). */
  brokerId = 0;
  /** Batches of this epoch buffered or held by an iterator. */
  outstanding = 0;
  private controller = retainedAbortController();
  /** An array, not a Set: a Set with an add and a delete per sleep reallocates its table often, and V8 keeps replaced tables (and what they held) alive until a full GC. */
  private sleepers: (() => void)[] = [];

  constructor(mq: MessageQueue) {
    this.mq = mq;
    this.key = messageQueueKey(mq);
  }

  /** Aborts the in-flight request of the current epoch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Seek: a new epoch starting at `offset`. */
  reset(offset: number): void {
    this.epoch++;
    this.pullOffset = offset;
    this.consumeOffset = offset;
    this.outstanding = 0;
    this.interrupt();
  }

  /** Stops the puller for good. */
  remove(): void {
    this.removed = true;
    this.interrupt();
  }

  /** The application took messages of `epoch` up to (excluding) `offset`. */
  advance(epoch: number, offset: number): void {
    if (epoch !== this.epoch) return;
    if (this.consumeOffset === undefined || offset > this.consumeOffset) this.consumeOffset = offset;
  }

  /** A batch of `epoch` left the buffer for good. */
  settle(epoch: number): void {
    if (epoch === this.epoch && this.outstanding > 0) this.outstanding--;
  }

  /** Waits `ms`, or less when woken, interrupted or removed. Never rejects. */
  sleep(ms: number): Promise<void> {
    if (this.removed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        remove(this.sleepers, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.push(done);
    });
  }

  /** Ends current sleeps (resume). */
  wake(): void {
    const sleepers = this.sleepers;
    if (sleepers.length === 0) return;
    this.sleepers = [];
    for (const s of sleepers) s();
  }

  private interrupt(): void {
    this.controller.abort();
    this.controller = retainedAbortController();
    this.wake();
  }
}

/** Messages of one pull, handed out together by poll(). */
export interface PulledBatch {
  readonly queue: LitePullQueue;
  readonly epoch: number;
  readonly messages: readonly MessageExt[];
  /** The pull's nextBeginOffset: everything below is covered once the batch is consumed. */
  readonly nextOffset: number;
}

/** FIFO of pulled batches across queues, with waiters for poll(). */
export class LitePullBuffer {
  private batches: PulledBatch[] = [];
  private count = 0;
  /** An array for the reason LitePullQueue's sleepers are one. */
  private waiters: (() => void)[] = [];

  /** Buffered messages. */
  get size(): number {
    return this.count;
  }

  push(batch: PulledBatch): void {
    this.batches.push(batch);
    this.count += batch.messages.length;
    this.notify();
  }

  /** Returns unconsumed messages to the front (an iterator stopped mid-batch). */
  putBack(batch: PulledBatch): void {
    if (batch.epoch !== batch.queue.epoch || batch.queue.removed || batch.messages.length === 0) return;
    this.batches.unshift(batch);
    this.count += batch.messages.length;
    this.notify();
  }

  /** The oldest batch of a queue that is not paused; stale batches are dropped on the way. */
  take(): PulledBatch | undefined {
    for (let i = 0; i < this.batches.length; i++) {
      const b = this.batches[i];
      if (b === undefined) continue;
      if (b.epoch !== b.queue.epoch || b.queue.removed) {
        this.batches.splice(i--, 1);
        this.count -= b.messages.length;
        continue;
      }
      if (b.queue.paused) continue;
      this.batches.splice(i, 1);
      this.count -= b.messages.length;
      return b;
    }
    return undefined;
  }

  /** Forgets the batches of `queue` (seek, revocation). */
  drop(queue: LitePullQueue): void {
    this.batches = this.batches.filter((b) => {
      if (b.queue !== queue) return true;
      this.count -= b.messages.length;
      return false;
    });
  }

  /** Resolves at the next push/notify, after `ms`, or when `signal` fires. Never rejects. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        remove(this.waiters, done);
        unregister?.();
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.push(done);
      const unregister = signal === undefined ? undefined : onAbort(signal, done);
    });
  }

  /** Wakes every waiter (new data, resume, shutdown). */
  notify(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
