/**
 * What the push consumer's parts share: the per-queue state (Java
 * PullRequest + ProcessQueue), the core the services call back into, and the
 * listener call with hooks and the CONSUMER_SEND_MSG_BACK helper
 * (ConsumeMessageConcurrentlyService / ConsumeMessageOrderlyService, 4.9.8).
 */
import { getErrorMessage, onAbort, type Clock, type Logger } from '../../common/index.js';
import type { SubscriptionData } from '../heartbeat.js';
import type { MessageExt } from '../message-ext.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue } from '../route.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';
import { retryProducerOf } from './retry-producer.js';
import type {
  ConsumeConcurrentlyStatus, ConsumeContext, ConsumeHookContext, ConsumeOrderlyStatus, ConsumerErrorSource, MessageListener, OrderlyMessageListener,
  ResolvedPushConsumerOptions,
} from './push-consumer-options.js';

/** One owned queue: its pull position, cached messages and cancellation. */
export interface QueueState {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue<MessageExt>;
  /** Aborts the pull in flight and every wait of this queue. */
  readonly abort: AbortController;
  /** Next offset to pull; -1 until computed. */
  nextOffset: number;
  /** Broker id the broker suggested to pull from next (0 = master). */
  brokerId: number;
  /** Set when the queue is being given up: consume no further batches. */
  stopping: boolean;
  /** Orderly: the consume loop of this queue, while it runs. */
  consuming: Promise<void> | undefined;
  /** Orderly: local reconsume counts by queue offset. */
  readonly reconsumeTimes: Map<number, number>;
  /** The pull loop, while it runs. */
  pulling: Promise<void> | undefined;
  /** The ConsumeContext objects handed to the listener for this queue (made once each). */
  readonly contexts: { concurrently?: ConsumeContext; orderly?: ConsumeContext };
}

/** The consumer as its services see it. */
export interface ConsumerCore {
  readonly opts: ResolvedPushConsumerOptions;
  readonly instance: MQClientInstance;
  readonly offsetStore: OffsetStore;
  readonly logger: Logger;
  readonly clock: Clock;
  /** False once shutdown began: start no new listener calls. */
  isConsuming(): boolean;
  subscription(topic: string): SubscriptionData | undefined;
  report(source: ConsumerErrorSource, error: unknown, mq?: MessageQueue): void;
}

/** Receives pulled messages (already in the queue's ProcessQueue). */
export interface ConsumeService {
  /** Orderly consumption (no span flow control: a queue is consumed in sequence anyway). */
  readonly orderly: boolean;
  submit(qs: QueueState, msgs: MessageExt[]): void;
  /** Waits for every listener call in flight; queued batches are not started. */
  shutdown(): Promise<void>;
}

export type AnyStatus = ConsumeConcurrentlyStatus | ConsumeOrderlyStatus;

/** A listener call's status: at once when the listener answered synchronously, else a promise of it. */
export type ListenerOutcome<S extends AnyStatus> = S | 'SUCCESS' | Promise<S | 'SUCCESS'>;

/**
 * Calls the listener with hooks around it. A thrown error or an unknown
 * result becomes `failed` (RECONSUME_LATER / SUSPEND_CURRENT_QUEUE_A_MOMENT);
 * nothing becomes SUCCESS. A listener that answers synchronously gets its
 * status back synchronously (no promise per call); one that returns a
 * promise gets a promise of the status.
 */
export function invokeListener<S extends AnyStatus>(
  core: ConsumerCore, listener: MessageListener | OrderlyMessageListener, qs: QueueState, msgs: MessageExt[], failed: S, orderly: boolean,
): ListenerOutcome<S> {
  const hooks = core.opts.hooks;
  const hookCtx: ConsumeHookContext | undefined = hooks.length === 0 ? undefined : { group: core.opts.group, messageQueue: qs.mq, messages: msgs, orderly };
  let started = 0;
  if (hookCtx !== undefined) {
    for (const h of hooks) {
      try {
        h.beforeConsume?.(hookCtx);
      } catch (err: unknown) {
        core.report('hook', err, qs.mq);
      }
    }
    started = core.clock.now();
  }
  let r: unknown;
  try {
    r = listener(msgs, consumeContext(core, qs, orderly));
  } catch (err: unknown) {
    return settleListener(core, qs, failed, hookCtx, started, err, true);
  }
  if (!isThenable(r)) return settleListener(core, qs, failed, hookCtx, started, r, false);
  return Promise.resolve(r).then(
    (v) => settleListener(core, qs, failed, hookCtx, started, v, false),
    (err: unknown) => settleListener(core, qs, failed, hookCtx, started, err, true),
  );
}

/** The status of a listener call from what it returned (or threw), with the after-hooks run. */
function settleListener<S extends AnyStatus>(
  core: ConsumerCore, qs: QueueState, failed: S, hookCtx: ConsumeHookContext | undefined, started: number, r: unknown, thrown: boolean,
): S | 'SUCCESS' {
  let status: S | 'SUCCESS';
  if (thrown) {
    status = failed;
    core.logger.warn('listener threw', { topic: qs.mq.topic, queueId: qs.mq.queueId, error: getErrorMessage(r) });
  } else {
    status = r === undefined || r === 'SUCCESS' ? 'SUCCESS' : failed;
    if (r !== undefined && r !== 'SUCCESS' && r !== failed) core.logger.warn('listener returned an unknown status', { status: String(r) });
  }
  if (hookCtx === undefined) return status;
  const outcome = { status, durationMs: core.clock.now() - started, ...(thrown ? { error: r } : {}) };
  for (const h of core.opts.hooks) {
    try {
      h.afterConsume?.(hookCtx, outcome);
    } catch (err: unknown) {
      core.report('hook', err, qs.mq);
    }
  }
  return status;
}

/** What the listener is told about a call: one frozen object per queue and mode, made on first use. */
function consumeContext(core: ConsumerCore, qs: QueueState, orderly: boolean): ConsumeContext {
  const known = orderly ? qs.contexts.orderly : qs.contexts.concurrently;
  if (known !== undefined) return known;
  const made: ConsumeContext = Object.freeze({ group: core.opts.group, messageQueue: qs.mq, orderly });
  if (orderly) qs.contexts.orderly = made;
  else qs.contexts.concurrently = made;
  return made;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && 'then' in v && typeof v.then === 'function';
}

/**
 * CONSUMER_SEND_MSG_BACK to the broker that stored `msg`: the broker stores a
 * copy in `%RETRY%group` (or `%DLQ%group` after maxReconsumeTimes, or at once
 * with delayLevel -1). When that broker does not take it (down, refusing),
 * the client's inner producer sends the copy to the retry topic on any broker
 * that has it (retry-producer.ts; not for delayLevel -1, the orderly DLQ
 * hand-off). True when either way stored it.
 */
export async function sendMessageBack(core: ConsumerCore, msg: MessageExt, delayLevel: number): Promise<boolean> {
  const addr = core.instance.findBrokerAddressInPublish(msg.brokerName) ?? msg.storeHost;
  try {
    await core.instance.api.consumerSendMessageBack(addr, {
      offset: msg.commitLogOffset,
      group: core.opts.group,
      delayLevel,
      originMsgId: msg.msgId,
      originTopic: msg.topic,
      maxReconsumeTimes: core.opts.maxReconsumeTimes,
    });
    return true;
  } catch (err: unknown) {
    core.report('sendBack', err);
    if (delayLevel < 0) return false;
  }
  try {
    const producer = await retryProducerOf(core.instance);
    await producer.sendRetryCopy(msg, core.opts.group, core.opts.maxReconsumeTimes);
    return true;
  } catch (err: unknown) {
    core.report('sendBack', err);
    return false;
  }
}

/** Resolves after `ms`, or at once when `signal` fires (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const t = setTimeout(() => {
      unregister?.();
      resolve();
    }, ms);
    const unregister = signal === undefined ? undefined : onAbort(signal, () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Splits into chunks of at most `n` (no copy when one chunk holds them all). */
export function chunks<T>(items: T[], n: number): T[][] {
  if (items.length <= n) return [items];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
