/**
 * Options, listener types, hooks and events of the PushConsumer (Java
 * DefaultMQPushConsumer's settings, 4.9.8 defaults), resolved and validated
 * once.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/index.js';
import { checkIntOption, type ClientOptions } from '../client-options.js';
import type { ConsumeFromWhere, MessageModel } from '../heartbeat.js';
import type { MessageExt } from '../message-ext.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue } from '../route.js';
import { resolveTraceOption, type TraceOptions } from '../trace/trace-dispatcher.js';
import { allocateAveragely, type AllocateStrategy } from './allocate-strategy.js';
import type { RebalanceChange } from './rebalance-impl.js';

/** Result of a concurrent listener (Java ConsumeConcurrentlyStatus). */
export type ConsumeConcurrentlyStatus = 'SUCCESS' | 'RECONSUME_LATER';
/** Result of an orderly listener (Java ConsumeOrderlyStatus). */
export type ConsumeOrderlyStatus = 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

/** What a listener learns about the call. */
export interface ConsumeContext {
  readonly group: string;
  /** The queue the messages were pulled from (a `%RETRY%` queue for redeliveries). */
  readonly messageQueue: MessageQueue;
  readonly orderly: boolean;
}

/**
 * Concurrent listener: messages of a queue may be processed in parallel and
 * out of order. Returning nothing means SUCCESS; a thrown error means
 * RECONSUME_LATER.
 */
export type MessageListener = (
  msgs: MessageExt[], ctx: ConsumeContext,
) => Promise<ConsumeConcurrentlyStatus | void> | ConsumeConcurrentlyStatus | void;

/**
 * Orderly listener: one call at a time per queue, in queue-offset order.
 * Returning nothing means SUCCESS; a thrown error means SUSPEND_CURRENT_QUEUE_A_MOMENT.
 */
export type OrderlyMessageListener = (
  msgs: MessageExt[], ctx: ConsumeContext,
) => Promise<ConsumeOrderlyStatus | void> | ConsumeOrderlyStatus | void;

/** Passed to consume hooks. */
export interface ConsumeHookContext {
  readonly group: string;
  readonly messageQueue: MessageQueue;
  readonly messages: readonly MessageExt[];
  readonly orderly: boolean;
}

/** How a listener call ended. */
export interface ConsumeOutcome {
  readonly status: ConsumeConcurrentlyStatus | ConsumeOrderlyStatus;
  readonly durationMs: number;
  /** The listener's error when it threw. */
  readonly error?: unknown;
}

/** Tracing/metrics around each listener call (Java ConsumeMessageHook). Errors thrown by hooks are reported, not fatal. */
export interface ConsumeHooks {
  beforeConsume?(ctx: ConsumeHookContext): void;
  afterConsume?(ctx: ConsumeHookContext, outcome: ConsumeOutcome): void;
}

/** Where a reported error happened. */
export type ConsumerErrorSource = 'pull' | 'rebalance' | 'consume' | 'sendBack' | 'offset' | 'lock' | 'hook';

/** Payload of the `error` event. */
export interface ConsumerErrorEvent {
  readonly source: ConsumerErrorSource;
  readonly error: unknown;
  readonly messageQueue?: MessageQueue;
  readonly topic?: string;
}

/** Typed events of the PushConsumer. `error` is only emitted when someone listens (otherwise logged). */
export interface PushConsumerEvents {
  rebalance: [change: RebalanceChange];
  error: [event: ConsumerErrorEvent];
}

export interface PushConsumerOptions extends ClientOptions {
  /** Consumer group. */
  readonly group: string;
  /** Default CLUSTERING. */
  readonly messageModel?: MessageModel;
  /** Where a group without a committed offset starts. Default CONSUME_FROM_LAST_OFFSET. */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP: ms since the epoch. Default: 30 minutes before construction. */
  readonly consumeTimestamp?: number;
  /** Default AVG (allocateAveragely). */
  readonly allocateStrategy?: AllocateStrategy;
  /** Messages per pull request. Default 32. */
  readonly pullBatchSize?: number;
  /** Messages per listener call. Default 1. */
  readonly consumeBatchMaxSize?: number;
  /** Listener calls in flight at once (concurrent mode; orderly: one per queue). Default 20. */
  readonly consumeConcurrency?: number;
  /** Cached messages per queue before pulling pauses. Default 1000. */
  readonly pullThresholdForQueue?: number;
  /** Cached bytes per queue (MiB) before pulling pauses. Default 100. */
  readonly pullThresholdSizeForQueue?: number;
  /** Concurrent mode: pulling pauses while the oldest message in flight is this many offsets behind the newest pulled one (the offset cannot be committed past it). Default 2000. */
  readonly consumeConcurrentlyMaxSpan?: number;
  /** Redeliveries before a message goes to `%DLQ%group`. Default 16. */
  readonly maxReconsumeTimes?: number;
  /** Offset commit period. Default 5000. */
  readonly persistConsumerOffsetIntervalMs?: number;
  /** Broadcasting: the offsets file. Default `~/.orbitmq/offsets/<clientId>/<group>.json`. */
  readonly offsetStorePath?: string;
  /** Default 20000. */
  readonly rebalanceIntervalMs?: number;
  /** Delay after a failed pull. Default 3000. */
  readonly pullRetryDelayMs?: number;
  /** Delay before a message whose send-back failed is consumed again locally. Default 5000. */
  readonly sendBackRetryDelayMs?: number;
  /** Orderly: pause after SUSPEND_CURRENT_QUEUE_A_MOMENT. Default 1000. */
  readonly suspendCurrentQueueTimeMs?: number;
  /** Orderly: lock renewal period. Default 20000. */
  readonly lockRenewIntervalMs?: number;
  /** Long-polling hold requested from the broker. Default 15000. */
  readonly brokerSuspendMaxTimeMs?: number;
  /** Socket timeout of a pull. Default 30000 (must exceed the hold). */
  readonly pullTimeoutMs?: number;
  readonly hooks?: ConsumeHooks | readonly ConsumeHooks[];
  /** Share a client instance with other producers/consumers; you shut it down. */
  readonly clientInstance?: MQClientInstance;
  /** Message trace: SubBefore/SubAfter records of every listener call to the trace topic (Java enableMsgTrace). Default off. */
  readonly trace?: boolean | TraceOptions;
}

export interface ResolvedPushConsumerOptions {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly consumeTimestamp: number;
  readonly allocateStrategy: AllocateStrategy;
  readonly pullBatchSize: number;
  readonly consumeBatchMaxSize: number;
  readonly consumeConcurrency: number;
  readonly pullThresholdForQueue: number;
  readonly pullThresholdSizeForQueueBytes: number;
  readonly consumeConcurrentlyMaxSpan: number;
  readonly maxReconsumeTimes: number;
  readonly persistConsumerOffsetIntervalMs: number;
  readonly offsetStorePath: string | undefined;
  readonly rebalanceIntervalMs: number;
  readonly pullRetryDelayMs: number;
  readonly sendBackRetryDelayMs: number;
  readonly suspendCurrentQueueTimeMs: number;
  readonly lockRenewIntervalMs: number;
  readonly brokerSuspendMaxTimeMs: number;
  readonly pullTimeoutMs: number;
  readonly hooks: readonly ConsumeHooks[];
  readonly trace?: TraceOptions | undefined;
}

const MAX_MS = 2_147_483_647;
const MODELS: readonly MessageModel[] = ['CLUSTERING', 'BROADCASTING'];
const FROM_WHERE: readonly ConsumeFromWhere[] = [
  'CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'CONSUME_FROM_TIMESTAMP',
  'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST', 'CONSUME_FROM_MIN_OFFSET', 'CONSUME_FROM_MAX_OFFSET',
];

/** Validates and applies defaults (InvalidArgumentError on bad values). */
export function resolvePushConsumerOptions(o: PushConsumerOptions, now: number): ResolvedPushConsumerOptions {
  if (typeof o.group !== 'string' || !/^[%|a-zA-Z0-9_-]{1,255}$/.test(o.group)) {
    throw new InvalidArgumentError('group must be 1-255 characters of [%|a-zA-Z0-9_-]');
  }
  const messageModel = o.messageModel ?? 'CLUSTERING';
  if (!MODELS.includes(messageModel)) throw new InvalidArgumentError(`bad messageModel ${String(messageModel)}`);
  const consumeFromWhere = o.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET';
  if (!FROM_WHERE.includes(consumeFromWhere)) throw new InvalidArgumentError(`bad consumeFromWhere ${String(consumeFromWhere)}`);
  const consumeTimestamp = o.consumeTimestamp ?? now - 30 * 60_000;
  if (!Number.isSafeInteger(consumeTimestamp) || consumeTimestamp < 0) throw new InvalidArgumentError('consumeTimestamp must be ms since the epoch');
  const pullTimeoutMs = checkIntOption('pullTimeoutMs', o.pullTimeoutMs ?? 30_000, 1, MAX_MS);
  const brokerSuspendMaxTimeMs = checkIntOption('brokerSuspendMaxTimeMs', o.brokerSuspendMaxTimeMs ?? 15_000, 0, MAX_MS);
  if (pullTimeoutMs <= brokerSuspendMaxTimeMs) throw new InvalidArgumentError('pullTimeoutMs must exceed brokerSuspendMaxTimeMs');
  const hooks = o.hooks === undefined ? [] : Array.isArray(o.hooks) ? [...(o.hooks as readonly ConsumeHooks[])] : [o.hooks as ConsumeHooks];
  return Object.freeze({
    group: o.group,
    messageModel,
    consumeFromWhere,
    consumeTimestamp,
    allocateStrategy: o.allocateStrategy ?? allocateAveragely,
    pullBatchSize: checkIntOption('pullBatchSize', o.pullBatchSize ?? 32, 1, 1024),
    consumeBatchMaxSize: checkIntOption('consumeBatchMaxSize', o.consumeBatchMaxSize ?? 1, 1, 1024),
    consumeConcurrency: checkIntOption('consumeConcurrency', o.consumeConcurrency ?? 20, 1, 1000),
    pullThresholdForQueue: checkIntOption('pullThresholdForQueue', o.pullThresholdForQueue ?? 1000, 1, 65535),
    pullThresholdSizeForQueueBytes: checkIntOption('pullThresholdSizeForQueue', o.pullThresholdSizeForQueue ?? 100, 1, 1024) * 1024 * 1024,
    consumeConcurrentlyMaxSpan: checkIntOption('consumeConcurrentlyMaxSpan', o.consumeConcurrentlyMaxSpan ?? 2000, 1, 65535),
    maxReconsumeTimes: checkIntOption('maxReconsumeTimes', o.maxReconsumeTimes ?? 16, 0, 10_000),
    persistConsumerOffsetIntervalMs: checkIntOption('persistConsumerOffsetIntervalMs', o.persistConsumerOffsetIntervalMs ?? 5000, 10, MAX_MS),
    offsetStorePath: o.offsetStorePath,
    rebalanceIntervalMs: checkIntOption('rebalanceIntervalMs', o.rebalanceIntervalMs ?? 20_000, 10, MAX_MS),
    pullRetryDelayMs: checkIntOption('pullRetryDelayMs', o.pullRetryDelayMs ?? 3000, 1, MAX_MS),
    sendBackRetryDelayMs: checkIntOption('sendBackRetryDelayMs', o.sendBackRetryDelayMs ?? 5000, 1, MAX_MS),
    suspendCurrentQueueTimeMs: checkIntOption('suspendCurrentQueueTimeMs', o.suspendCurrentQueueTimeMs ?? 1000, 1, MAX_MS),
    lockRenewIntervalMs: checkIntOption('lockRenewIntervalMs', o.lockRenewIntervalMs ?? 20_000, 10, MAX_MS),
    brokerSuspendMaxTimeMs,
    pullTimeoutMs,
    hooks,
    trace: resolveTraceOption(o.trace),
  });
}

/** Default broadcasting offsets file (Java: `~/.rocketmq_offsets/<clientId>/<group>/offsets.json`). */
export function defaultOffsetStorePath(clientId: string, group: string): string {
  return join(homedir(), '.orbitmq', 'offsets', clientId.replace(/[^a-zA-Z0-9@#._-]/g, '_'), `${group}.json`);
}
