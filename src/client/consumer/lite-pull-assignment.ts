/**
 * The queues a lite pull consumer currently reads, each with its puller
 * (DefaultLitePullConsumerImpl's assignedMessageQueue + taskTable, 4.9.8):
 * adding a queue starts its puller, revoking one stops it, drops its buffered
 * messages and (autoCommit) commits its consumed offset before the next owner
 * reads it.
 */
import { getErrorMessage, type Logger } from '../../common/index.js';
import { compareMessageQueues, messageQueueKey, type MessageQueue } from '../route.js';
import type { LitePullCommitter, OffsetEntry } from './lite-pull-committer.js';
import { runPuller, type PullerDeps } from './lite-pull-puller.js';
import { LitePullQueue } from './lite-pull-queue.js';

export class LitePullAssignment {
  private readonly queues = new Map<string, LitePullQueue>();
  private readonly pullers = new Set<Promise<void>>();

  constructor(
    private readonly deps: PullerDeps,
    private readonly committer: LitePullCommitter,
    private readonly autoCommit: boolean,
    private readonly logger: Logger,
  ) {}

  get(mq: MessageQueue): LitePullQueue | undefined {
    return this.queues.get(messageQueueKey(mq));
  }

  /** The assigned queues, sorted. */
  list(): MessageQueue[] {
    return [...this.queues.values()].map((q) => q.mq).sort(compareMessageQueues);
  }

  /** Consumed offsets (only those changed since their last commit when `changedOnly`). */
  positions(changedOnly = false): OffsetEntry[] {
    return this.committer.positions(this.queues.values(), changedOnly);
  }

  /** Starts pulling `mq` (no-op when already assigned). */
  add(mq: MessageQueue): void {
    const key = messageQueueKey(mq);
    if (this.queues.has(key)) return;
    const q = new LitePullQueue({ topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId });
    this.queues.set(key, q);
    const p: Promise<void> = runPuller(q, this.deps)
      .catch((err: unknown) => this.logger.error('puller crashed', { queue: key, error: getErrorMessage(err) }))
      .then(() => {
        this.pullers.delete(p);
      });
    this.pullers.add(p);
  }

  /** Makes the assignment exactly `wanted` (assign mode). */
  retain(wanted: readonly MessageQueue[]): Promise<void> {
    const keys = new Set(wanted.map(messageQueueKey));
    const gone = [...this.queues.values()].filter((q) => !keys.has(q.key)).map((q) => q.mq);
    for (const mq of wanted) this.add(mq);
    return this.revoke(gone);
  }

  /** Stops pulling `mqs`, drops their buffered messages and (autoCommit) commits their consumed offsets. */
  async revoke(mqs: readonly MessageQueue[]): Promise<void> {
    const revoked: LitePullQueue[] = [];
    for (const mq of mqs) {
      const q = this.get(mq);
      if (q === undefined) continue;
      q.remove();
      this.deps.buffer.drop(q);
      this.queues.delete(q.key);
      revoked.push(q);
    }
    if (revoked.length === 0) return;
    try {
      if (this.autoCommit) await this.committer.commit(this.committer.positions(revoked));
    } finally {
      for (const q of revoked) this.committer.forget(q.mq);
    }
  }

  /** Seek: `q` continues at `offset`, its buffered messages dropped. */
  reset(q: LitePullQueue, offset: number): void {
    this.deps.buffer.drop(q);
    q.reset(offset);
  }

  /** Stops every puller (the queues and their offsets stay for the final commit). */
  async stop(): Promise<void> {
    for (const q of this.queues.values()) q.remove();
    this.deps.buffer.notify();
    await Promise.all([...this.pullers]);
  }
}
