/**
 * Concurrent consumption (client/impl/consumer/ConsumeMessageConcurrentlyService.java,
 * 4.9.8): pulled messages are cut into batches of `consumeBatchMaxSize` and
 * handed to the listener, at most `consumeConcurrency` calls at once.
 *
 * processConsumeResult: SUCCESS removes the batch from the ProcessQueue and
 * moves the offset to the smallest message still in flight. RECONSUME_LATER
 * in clustering sends each message back to the broker (CONSUMER_SEND_MSG_BACK:
 * `%RETRY%group`, then `%DLQ%group` after maxReconsumeTimes) and counts it as
 * consumed; a message the broker did not take is consumed again locally after
 * `sendBackRetryDelayMs`. Broadcasting drops failed messages with a warning,
 * as RocketMQ does. Results of a queue given up meanwhile are ignored.
 */
import type { MessageExt } from '../message-ext.js';
import {
  chunks, invokeListener, sendMessageBack, type ConsumeService, type ConsumerCore, type ListenerOutcome, type QueueState,
} from './consume-service.js';
import type { MessageListener } from './push-consumer-options.js';

export class ConsumeConcurrentlyService implements ConsumeService {
  readonly orderly = false;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Batches whose listener call or result handling is still running (asynchronous listeners). */
  private tracked = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly core: ConsumerCore,
    private readonly listener: MessageListener,
  ) {}

  submit(qs: QueueState, msgs: MessageExt[]): void {
    for (const batch of chunks(msgs, this.core.opts.consumeBatchMaxSize)) {
      // Fast path: a free slot and a listener that answers SUCCESS synchronously settle here, without promises.
      if (this.waiting.length > 0 || this.active >= this.core.opts.consumeConcurrency) {
        this.track(this.run(qs, batch));
        continue;
      }
      if (qs.pq.dropped || qs.stopping || !this.core.isConsuming()) return;
      this.active++;
      const status = invokeListener(this.core, this.listener, qs, batch, 'RECONSUME_LATER', false);
      if (status === 'SUCCESS') {
        this.release();
        try {
          if (!qs.pq.dropped) this.complete(qs, batch);
        } catch (err: unknown) {
          this.core.report('consume', err); // as track() reports a failed asynchronous batch
        }
      } else {
        this.track(this.finish(qs, batch, status));
      }
    }
  }

  async shutdown(): Promise<void> {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    // Batches waiting for a slot see isConsuming() false and return at once.
    if (this.tracked > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Counts an asynchronous batch until it settles. A counter, not a Set of
   * promises: a long-lived Set with an add and a delete per batch reallocates
   * its table every few batches, and V8 keeps replaced tables (and the
   * batches they referenced) alive until a full GC.
   */
  private track(p: Promise<void>): void {
    this.tracked++;
    p.catch((err: unknown) => this.core.report('consume', err)).finally(() => {
      if (--this.tracked > 0) return;
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }).catch(() => undefined);
  }

  /** Takes a listener slot: undefined when one is free now, else a promise of the next free one. */
  private acquire(): Promise<void> | undefined {
    if (this.active < this.core.opts.consumeConcurrency) {
      this.active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.active--;
  }

  private async run(qs: QueueState, batch: MessageExt[]): Promise<void> {
    const slot = this.acquire();
    if (slot !== undefined) await slot;
    if (qs.pq.dropped || qs.stopping || !this.core.isConsuming()) {
      this.release();
      return;
    }
    await this.finish(qs, batch, invokeListener(this.core, this.listener, qs, batch, 'RECONSUME_LATER', false));
  }

  /** Waits for the listener's status, processes it and frees the slot taken for the call. */
  private async finish(qs: QueueState, batch: MessageExt[], pending: ListenerOutcome<'RECONSUME_LATER'>): Promise<void> {
    try {
      const status = await pending;
      if (qs.pq.dropped) return;
      await this.processResult(qs, batch, status);
    } finally {
      this.release();
    }
  }

  private async processResult(qs: QueueState, batch: MessageExt[], status: 'SUCCESS' | 'RECONSUME_LATER'): Promise<void> {
    let done = batch;
    if (status === 'RECONSUME_LATER') {
      if (this.core.opts.messageModel === 'BROADCASTING') {
        for (const m of batch) {
          this.core.logger.warn('BROADCASTING, the message consume failed, drop it', { topic: m.topic, msgId: m.msgId });
        }
      } else {
        const failed: MessageExt[] = [];
        for (const m of batch) if (!(await sendMessageBack(this.core, m, 0))) failed.push(m);
        if (failed.length > 0) {
          done = batch.filter((m) => !failed.includes(m));
          this.retryLater(qs, failed.map((m) => ({ ...m, reconsumeTimes: m.reconsumeTimes + 1 })));
        }
      }
    }
    this.complete(qs, done);
  }

  /** The batch is consumed: out of the ProcessQueue, and the queue's offset moves up to the oldest message still in flight. */
  private complete(qs: QueueState, done: readonly MessageExt[]): void {
    const offset = qs.pq.removeMessages(done);
    if (offset >= 0 && !qs.pq.dropped) this.core.offsetStore.updateOffset(qs.mq, offset, true);
  }

  /** submitConsumeRequestLater: the messages stay in the ProcessQueue (holding the offset back) until consumed. */
  private retryLater(qs: QueueState, msgs: MessageExt[]): void {
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (!qs.pq.dropped && this.core.isConsuming()) this.submit(qs, msgs);
    }, this.core.opts.sendBackRetryDelayMs);
    this.retryTimers.add(t);
  }
}
