/**
 * The lite pull consumer (Java DefaultLitePullConsumer /
 * DefaultLitePullConsumerImpl, 4.9.8): the application asks for messages with
 * `poll()` or `for await`, while one background puller per assigned queue
 * long-polls the broker into a shared buffer.
 *
 * Queues come from `subscribe()` (the group's members split them; see
 * RebalanceImpl) or from `assign()` (fixed queues, no group membership).
 * Offsets: handing a message to the application moves its queue's consumed
 * offset past it; that "next offset to read" is committed to the broker (or
 * the local file in BROADCASTING) every `autoCommitIntervalMs`, when a queue
 * is revoked, when a `for await` loop ends and at shutdown — or only by
 * `commitSync()` / `commit()` when `autoCommit` is false.
 */
import { InvalidArgumentError, getErrorMessage, type Clock, type Logger } from '../../common/index.js';
import { resolveClientOptions } from '../client-options.js';
import { AbortError, ClientStateError, NoRouteError } from '../errors.js';
import { SUB_ALL, buildSubscriptionData, type ConsumerData, type SubscriptionData } from '../heartbeat.js';
import type { MessageExt } from '../message-ext.js';
import { MQClientInstance, type ConsumerHandle } from '../mq-client-instance.js';
import { messageQueueKey, type MessageQueue } from '../route.js';
import { LitePullAssignment } from './lite-pull-assignment.js';
import { LitePullCommitter } from './lite-pull-committer.js';
import { iterateMessages } from './lite-pull-iterator.js';
import { LitePullOffsets, computePullFromWhere, createOffsetStore } from './lite-pull-offsets.js';
import { resolveLitePullOptions, type LitePullConsumerOptions, type ResolvedLitePullOptions } from './lite-pull-options.js';
import type { LitePullQueue } from './lite-pull-queue.js';
import { LitePullBuffer, type PulledBatch } from './lite-pull-queue.js';
import type { OffsetStore } from './offset-store.js';
import type { TraceDispatcher } from '../trace/trace-dispatcher.js';
import { consumerTracing } from './consumer-trace.js';
import type { ConsumeHooks } from './push-consumer-options.js';
import { RebalanceImpl } from './rebalance-impl.js';

/** Options of one `poll()`. */
export interface PollOptions {
  /** Longest wait for messages; default `pollTimeoutMs`. 0 returns what is buffered now. */
  readonly timeoutMs?: number;
  /** Rejects the poll with AbortError when fired. */
  readonly signal?: AbortSignal;
}

/** Options of `messages()` (a `for await` loop). */
export interface IterateOptions {
  /** Ends the iteration (quietly, committing like `break`). */
  readonly signal?: AbortSignal;
}

type State = 'CREATED' | 'RUNNING' | 'SHUTDOWN';
const HALF_HOUR_MS = 30 * 60 * 1000;

export class LitePullConsumer implements AsyncIterable<MessageExt> {
  readonly group: string;
  private readonly opts: ResolvedLitePullOptions;
  private readonly instance: MQClientInstance;
  private readonly ownsInstance: boolean;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly offsets: LitePullOffsets;
  private readonly store: OffsetStore;
  private readonly committer: LitePullCommitter;
  private readonly buffer = new LitePullBuffer();
  private readonly queues: LitePullAssignment;
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private mode: 'NONE' | 'SUBSCRIBE' | 'ASSIGN' = 'NONE';
  private assigned: MessageQueue[] = [];
  private rebalance: RebalanceImpl | undefined;
  private state: State = 'CREATED';
  private startTimestamp = 0;
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly tracer: TraceDispatcher | undefined;
  private readonly traceHooks: ConsumeHooks | undefined;

  constructor(options: LitePullConsumerOptions) {
    const resolved = options.clientInstance?.options ?? resolveClientOptions(options);
    this.opts = resolveLitePullOptions(options);
    this.group = this.opts.group;
    this.ownsInstance = options.clientInstance === undefined;
    this.instance = options.clientInstance ?? new MQClientInstance(resolved);
    this.logger = resolved.logger.child({ component: 'client.litepull', group: this.group });
    this.offsets = new LitePullOffsets(this.instance, this.group);
    this.store = createOffsetStore(this.opts.messageModel, this.offsets, this.instance.clientId, this.group, this.opts.localOffsetStoreDir);
    this.committer = new LitePullCommitter(this.store, this.offsets);
    const o = this.opts;
    this.queues = new LitePullAssignment({
      group: this.group, api: this.instance.api, buffer: this.buffer, logger: this.logger, pullBatchSize: o.pullBatchSize,
      pullThresholdForAll: o.pullThresholdForAll, brokerSuspendMaxTimeMs: o.brokerSuspendMaxTimeMs, pullDelayOnErrorMs: o.pullDelayOnErrorMs,
      isRunning: () => this.state === 'RUNNING',
      subscription: (topic) => this.subscriptions.get(topic) ?? buildSubscriptionData(topic, SUB_ALL, 0),
      brokerAddr: (mq, id) => this.offsets.brokerAddr(mq, id),
      startOffset: (mq) => computePullFromWhere(mq, this.store, this.offsets, o.consumeFromWhere, o.consumeTimestamp ?? this.startTimestamp - HALF_HOUR_MS),
    }, this.committer, o.autoCommit, this.logger);
    this.clock = resolved.clock;
    if (this.opts.trace !== undefined) {
      const tracing = consumerTracing(this.group, this.opts.trace, resolved, this.instance);
      this.tracer = tracing.dispatcher;
      this.traceHooks = tracing.hooks;
    }
  }

  /** The id brokers know this client by (`ip@instanceName`). */
  get clientId(): string {
    return this.instance.clientId;
  }

  /**
   * Subscribes to `topic` with a tag expression (`*`, or `a || b`); the group's
   * members split its queues. Before or after start; not with `assign()`.
   */
  subscribe(topic: string, expression: string = SUB_ALL): void {
    this.checkNotShutdown();
    if (this.mode === 'ASSIGN') throw new ClientStateError('subscribe() and assign() are mutually exclusive');
    checkTopic(topic);
    const sub = buildSubscriptionData(topic, expression, this.clock.now());
    if (this.state === 'RUNNING') this.register();
    this.mode = 'SUBSCRIBE';
    this.subscriptions.set(topic, sub);
    if (this.state === 'RUNNING') this.background(this.join(), 'subscribe');
  }

  /** Stops consuming `topic` (its queues are revoked at the next rebalance, which runs now). */
  unsubscribe(topic: string): void {
    this.checkNotShutdown();
    if (!this.subscriptions.delete(topic)) return;
    if (this.state === 'RUNNING') this.background(this.join(), 'unsubscribe');
  }

  /** Consumes exactly these queues (replacing earlier ones), without group membership. Not with `subscribe()`. */
  assign(mqs: readonly MessageQueue[]): void {
    this.checkNotShutdown();
    if (this.mode === 'SUBSCRIBE') throw new ClientStateError('subscribe() and assign() are mutually exclusive');
    if (!Array.isArray(mqs) || mqs.length === 0) throw new InvalidArgumentError('assign() needs at least one message queue');
    for (const mq of mqs) checkTopic(mq.topic);
    this.mode = 'ASSIGN';
    this.assigned = [...mqs];
    if (this.state === 'RUNNING') this.background(this.queues.retain(this.assigned), 'assign');
  }

  /** The queues currently consumed, sorted. */
  assignment(): MessageQueue[] {
    return this.queues.list();
  }

  /** Starts the client, the pullers and (subscribe mode) the group membership and first rebalance. Idempotent. */
  async start(): Promise<void> {
    if (this.state === 'RUNNING') return;
    this.checkNotShutdown();
    await this.store.load();
    if (this.mode === 'SUBSCRIBE') this.register();
    this.startTimestamp = this.clock.now();
    this.instance.start();
    this.state = 'RUNNING';
    await this.tracer?.start();
    if (this.opts.autoCommit) {
      this.autoCommitTimer = setInterval(() => this.background(this.committer.commit(this.queues.positions(true)), 'auto commit'), this.opts.autoCommitIntervalMs);
      this.autoCommitTimer.unref();
    }
    if (this.mode === 'ASSIGN') await this.queues.retain(this.assigned);
    else if (this.mode === 'SUBSCRIBE') await this.join();
  }

  /**
   * The next messages: the oldest buffered batch (one queue, at most
   * `pullBatchSize`), waiting up to `timeoutMs` for one; `[]` on timeout.
   * Handing them out moves the queue's consumed offset past them.
   */
  async poll(opts: PollOptions = {}): Promise<MessageExt[]> {
    this.checkRunning();
    const timeoutMs = opts.timeoutMs ?? this.opts.pollTimeoutMs;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new InvalidArgumentError('poll timeoutMs must be a non-negative integer');
    const { signal } = opts;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted === true) throw new AbortError('poll aborted', { cause: signal.reason });
      const b = this.buffer.take();
      if (b !== undefined) {
        b.queue.advance(b.epoch, b.nextOffset);
        b.queue.settle(b.epoch);
        this.traceHandedOut(b);
        return [...b.messages];
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.state !== 'RUNNING') return [];
      await this.buffer.wait(left, signal);
    }
  }

  /** `for await (const msg of consumer)`: `messages()` without options. */
  [Symbol.asyncIterator](): AsyncIterator<MessageExt> {
    return this.messages()[Symbol.asyncIterator]();
  }

  /**
   * Messages one by one. A message counts as consumed when the loop asks for
   * the next one; `break` (or `signal`, or shutdown) ends the loop, puts the
   * current and later messages back, and commits when `autoCommit`.
   */
  messages(opts: IterateOptions = {}): AsyncGenerator<MessageExt, void, undefined> {
    this.checkRunning();
    return iterateMessages({
      nextBatch: (signal) => this.nextBatch(signal),
      putBack: (batch) => this.buffer.putBack(batch),
      isRunning: () => this.state === 'RUNNING',
      onEnd: async () => {
        if (!this.opts.autoCommit || this.state !== 'RUNNING') return;
        await this.committer.commit(this.queues.positions()).catch((err: unknown) => {
          this.logger.warn('commit failed', { error: getErrorMessage(err) });
        });
      },
    }, opts.signal);
  }

  /** Pulls `mq` from `offset` next (buffered messages of `mq` are dropped). `offset` must be within [min, max] of the queue. */
  async seek(mq: MessageQueue, offset: number): Promise<void> {
    const q = this.queueOf(mq);
    const [min, max] = await Promise.all([this.offsets.minOffset(mq), this.offsets.maxOffset(mq)]);
    if (!Number.isSafeInteger(offset) || offset < min || offset > max) {
      throw new InvalidArgumentError(`seek offset ${String(offset)} is outside [${min}, ${max}] of ${messageQueueKey(mq)}`);
    }
    this.queues.reset(q, offset);
  }

  /** Seeks to the queue's smallest offset. */
  async seekToBegin(mq: MessageQueue): Promise<void> {
    const q = this.queueOf(mq);
    this.queues.reset(q, await this.offsets.minOffset(mq));
  }

  /** Seeks past the queue's last message (only new messages follow). */
  async seekToEnd(mq: MessageQueue): Promise<void> {
    const q = this.queueOf(mq);
    this.queues.reset(q, await this.offsets.maxOffset(mq));
  }

  /** The group's committed offset of `mq` (broker, or local file in BROADCASTING); undefined when none. */
  async committed(mq: MessageQueue): Promise<number | undefined> {
    this.checkRunning();
    if (this.opts.messageModel === 'CLUSTERING') return this.offsets.committed(mq);
    const off = await this.store.readOffset(mq, 'READ_FROM_STORE');
    return off >= 0 ? off : undefined;
  }

  /** Commits the consumed offset of every assigned queue now; throws ClientError (COMMIT_FAILED) when the broker refused some. */
  commitSync(): Promise<void> {
    this.checkRunning();
    return this.committer.commit(this.queues.positions());
  }

  /** Commits `offsets` (next offsets to read, of assigned queues), or every consumed offset when omitted. */
  commit(offsets?: ReadonlyMap<MessageQueue, number>): Promise<void> {
    if (offsets === undefined) return this.commitSync();
    this.checkRunning();
    const entries: [MessageQueue, number][] = [];
    for (const [mq, off] of offsets) {
      if (!Number.isSafeInteger(off) || off < 0) throw new InvalidArgumentError(`bad offset ${String(off)} for ${messageQueueKey(mq)}`);
      entries.push([this.queueOf(mq).mq, off]);
    }
    return this.committer.commit(entries);
  }

  /** Stops pulling `mqs` and withholds their buffered messages until `resume()` (unassigned queues are ignored). */
  pause(mqs: readonly MessageQueue[]): void {
    for (const mq of mqs) {
      const q = this.queues.get(mq);
      if (q !== undefined) q.paused = true;
    }
  }

  resume(mqs: readonly MessageQueue[]): void {
    for (const mq of mqs) {
      const q = this.queues.get(mq);
      if (q === undefined) continue;
      q.paused = false;
      q.wake();
    }
    this.buffer.notify();
  }

  /** The readable queues of `topic` (Java fetchMessageQueues); NoRouteError when the topic is unknown. */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.checkNotShutdown();
    const mqs = await this.instance.fetchSubscribeMessageQueues(topic);
    if (mqs.length === 0) throw new NoRouteError(topic, `no queues of topic ${topic}`);
    return mqs;
  }

  /** The first offset of `mq` stored at or after `timestamp` (epoch ms). */
  offsetForTimestamp(mq: MessageQueue, timestamp: number): Promise<number> {
    this.checkNotShutdown();
    return this.offsets.searchOffset(mq, timestamp);
  }

  /** Stops pulling, commits (when `autoCommit`), leaves the group and closes the client it owns. Idempotent. */
  shutdown(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    const wasRunning = this.state === 'RUNNING';
    this.state = 'SHUTDOWN';
    if (this.autoCommitTimer !== undefined) clearInterval(this.autoCommitTimer);
    await this.rebalance?.stop();
    await this.queues.stop();
    if (wasRunning && this.opts.autoCommit) {
      await this.committer.commit(this.queues.positions()).catch((err: unknown) => this.logger.warn('commit at shutdown failed', { error: getErrorMessage(err) }));
    }
    await this.committer.idle();
    if (this.rebalance !== undefined) await this.instance.unregisterConsumer(this.group);
    await this.tracer?.shutdown();
    if (this.ownsInstance) await this.instance.shutdown();
  }

  /** Joins the group (once): registers with the client instance and creates the rebalancer. */
  private register(): void {
    if (this.rebalance !== undefined) return;
    if (!this.instance.registerConsumer(this.group, this.handle())) {
      throw new ClientStateError(`consumer group ${this.group} is already registered on client ${this.instance.clientId}`);
    }
    this.rebalance = new RebalanceImpl({
      group: this.group, messageModel: this.opts.messageModel, allocateStrategy: this.opts.allocateStrategy, instance: this.instance,
      subscriptions: () => this.subscriptions, rebalanceIntervalMs: this.opts.rebalanceIntervalMs, logger: this.logger,
      listener: {
        onQueuesAdded: (mqs) => {
          if (this.state === 'RUNNING') for (const mq of mqs) this.queues.add(mq);
        },
        onQueuesRemoved: (mqs) => this.queues.revoke(mqs),
      },
    });
  }

  /** Refreshes routes, heartbeats and rebalances now. */
  private async join(): Promise<void> {
    await Promise.all([...this.subscriptions.keys()].map((t) => this.instance.updateTopicRoute(t).catch((err: unknown) => {
      this.logger.warn('route lookup failed', { topic: t, error: getErrorMessage(err) });
    })));
    await this.instance.sendHeartbeatNow();
    if (this.state !== 'RUNNING' || this.rebalance === undefined) return;
    this.rebalance.start();
    await this.rebalance.rebalanceNow();
  }

  private handle(): ConsumerHandle {
    return {
      heartbeatData: (): ConsumerData => ({
        groupName: this.group, consumeType: 'CONSUME_ACTIVELY', messageModel: this.opts.messageModel,
        consumeFromWhere: this.opts.consumeFromWhere, subscriptionDataSet: [...this.subscriptions.values()], unitMode: false,
      }),
      onConsumerIdsChanged: () => this.rebalance?.requestRebalance(),
      onSubscribeQueuesChanged: () => this.rebalance?.requestRebalance(),
      resetOffset: (topic, offsets) => {
        for (const [mq, off] of offsets) {
          const q = this.queues.get(mq);
          if (q !== undefined && mq.topic === topic) this.queues.reset(q, off);
        }
      },
      runningInfo: () => ({
        properties: {
          consumerGroup: this.group, messageModel: this.opts.messageModel, consumeFromWhere: this.opts.consumeFromWhere,
          consumeType: 'CONSUME_ACTIVELY', PROP_CLIENT_VERSION: 'V4_9_8',
        },
        subscriptionSet: [...this.subscriptions.values()],
        queues: this.queues.list().map((mq) => ({ ...mq, consumeOffset: this.queues.get(mq)?.consumeOffset ?? -1 })),
      }),
    };
  }

  private async nextBatch(signal: AbortSignal | undefined): Promise<PulledBatch | undefined> {
    for (;;) {
      if (this.state !== 'RUNNING' || signal?.aborted === true) return undefined;
      const b = this.buffer.take();
      if (b !== undefined) {
        this.traceHandedOut(b);
        return b;
      }
      await this.buffer.wait(1000, signal);
    }
  }

  /** Trace records of a batch handed to the application: SubBefore and SubAfter (SUCCESS) at once, as the Java lite pull consumer records them at poll. */
  private traceHandedOut(b: PulledBatch): void {
    const hooks = this.traceHooks;
    if (hooks === undefined || b.messages.length === 0) return;
    const ctx = { group: this.group, messageQueue: b.queue.mq, messages: b.messages, orderly: false };
    hooks.beforeConsume?.(ctx);
    hooks.afterConsume?.(ctx, { status: 'SUCCESS', durationMs: 0 });
  }

  private queueOf(mq: MessageQueue): LitePullQueue {
    this.checkRunning();
    const q = this.queues.get(mq);
    if (q === undefined) throw new InvalidArgumentError(`${messageQueueKey(mq)} is not assigned to this consumer (rebalancing?)`);
    return q;
  }

  private background(p: Promise<unknown>, what: string): void {
    void p.catch((err: unknown) => this.logger.warn(`${what} failed`, { error: getErrorMessage(err) }));
  }

  private checkRunning(): void {
    if (this.state !== 'RUNNING') throw new ClientStateError(`lite pull consumer is ${this.state === 'CREATED' ? 'not started' : 'shut down'}`);
  }

  private checkNotShutdown(): void {
    if (this.state === 'SHUTDOWN') throw new ClientStateError('lite pull consumer was shut down');
  }
}

function checkTopic(topic: unknown): void {
  if (typeof topic !== 'string' || !/^[%|a-zA-Z0-9_-]{1,127}$/.test(topic)) throw new InvalidArgumentError(`bad topic ${String(topic)}`);
}
