/**
 * The push consumer (Java DefaultMQPushConsumer / DefaultMQPushConsumerImpl,
 * 4.9.8): subscribes, rebalances the group's queues (RebalanceImpl), long-polls
 * each owned queue (PullService) and hands messages to a concurrent or an
 * orderly listener, committing offsets to the broker (clustering) or a local
 * file (broadcasting) every `persistConsumerOffsetIntervalMs` and at shutdown.
 *
 * ```ts
 * const c = new PushConsumer({ namesrvAddr: '127.0.0.1:9876', group: 'my-group' });
 * c.subscribe('orders', 'TagA || TagB');
 * c.onMessage(async (msgs) => { for (const m of msgs) handle(m); });
 * await c.start();
 * // ...
 * await c.shutdown();
 * ```
 */
import { EventEmitter } from 'node:events';
import { InvalidArgumentError, getErrorMessage, retainedAbortController, type Clock, type Logger } from '../../common/index.js';
import { resolveClientOptions } from '../client-options.js';
import { ClientStateError } from '../errors.js';
import { buildSubscriptionData, SUB_ALL, type ConsumerData, type SubscriptionData } from '../heartbeat.js';
import { MQClientInstance, type ConsumerHandle } from '../mq-client-instance.js';
import { messageQueueKey, type MessageQueue } from '../route.js';
import { brokerOffsetBackend } from './broker-offset-backend.js';
import { ConsumeConcurrentlyService } from './consume-concurrently.js';
import { ConsumeOrderlyService, LOCK_MAX_LIVE_MS } from './consume-orderly.js';
import type { ConsumeService, ConsumerCore, QueueState } from './consume-service.js';
import { LocalFileOffsetStore, RemoteBrokerOffsetStore, type OffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';
import { PullService } from './pull-service.js';
import {
  defaultOffsetStorePath, resolvePushConsumerOptions,
  type ConsumerErrorSource, type MessageListener, type OrderlyMessageListener, type PushConsumerEvents, type PushConsumerOptions,
  type ResolvedPushConsumerOptions,
} from './push-consumer-options.js';
import { lockQueues, unlockQueues } from './queue-lock.js';
import { RebalanceImpl } from './rebalance-impl.js';
import type { TraceDispatcher } from '../trace/trace-dispatcher.js';
import { consumerTracing } from './consumer-trace.js';

type State = 'CREATED' | 'RUNNING' | 'STOPPING' | 'SHUTDOWN';

export class PushConsumer extends EventEmitter<PushConsumerEvents> {
  readonly group: string;
  private readonly opts: ResolvedPushConsumerOptions;
  private readonly instance: MQClientInstance;
  private readonly ownsInstance: boolean;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly offsetStore: OffsetStore;
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private readonly queues = new Map<string, QueueState>();
  private readonly rebalance: RebalanceImpl;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tracer: TraceDispatcher | undefined;
  private listener: { orderly: false; fn: MessageListener } | { orderly: true; fn: OrderlyMessageListener } | undefined;
  private service: ConsumeService | undefined;
  private pull: PullService | undefined;
  private state: State = 'CREATED';
  /** Offset writes run one after another (a local file is replaced by rename). */
  private persistChain: Promise<void> = Promise.resolve();

  constructor(options: PushConsumerOptions) {
    super();
    const client = options.clientInstance?.options ?? resolveClientOptions(options);
    this.opts = resolvePushConsumerOptions(options, client.clock.now());
    this.group = this.opts.group;
    this.ownsInstance = options.clientInstance === undefined;
    this.instance = options.clientInstance ?? new MQClientInstance(client);
    this.clock = client.clock;
    this.logger = client.logger.child({ component: 'client.push-consumer', group: this.group });
    if (this.opts.trace !== undefined) {
      const tracing = consumerTracing(this.group, this.opts.trace, client, this.instance);
      this.tracer = tracing.dispatcher;
      this.opts = { ...this.opts, hooks: [...this.opts.hooks, tracing.hooks] };
    }
    this.offsetStore = this.opts.messageModel === 'CLUSTERING'
      ? new RemoteBrokerOffsetStore(brokerOffsetBackend(this.instance, this.group))
      : new LocalFileOffsetStore(this.opts.offsetStorePath ?? defaultOffsetStorePath(this.instance.clientId, this.group));
    this.rebalance = new RebalanceImpl({
      group: this.group,
      messageModel: this.opts.messageModel,
      allocateStrategy: this.opts.allocateStrategy,
      instance: this.instance,
      subscriptions: () => this.subscriptions,
      rebalanceIntervalMs: this.opts.rebalanceIntervalMs,
      logger: this.logger,
      listener: { onQueuesAdded: (mqs) => this.addQueues(mqs), onQueuesRemoved: (mqs) => this.removeQueues(mqs) },
      onError: (err, topic) => this.report('rebalance', err, undefined, topic),
      onChange: (change) => this.emit('rebalance', change),
    });
  }

  /** The id brokers know this client by (`ip@instanceName`). */
  get clientId(): string {
    return this.instance.clientId;
  }

  /** The queues this consumer owns now, sorted. */
  get assignedQueues(): MessageQueue[] {
    return this.rebalance.assignedQueues;
  }

  /** Subscribes to `topic` with a tag expression (`*`, or `TagA || TagB`). Allowed before and after start. */
  subscribe(topic: string, expression: string = SUB_ALL): this {
    if (typeof topic !== 'string' || topic.length === 0) throw new InvalidArgumentError('topic must be a non-empty string');
    this.subscriptions.set(topic, buildSubscriptionData(topic, expression, this.clock.now()));
    if (this.state === 'RUNNING') {
      this.instance.refreshRouteSoon(topic);
      void this.instance.sendHeartbeatNow().finally(() => this.rebalance.requestRebalance());
    }
    return this;
  }

  /** Stops consuming `topic` (its queues are released at the next rebalance). */
  unsubscribe(topic: string): this {
    this.subscriptions.delete(topic);
    if (this.state === 'RUNNING') this.rebalance.requestRebalance();
    return this;
  }

  /** Sets the concurrent listener (before start). */
  onMessage(listener: MessageListener): this {
    this.setListener({ orderly: false, fn: listener });
    return this;
  }

  /** Sets the orderly listener (before start): per queue one call at a time, in offset order, under a broker lock. */
  onMessageOrderly(listener: OrderlyMessageListener): this {
    this.setListener({ orderly: true, fn: listener });
    return this;
  }

  /** Registers the group, heartbeats, and starts rebalancing and pulling. */
  async start(): Promise<void> {
    if (this.state === 'RUNNING') return;
    if (this.state !== 'CREATED') throw new ClientStateError('push consumer was shut down');
    const listener = this.listener;
    if (listener === undefined) throw new ClientStateError('set a listener with onMessage or onMessageOrderly before start');
    if (this.subscriptions.size === 0) throw new ClientStateError('subscribe to a topic before start');
    if (this.opts.messageModel === 'CLUSTERING') {
      const retry = `%RETRY%${this.group}`;
      this.subscriptions.set(retry, buildSubscriptionData(retry, SUB_ALL, this.clock.now()));
    }
    if (!this.instance.registerConsumer(this.group, this.handle())) {
      throw new ClientStateError(`consumer group ${this.group} is already registered on client ${this.instance.clientId}`);
    }
    await this.offsetStore.load();
    const core = this.core();
    this.service = listener.orderly ? new ConsumeOrderlyService(core, listener.fn) : new ConsumeConcurrentlyService(core, listener.fn);
    this.pull = new PullService(core, this.service);
    this.instance.start();
    this.state = 'RUNNING';
    await this.tracer?.start();
    await Promise.all([...this.subscriptions.keys()].map((t) => this.instance.updateTopicRoute(t).catch((err: unknown) => {
      this.logger.debug('route lookup at start failed', { topic: t, error: getErrorMessage(err) });
    })));
    await this.instance.sendHeartbeatNow();
    this.every(this.opts.persistConsumerOffsetIntervalMs, () => this.persistOffsets());
    if (listener.orderly && this.opts.messageModel === 'CLUSTERING') this.every(this.opts.lockRenewIntervalMs, () => this.lockAll());
    this.rebalance.start();
  }

  /**
   * Stops pulling, waits for listener calls in flight, commits offsets,
   * unlocks (orderly), unregisters and closes the client instance (if owned).
   * Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'SHUTDOWN' || this.state === 'STOPPING') return;
    const wasRunning = this.state === 'RUNNING';
    this.state = 'STOPPING';
    if (wasRunning) {
      for (const t of this.timers) clearInterval(t);
      this.timers.length = 0;
      await this.rebalance.stop();
      const all = [...this.queues.values()];
      for (const qs of all) {
        qs.stopping = true;
        qs.abort.abort();
      }
      await Promise.allSettled(all.map((qs) => qs.pulling));
      await this.service?.shutdown();
      await this.persistOffsets().catch((err: unknown) => this.report('offset', err));
      if (this.listener?.orderly === true && this.opts.messageModel === 'CLUSTERING') {
        await unlockQueues(this.instance, this.group, all.map((qs) => qs.mq), false, this.logger);
      }
      for (const qs of all) qs.pq.dropped = true;
      this.queues.clear();
      await this.instance.unregisterConsumer(this.group);
    }
    await this.tracer?.shutdown();
    this.state = 'SHUTDOWN';
    if (this.ownsInstance) await this.instance.shutdown();
  }

  private setListener(l: NonNullable<PushConsumer['listener']>): void {
    if (this.state !== 'CREATED') throw new ClientStateError('set the listener before start');
    if (typeof l.fn !== 'function') throw new InvalidArgumentError('listener must be a function');
    this.listener = l;
  }

  private core(): ConsumerCore {
    return {
      opts: this.opts,
      instance: this.instance,
      offsetStore: {
        load: () => this.offsetStore.load(),
        updateOffset: (mq, offset, increaseOnly) => this.offsetStore.updateOffset(mq, offset, increaseOnly),
        readOffset: (mq, type) => this.offsetStore.readOffset(mq, type),
        persistAll: (mqs) => this.persist(mqs),
        removeOffset: (mq) => this.offsetStore.removeOffset(mq),
      },
      logger: this.logger,
      clock: this.clock,
      isConsuming: () => this.state === 'RUNNING',
      subscription: (topic) => this.subscriptions.get(topic),
      report: (source, error, mq) => this.report(source, error, mq),
    };
  }

  private report(source: ConsumerErrorSource, error: unknown, messageQueue?: MessageQueue, topic?: string): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', { source, error, ...(messageQueue === undefined ? {} : { messageQueue }), ...(topic === undefined ? {} : { topic }) });
    } else {
      this.logger.warn('consumer error', { source, topic: messageQueue?.topic ?? topic, queueId: messageQueue?.queueId, error: getErrorMessage(error) });
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn().catch((err: unknown) => this.report('offset', err)), ms);
    t.unref();
    this.timers.push(t);
  }

  /** persistConsumerOffset: the owned queues (clustering) or the whole file (broadcasting). */
  private async persistOffsets(): Promise<void> {
    const mqs = [...this.queues.values()].map((qs) => qs.mq);
    await this.persist(this.opts.messageModel === 'CLUSTERING' ? mqs : undefined);
  }

  /** OffsetStore.persistAll, serialised. */
  private persist(mqs?: readonly MessageQueue[]): Promise<void> {
    const run = this.persistChain.then(() => this.offsetStore.persistAll(mqs));
    this.persistChain = run.catch(() => undefined);
    return run;
  }

  /** Orderly: renew the locks of every owned queue (RebalanceImpl.lockAll). */
  private async lockAll(): Promise<void> {
    const all = [...this.queues.values()];
    if (all.length === 0 || this.state !== 'RUNNING') return;
    const granted = await lockQueues(this.instance, this.group, all.map((qs) => qs.mq), this.logger);
    const now = this.clock.now();
    for (const qs of all) {
      const ok = granted.has(messageQueueKey(qs.mq));
      if (ok) qs.pq.lastLockTimestamp = now;
      qs.pq.locked = ok || now - qs.pq.lastLockTimestamp <= LOCK_MAX_LIVE_MS;
    }
  }

  /** Rebalance gave us queues: orderly clustering takes only those it can lock. */
  private async addQueues(mqs: readonly MessageQueue[]): Promise<readonly MessageQueue[]> {
    if (this.state !== 'RUNNING') return [];
    let taken = mqs;
    const locking = this.listener?.orderly === true && this.opts.messageModel === 'CLUSTERING';
    if (locking) {
      const granted = await lockQueues(this.instance, this.group, mqs, this.logger);
      taken = mqs.filter((mq) => granted.has(messageQueueKey(mq)));
    }
    const now = this.clock.now();
    for (const mq of taken) {
      const qs = this.newQueueState(mq);
      if (locking) {
        qs.pq.locked = true;
        qs.pq.lastLockTimestamp = now;
      }
      // A queue we owned before may have moved on under another owner.
      if (this.opts.messageModel === 'CLUSTERING') this.offsetStore.removeOffset(mq);
      this.queues.set(messageQueueKey(mq), qs);
      this.pull?.start(qs);
    }
    return taken;
  }

  private newQueueState(mq: MessageQueue): QueueState {
    return {
      mq, pq: new ProcessQueue(), abort: retainedAbortController(), nextOffset: -1, brokerId: 0,
      stopping: false, consuming: undefined, reconsumeTimes: new Map(), pulling: undefined, contexts: {},
    };
  }

  /** Rebalance took queues away: stop, wait for an orderly call in flight, commit, forget, unlock. */
  private async removeQueues(mqs: readonly MessageQueue[]): Promise<void> {
    const gone: QueueState[] = [];
    for (const mq of mqs) {
      const qs = this.queues.get(messageQueueKey(mq));
      if (qs === undefined) continue;
      this.queues.delete(messageQueueKey(mq));
      qs.stopping = true;
      qs.abort.abort();
      gone.push(qs);
    }
    if (gone.length === 0) return;
    await Promise.allSettled(gone.map((qs) => qs.consuming));
    for (const qs of gone) qs.pq.dropped = true;
    const list = gone.map((qs) => qs.mq);
    await this.persist(list).catch((err: unknown) => this.report('offset', err));
    if (this.opts.messageModel === 'CLUSTERING') for (const mq of list) this.offsetStore.removeOffset(mq);
    if (this.listener?.orderly === true && this.opts.messageModel === 'CLUSTERING') {
      await unlockQueues(this.instance, this.group, list, false, this.logger);
    }
  }

  /** RESET_CONSUMER_CLIENT_OFFSET: drop the topic's queues, set and commit the offsets, pull again from there. */
  private async resetOffset(topic: string, offsets: ReadonlyMap<MessageQueue, number>): Promise<void> {
    if (this.state !== 'RUNNING') return;
    const affected = [...this.queues.values()].filter((qs) => qs.mq.topic === topic);
    for (const qs of affected) {
      qs.stopping = true;
      qs.abort.abort();
    }
    await Promise.allSettled(affected.flatMap((qs) => [qs.pulling, qs.consuming]));
    for (const qs of affected) qs.pq.dropped = true;
    const set: MessageQueue[] = [];
    for (const [mq, offset] of offsets) {
      if (mq.topic !== topic) continue;
      this.offsetStore.updateOffset(mq, offset, false);
      set.push(mq);
    }
    await this.persist(this.opts.messageModel === 'CLUSTERING' ? set : undefined);
    if (this.state !== 'RUNNING') return;
    for (const old of affected) {
      const key = messageQueueKey(old.mq);
      if (this.queues.get(key) !== old) continue;
      const qs = this.newQueueState(old.mq);
      qs.pq.locked = old.pq.locked;
      qs.pq.lastLockTimestamp = old.pq.lastLockTimestamp;
      this.queues.set(key, qs);
      this.pull?.start(qs);
    }
    this.logger.info('consumer offsets reset', { topic, queues: set.length });
  }

  private handle(): ConsumerHandle {
    return {
      heartbeatData: (): ConsumerData => ({
        groupName: this.group,
        consumeType: 'CONSUME_PASSIVELY',
        messageModel: this.opts.messageModel,
        consumeFromWhere: this.opts.consumeFromWhere,
        subscriptionDataSet: [...this.subscriptions.values()],
        unitMode: false,
      }),
      onConsumerIdsChanged: () => this.rebalance.requestRebalance(),
      onSubscribeQueuesChanged: () => this.rebalance.requestRebalance(),
      resetOffset: (topic, offsets) => this.resetOffset(topic, offsets),
      runningInfo: () => ({
        properties: {
          consumerGroup: this.group,
          messageModel: this.opts.messageModel,
          consumeFromWhere: this.opts.consumeFromWhere,
          consumeOrderly: String(this.listener?.orderly === true),
          consumeType: 'CONSUME_PASSIVELY',
          PROP_CLIENT_VERSION: 'V4_9_8',
        },
        subscriptionSet: [...this.subscriptions.values()],
        queues: [...this.queues.values()].map((qs) => ({
          ...qs.mq, nextOffset: qs.nextOffset, cachedMsgCount: qs.pq.msgCount, cachedMsgSize: qs.pq.msgSize, locked: qs.pq.locked,
        })),
      }),
    };
  }
}
