/**
 * The pull loop of one assigned queue (DefaultLitePullConsumerImpl.PullTaskImpl,
 * 4.9.8): long-polling PULL_MESSAGE with an inline subscription
 * (FLAG_SUSPEND | FLAG_SUBSCRIPTION | FLAG_LITE_PULL_MESSAGE, no piggy-backed
 * commit), client-side tag re-filter, batches into the shared buffer; waits
 * while the queue is paused or the buffer is over `pullThresholdForAll`, and
 * after failures.
 */
import { getErrorMessage, type Logger } from '../../common/index.js';
import { PullSysFlag } from '../../protocol/index.js';
import { isAbortError } from '../errors.js';
import { matchesSubscription, type SubscriptionData } from '../heartbeat.js';
import type { MQClientAPI } from '../mq-client-api.js';
import type { MessageQueue } from '../route.js';
import type { LitePullBuffer, LitePullQueue } from './lite-pull-queue.js';

/** Java PULL_TIME_DELAY_MILLS_WHEN_PAUSE (a resume wakes the puller at once). */
const DELAY_WHEN_PAUSED_MS = 1000;
/** Java PULL_TIME_DELAY_MILLS_WHEN_FLOW_CONTROL. */
const DELAY_WHEN_FLOW_CONTROL_MS = 50;

export interface PullerDeps {
  readonly group: string;
  readonly api: MQClientAPI;
  readonly buffer: LitePullBuffer;
  readonly logger: Logger;
  readonly pullBatchSize: number;
  readonly pullThresholdForAll: number;
  readonly brokerSuspendMaxTimeMs: number;
  readonly pullDelayOnErrorMs: number;
  isRunning(): boolean;
  /** The filter for `topic` (`*` in assign mode). */
  subscription(topic: string): SubscriptionData;
  brokerAddr(mq: MessageQueue, brokerId: number): Promise<string>;
  /** Start offset of a queue without a position. */
  startOffset(mq: MessageQueue): Promise<number>;
}

/** Pulls `q` until it is removed or the consumer stops. Never rejects. */
export async function runPuller(q: LitePullQueue, d: PullerDeps): Promise<void> {
  while (!q.removed && d.isRunning()) {
    const epoch = q.epoch;
    const signal = q.signal;
    try {
      if (q.paused) {
        await q.sleep(DELAY_WHEN_PAUSED_MS);
        continue;
      }
      if (d.buffer.size >= d.pullThresholdForAll) {
        await q.sleep(DELAY_WHEN_FLOW_CONTROL_MS);
        continue;
      }
      let offset = q.pullOffset;
      if (offset === undefined) {
        offset = await d.startOffset(q.mq);
        if (q.epoch !== epoch || q.removed) continue;
        q.pullOffset = offset;
        q.consumeOffset ??= offset;
      }
      await pullOnce(q, d, epoch, offset, signal);
    } catch (err: unknown) {
      if (q.epoch !== epoch || q.removed || !d.isRunning() || isAbortError(err)) continue;
      d.logger.warn('pull failed', { topic: q.mq.topic, brokerName: q.mq.brokerName, queueId: q.mq.queueId, error: getErrorMessage(err) });
      await q.sleep(d.pullDelayOnErrorMs);
    }
  }
}

async function pullOnce(q: LitePullQueue, d: PullerDeps, epoch: number, offset: number, signal: AbortSignal): Promise<void> {
  const sub = d.subscription(q.mq.topic);
  const addr = await d.brokerAddr(q.mq, q.brokerId);
  const r = await d.api.pullMessage(addr, q.mq.brokerName, {
    consumerGroup: d.group,
    topic: q.mq.topic,
    queueId: q.mq.queueId,
    queueOffset: offset,
    maxMsgNums: d.pullBatchSize,
    sysFlag: PullSysFlag.FLAG_SUSPEND | PullSysFlag.FLAG_SUBSCRIPTION | PullSysFlag.FLAG_LITE_PULL_MESSAGE,
    commitOffset: 0,
    suspendTimeoutMillis: d.brokerSuspendMaxTimeMs,
    subscription: sub.subString,
    subVersion: sub.subVersion,
    expressionType: sub.expressionType,
  }, { signal });
  if (q.epoch !== epoch || q.removed) return;
  q.brokerId = r.suggestWhichBrokerId;
  q.pullOffset = r.nextBeginOffset;
  if (r.status === 'OFFSET_ILLEGAL') {
    d.logger.warn('pull offset illegal, moved', { topic: q.mq.topic, queueId: q.mq.queueId, offset, next: r.nextBeginOffset });
  }
  const messages = r.status === 'FOUND' ? r.messages.filter((m) => matchesSubscription(sub, m.tags)) : [];
  if (messages.length > 0) {
    q.outstanding++;
    d.buffer.push({ queue: q, epoch, messages, nextOffset: r.nextBeginOffset });
  } else if (q.outstanding === 0) {
    // Nothing of this queue is waiting for the application: skipped (filtered, moved) offsets count as consumed.
    q.consumeOffset = r.nextBeginOffset;
  }
}
