/**
 * Orderly consumption (client/impl/consumer/ConsumeMessageOrderlyService.java,
 * 4.9.8): one consume loop per queue takes the lowest offsets from the
 * ProcessQueue, one listener call at a time, so a queue's messages are
 * processed strictly in offset order. In clustering the loop consumes only
 * while this client holds the queue's broker lock (renewed every
 * `lockRenewIntervalMs` by the consumer; a lock not renewed for 30 s counts as
 * lost, as REBALANCE_LOCK_MAX_LIVE_TIME).
 *
 * SUSPEND_CURRENT_QUEUE_A_MOMENT (or a thrown error) keeps the batch at the
 * head of the queue and retries it after `suspendCurrentQueueTimeMs`; after
 * `maxReconsumeTimes` local attempts a message goes to `%DLQ%group`
 * (CONSUMER_SEND_MSG_BACK with delay level -1) and the queue moves on.
 */
import type { MessageExt } from '../message-ext.js';
import { invokeListener, sendMessageBack, sleep, type ConsumeService, type ConsumerCore, type QueueState } from './consume-service.js';
import type { OrderlyMessageListener } from './push-consumer-options.js';
import { lockQueues } from './queue-lock.js';

/** RebalanceImpl / ProcessQueue REBALANCE_LOCK_MAX_LIVE_TIME. */
export const LOCK_MAX_LIVE_MS = 30_000;
const LOCK_RETRY_MS = 500;

export class ConsumeOrderlyService implements ConsumeService {
  readonly orderly = true;
  private readonly loops = new Set<Promise<void>>();

  constructor(
    private readonly core: ConsumerCore,
    private readonly listener: OrderlyMessageListener,
  ) {}

  submit(qs: QueueState): void {
    if (qs.consuming !== undefined) return;
    const p = this.loop(qs)
      .catch((err: unknown) => this.core.report('consume', err, qs.mq))
      .finally(() => {
        qs.consuming = undefined;
        this.loops.delete(p);
        // Messages that arrived while the loop was finishing.
        if (qs.pq.msgCount > 0 && !qs.stopping && !qs.pq.dropped && this.core.isConsuming()) this.submit(qs);
      });
    qs.consuming = p;
    this.loops.add(p);
  }

  async shutdown(): Promise<void> {
    while (this.loops.size > 0) await Promise.allSettled([...this.loops]);
  }

  /** True when this client may consume `qs` now (broadcasting needs no lock). */
  private holdsLock(qs: QueueState): boolean {
    if (this.core.opts.messageModel === 'BROADCASTING') return true;
    return qs.pq.locked && this.core.clock.now() - qs.pq.lastLockTimestamp <= LOCK_MAX_LIVE_MS;
  }

  private async loop(qs: QueueState): Promise<void> {
    const { consumeBatchMaxSize, maxReconsumeTimes, suspendCurrentQueueTimeMs } = this.core.opts;
    while (!qs.stopping && !qs.pq.dropped && this.core.isConsuming()) {
      if (!this.holdsLock(qs)) {
        const granted = await lockQueues(this.core.instance, this.core.opts.group, [qs.mq], this.core.logger);
        if (granted.size > 0) {
          qs.pq.locked = true;
          qs.pq.lastLockTimestamp = this.core.clock.now();
        } else {
          qs.pq.locked = false;
          await sleep(LOCK_RETRY_MS, qs.abort.signal);
        }
        continue;
      }
      const batch = qs.pq.takeMessages(consumeBatchMaxSize).map((m): MessageExt => {
        const n = qs.reconsumeTimes.get(m.queueOffset);
        return n === undefined ? m : { ...m, reconsumeTimes: n };
      });
      if (batch.length === 0) return;
      const status = await invokeListener(this.core, this.listener, qs, batch, 'SUSPEND_CURRENT_QUEUE_A_MOMENT', true);
      if (qs.pq.dropped) return;
      let done: MessageExt[] = batch;
      if (status !== 'SUCCESS') {
        // checkReconsumeTimes: past the maximum → DLQ and move on; otherwise retry here.
        const exhausted = batch.filter((m) => m.reconsumeTimes >= maxReconsumeTimes);
        const sentAll = exhausted.length === batch.length && (await this.toDlq(exhausted));
        if (!sentAll) {
          done = [];
          for (const m of batch) qs.reconsumeTimes.set(m.queueOffset, m.reconsumeTimes + 1);
          await sleep(suspendCurrentQueueTimeMs, qs.abort.signal);
          continue;
        }
      }
      for (const m of done) qs.reconsumeTimes.delete(m.queueOffset);
      const offset = qs.pq.removeMessages(done);
      if (offset >= 0) this.core.offsetStore.updateOffset(qs.mq, offset, false);
    }
  }

  private async toDlq(msgs: readonly MessageExt[]): Promise<boolean> {
    for (const m of msgs) if (!(await sendMessageBack(this.core, m, -1))) return false;
    return true;
  }
}
