/**
 * Offsets for the lite pull consumer: broker lookups of a queue
 * (MQAdminImpl.minOffset/maxOffset/searchOffset), the broker side of the
 * committed offsets (RemoteBrokerOffsetStore's backend, reporting failures so
 * commitSync can throw), and where a queue without progress starts
 * (RebalanceLitePullImpl.computePullFromWhere, 4.9.8).
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import { getErrorMessage } from '../../common/index.js';
import { ClientError, NoRouteError } from '../errors.js';
import type { ConsumeFromWhere, MessageModel } from '../heartbeat.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue } from '../route.js';
import {
  LocalFileOffsetStore, RemoteBrokerOffsetStore, type BrokerOffsetBackend, type OffsetStore,
} from './offset-store.js';

const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';

/** Broker-side lookups for one consumer group. */
export class LitePullOffsets implements BrokerOffsetBackend {
  /** Failures of `updateOffset` since the last `takeFailures()`. */
  private failures: unknown[] = [];

  constructor(
    private readonly instance: MQClientInstance,
    private readonly group: string,
  ) {}

  /** Address to read `mq` from (Java findBrokerAddressInSubscribe), refreshing the route once if unknown. */
  async brokerAddr(mq: MessageQueue, brokerId = 0): Promise<string> {
    let found = this.instance.findBrokerAddressInSubscribe(mq.brokerName, brokerId, false);
    if (found === undefined) {
      await this.instance.updateTopicRoute(mq.topic);
      found = this.instance.findBrokerAddressInSubscribe(mq.brokerName, brokerId, false);
    }
    if (found === undefined) throw new NoRouteError(mq.topic, `broker ${mq.brokerName} of topic ${mq.topic} is not known`);
    return found.addr;
  }

  async minOffset(mq: MessageQueue): Promise<number> {
    return this.instance.api.getMinOffset(await this.brokerAddr(mq), mq.topic, mq.queueId);
  }

  async maxOffset(mq: MessageQueue): Promise<number> {
    return this.instance.api.getMaxOffset(await this.brokerAddr(mq), mq.topic, mq.queueId);
  }

  async searchOffset(mq: MessageQueue, timestamp: number): Promise<number> {
    return this.instance.api.searchOffset(await this.brokerAddr(mq), mq.topic, mq.queueId, timestamp);
  }

  /** The group's committed offset on the broker; undefined when it has none. */
  async committed(mq: MessageQueue): Promise<number | undefined> {
    return this.instance.api.queryConsumerOffset(await this.brokerAddr(mq), {
      consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId,
    });
  }

  async queryOffset(mq: MessageQueue): Promise<number> {
    return (await this.committed(mq)) ?? -1;
  }

  async updateOffset(mq: MessageQueue, offset: number): Promise<void> {
    try {
      await this.instance.api.updateConsumerOffset(await this.brokerAddr(mq), {
        consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId, commitOffset: offset,
      });
    } catch (err: unknown) {
      this.failures.push(err);
      throw err;
    }
  }

  /** Throws a ClientError (code COMMIT_FAILED) when some updateOffset failed since the last call. */
  throwFailures(): void {
    const f = this.failures;
    this.failures = [];
    if (f.length === 0) return;
    throw new ClientError('COMMIT_FAILED', `committing ${f.length} offset(s) failed: ${getErrorMessage(f[0])}`, { cause: f[0], retriable: true });
  }
}

/** The offset store of a message model (Java: RemoteBrokerOffsetStore / LocalFileOffsetStore). */
export function createOffsetStore(model: MessageModel, offsets: LitePullOffsets, clientId: string, group: string, dir: string | undefined): OffsetStore {
  if (model === 'CLUSTERING') return new RemoteBrokerOffsetStore(offsets);
  const base = dir ?? join(homedir(), '.rocketmq_offsets');
  return new LocalFileOffsetStore(join(base, clientId.replace(/[^\w.@#-]/g, '_'), group, 'offsets.json'));
}

/**
 * Where a queue starts when this consumer has no position for it
 * (RebalanceLitePullImpl.computePullFromWhere): the stored offset if any,
 * else by `consumeFromWhere` (the deprecated values act as LAST_OFFSET).
 * Throws when the stored offset cannot be read, so the puller retries.
 */
export async function computePullFromWhere(
  mq: MessageQueue, store: OffsetStore, offsets: LitePullOffsets, where: ConsumeFromWhere, timestamp: number,
): Promise<number> {
  const last = await store.readOffset(mq, 'MEMORY_FIRST_THEN_STORE');
  if (last >= 0) return last;
  if (last !== -1) throw new ClientError('OFFSET_UNAVAILABLE', `cannot read the committed offset of ${mq.topic}:${mq.brokerName}:${mq.queueId}`, { retriable: true });
  switch (where) {
    case 'CONSUME_FROM_FIRST_OFFSET':
      return 0;
    case 'CONSUME_FROM_TIMESTAMP':
      if (mq.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return offsets.maxOffset(mq);
      return offsets.searchOffset(mq, timestamp);
    default:
      return mq.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? 0 : offsets.maxOffset(mq);
  }
}
