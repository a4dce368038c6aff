/**
 * Commits of the lite pull consumer (DefaultLitePullConsumerImpl.commitAll /
 * commitSync, 4.9.8): consumed offsets go through the offset store to the
 * broker (or the local file), one commit at a time so a late write never
 * overtakes a newer one.
 */
import { messageQueueKey, type MessageQueue } from '../route.js';
import type { LitePullOffsets } from './lite-pull-offsets.js';
import type { LitePullQueue } from './lite-pull-queue.js';
import type { OffsetStore } from './offset-store.js';

export type OffsetEntry = readonly [MessageQueue, number];

export class LitePullCommitter {
  /** Offsets last written, to skip unchanged ones in periodic commits. */
  private readonly lastCommitted = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: OffsetStore,
    private readonly offsets: LitePullOffsets,
  ) {}

  /** Consumed offsets of `queues` (only those changed since their last commit when `changedOnly`). */
  positions(queues: Iterable<LitePullQueue>, changedOnly = false): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const q of queues) {
      if (q.consumeOffset === undefined) continue;
      if (changedOnly && this.lastCommitted.get(q.key) === q.consumeOffset) continue;
      out.push([q.mq, q.consumeOffset]);
    }
    return out;
  }

  /** Writes `entries` after the commits before it; rejects with ClientError (COMMIT_FAILED) when a write failed. */
  commit(entries: readonly OffsetEntry[]): Promise<void> {
    const run = async (): Promise<void> => {
      if (entries.length === 0) return;
      for (const [mq, off] of entries) this.store.updateOffset(mq, off, false);
      await this.store.persistAll(entries.map(([mq]) => mq));
      this.offsets.throwFailures();
      for (const [mq, off] of entries) this.lastCommitted.set(messageQueueKey(mq), off);
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Forgets a revoked queue (its next owner reads the committed offset afresh). */
  forget(mq: MessageQueue): void {
    this.store.removeOffset(mq);
    this.lastCommitted.delete(messageQueueKey(mq));
  }

  /** Resolves when every queued commit has settled. */
  idle(): Promise<void> {
    return this.chain;
  }
}
