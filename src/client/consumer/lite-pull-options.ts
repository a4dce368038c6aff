/**
 * Options of the lite pull consumer (Java DefaultLitePullConsumer's fields,
 * 4.9.8), their defaults and validation.
 */
import { InvalidArgumentError } from '../../common/index.js';
import { checkIntOption, type ClientOptions } from '../client-options.js';
import type { ConsumeFromWhere, MessageModel } from '../heartbeat.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import { resolveTraceOption, type TraceOptions } from '../trace/trace-dispatcher.js';
import { allocateAveragely, type AllocateStrategy } from './allocate-strategy.js';

/** What `new LitePullConsumer(...)` takes. */
export interface LitePullConsumerOptions extends ClientOptions {
  /** Consumer group (Java consumerGroup): owns the committed offsets and, in subscribe mode, the membership. */
  readonly group: string;
  /** CLUSTERING (default): the group splits the queues, offsets on the broker. BROADCASTING: every member reads all, offsets in a local file. */
  readonly messageModel?: MessageModel;
  /** Where a queue without a committed offset starts. Default CONSUME_FROM_LAST_OFFSET (as Java). */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** Start time (epoch ms) for CONSUME_FROM_TIMESTAMP. Default: half an hour before start (as Java). */
  readonly consumeTimestamp?: number;
  /** Commit consumed offsets every `autoCommitIntervalMs`, at rebalance and at shutdown. Default true. */
  readonly autoCommit?: boolean;
  /** Default 5000 (Java autoCommitIntervalMillis). */
  readonly autoCommitIntervalMs?: number;
  /** Largest number of messages one pull asks for (and one poll() returns). Default 32 (Java's lite pull default is 10). */
  readonly pullBatchSize?: number;
  /** Buffered messages above which pulling pauses (Java pullThresholdForAll). Default 10000. */
  readonly pullThresholdForAll?: number;
  /** Default wait of poll() (Java pollTimeoutMillis). Default 5000. */
  readonly pollTimeoutMs?: number;
  /** How long the broker may hold an empty pull (Java brokerSuspendMaxTimeMillis). Default 20000. */
  readonly brokerSuspendMaxTimeMs?: number;
  /** Pause of a queue's puller after a failed pull (Java pullTimeDelayMillsWhenException). Default 1000. */
  readonly pullDelayOnErrorMs?: number;
  /** Period of the subscribe-mode rebalance (Java rocketmq.client.rebalance.waitInterval). Default 20000. */
  readonly rebalanceIntervalMs?: number;
  /** How the group splits queues in subscribe mode. Default averagely (Java AllocateMessageQueueAveragely). */
  readonly allocateStrategy?: AllocateStrategy;
  /** BROADCASTING offsets file directory (Java rocketmq.client.localOffsetStoreDir). Default `~/.rocketmq_offsets`. */
  readonly localOffsetStoreDir?: string;
  /** Share a client instance with producers/consumers; you shut it down. */
  readonly clientInstance?: MQClientInstance;
  /** Message trace: SubBefore/SubAfter records of every polled batch to the trace topic (Java enableMsgTrace; recorded at poll, as DefaultLitePullConsumerImpl does). Default off. */
  readonly trace?: boolean | TraceOptions;
}

/** Options after defaults and validation. */
export interface ResolvedLitePullOptions {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly consumeTimestamp: number | undefined;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly pullBatchSize: number;
  readonly pullThresholdForAll: number;
  readonly pollTimeoutMs: number;
  readonly brokerSuspendMaxTimeMs: number;
  readonly pullDelayOnErrorMs: number;
  readonly rebalanceIntervalMs: number;
  readonly allocateStrategy: AllocateStrategy;
  readonly localOffsetStoreDir: string | undefined;
  readonly trace: TraceOptions | undefined;
}

const MAX_MS = 2_147_483_647;
const CONSUME_FROM: readonly ConsumeFromWhere[] = [
  'CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'CONSUME_FROM_TIMESTAMP',
  'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST', 'CONSUME_FROM_MIN_OFFSET', 'CONSUME_FROM_MAX_OFFSET',
];

/** Applies defaults and validates (InvalidArgumentError). */
export function resolveLitePullOptions(o: LitePullConsumerOptions): ResolvedLitePullOptions {
  if (typeof o.group !== 'string' || !/^[%|a-zA-Z0-9_-]{1,255}$/.test(o.group)) {
    throw new InvalidArgumentError('group must be 1-255 characters of [%|a-zA-Z0-9_-]');
  }
  if (o.group === 'DEFAULT_CONSUMER') throw new InvalidArgumentError('DEFAULT_CONSUMER is reserved; choose a group name');
  const messageModel = o.messageModel ?? 'CLUSTERING';
  if (messageModel !== 'CLUSTERING' && messageModel !== 'BROADCASTING') throw new InvalidArgumentError(`bad messageModel ${String(messageModel)}`);
  const consumeFromWhere = o.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET';
  if (!CONSUME_FROM.includes(consumeFromWhere)) throw new InvalidArgumentError(`bad consumeFromWhere ${String(consumeFromWhere)}`);
  if (o.consumeTimestamp !== undefined && !Number.isSafeInteger(o.consumeTimestamp)) {
    throw new InvalidArgumentError('consumeTimestamp must be epoch milliseconds');
  }
  if (o.allocateStrategy !== undefined && typeof o.allocateStrategy.allocate !== 'function') {
    throw new InvalidArgumentError('allocateStrategy must have an allocate() method');
  }
  return Object.freeze({
    group: o.group,
    messageModel,
    consumeFromWhere,
    consumeTimestamp: o.consumeTimestamp,
    autoCommit: o.autoCommit ?? true,
    autoCommitIntervalMs: checkIntOption('autoCommitIntervalMs', o.autoCommitIntervalMs ?? 5_000, 10, MAX_MS),
    pullBatchSize: checkIntOption('pullBatchSize', o.pullBatchSize ?? 32, 1, 1024),
    pullThresholdForAll: checkIntOption('pullThresholdForAll', o.pullThresholdForAll ?? 10_000, 1, 1_000_000),
    pollTimeoutMs: checkIntOption('pollTimeoutMs', o.pollTimeoutMs ?? 5_000, 0, MAX_MS),
    brokerSuspendMaxTimeMs: checkIntOption('brokerSuspendMaxTimeMs', o.brokerSuspendMaxTimeMs ?? 20_000, 100, MAX_MS),
    pullDelayOnErrorMs: checkIntOption('pullDelayOnErrorMs', o.pullDelayOnErrorMs ?? 1_000, 0, MAX_MS),
    rebalanceIntervalMs: checkIntOption('rebalanceIntervalMs', o.rebalanceIntervalMs ?? 20_000, 10, MAX_MS),
    allocateStrategy: o.allocateStrategy ?? allocateAveragely,
    localOffsetStoreDir: o.localOffsetStoreDir,
    trace: resolveTraceOption(o.trace),
  });
}
