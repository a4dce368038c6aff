/**
 * The message-by-message view of the lite pull consumer (`for await`): a
 * message counts as consumed when the loop asks for the next one; when the
 * loop ends early the current and later messages of the batch go back to the
 * buffer, so the next poll or loop gets them again.
 */
import type { MessageExt } from '../message-ext.js';
import type { PulledBatch } from './lite-pull-queue.js';

export interface IteratorSource {
  /** The next batch, waiting for one; undefined once the consumer stops or `signal` fires. */
  nextBatch(signal: AbortSignal | undefined): Promise<PulledBatch | undefined>;
  putBack(batch: PulledBatch): void;
  isRunning(): boolean;
  /** Runs when the loop ends (commit). */
  onEnd(): Promise<void>;
}

export async function* iterateMessages(src: IteratorSource, signal: AbortSignal | undefined): AsyncGenerator<MessageExt, void, undefined> {
  let lease: PulledBatch | undefined;
  let next = 0;
  try {
    for (;;) {
      lease = await src.nextBatch(signal);
      if (lease === undefined) return;
      const { queue, epoch, messages, nextOffset } = lease;
      for (next = 0; next < messages.length;) {
        const m = messages[next];
        if (m === undefined) break;
        yield m;
        next++;
        queue.advance(epoch, next < messages.length ? m.queueOffset + 1 : nextOffset);
        if (!src.isRunning() || signal?.aborted === true) return;
      }
      queue.settle(epoch);
      lease = undefined;
    }
  } finally {
    if (lease !== undefined) {
      const rest = lease.messages.slice(next);
      if (rest.length > 0) src.putBack({ ...lease, messages: rest });
      else lease.queue.settle(lease.epoch);
    }
    await src.onEnd();
  }
}
