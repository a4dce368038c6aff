/**
 * The broker (broker/BrokerController.java, 4.9.8): wires the store, the
 * managers, the request processors and the name-server registration, and
 * runs the periodic services. `start()` binds, recovers the store, registers
 * processors and registers with every name server; `close()` undoes it all,
 * persisting offsets and configs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, HostAddress, Logger } from '../common/index.js';
import { getErrorMessage, isReadable, isWriteable, makeHostAddress, noopLogger, systemClock } from '../common/index.js';
import { RequestCode, createRequest } from '../protocol/index.js';
import type { RemotingChannel } from '../remoting/index.js';
import { RemotingClient, RemotingServer, resolveRemotingClientConfig, resolveRemotingServerConfig } from '../remoting/index.js';
import type { MessageStoreConfig, RecoveryReport } from '../store/index.js';
import { MessageStore, SCHEDULE_TOPIC, TIMER_TOPIC } from '../store/index.js';
import type { BrokerConfig } from './broker-config.js';
import { namesrvAddrList, resolveBrokerConfig } from './broker-config.js';
import type { BrokerContext } from './broker-context.js';
import { BrokerOuterAPI } from './broker-outer-api.js';
import type { BrokerIdentity, RegisterResult } from './broker-outer-api.js';
import { ConsumerManager } from './client/consumer-manager.js';
import { ProducerManager } from './client/producer-manager.js';
import { RebalanceLockManager } from './client/rebalance-lock-manager.js';
import { ConsumerOffsetManager } from './consumer-offset-manager.js';
import { registerAdminProcessors } from './processors/admin.js';
import { registerClientManageProcessors } from './processors/client-manage.js';
import { registerConsumerManageProcessors } from './processors/consumer-manage.js';
import { registerConsumerOffsetProcessors } from './processors/consumer-offset.js';
import { registerConsumerSendBackProcessor } from './processors/consumer-send-back.js';
import { registerEndTransactionProcessor } from './processors/end-transaction.js';
import { registerReplyProcessor } from './processors/reply-message.js';
import { TimerMessageService } from './timer/timer-message-service.js';
import { TransactionalMessageService } from './transaction/transactional-message-service.js';
import { ScheduleMessageService } from './schedule-message-service.js';
import { registerPullProcessor } from './processors/pull-message.js';
import { registerSendProcessors } from './processors/send-message.js';
import { PullRequestHoldService } from './pull-request-hold-service.js';
import { SubscriptionGroupManager } from './subscription-group-manager.js';
import { TopicConfigManager, type TopicConfig, type TopicConfigWrapper } from './topic-config-manager.js';

export interface BrokerDeps {
  readonly logger?: Logger;
  readonly clock?: Clock;
}

const CLIENT_SCAN_INTERVAL_MS = 10_000;

export class BrokerController {
  readonly config: Readonly<BrokerConfig>;
  readonly storeConfig: Readonly<MessageStoreConfig>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private server: RemotingServer | undefined;
  private readonly namesrvClient: RemotingClient;
  private readonly outer: BrokerOuterAPI;
  private ctx: { -readonly [K in keyof BrokerContext]: BrokerContext[K] } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | undefined;
  private registering: Promise<RegisterResult[]> | undefined;
  /** A full registration (every topic) is due. */
  private fullRegistrationDue = false;
  /** Topics created or changed since the last round, sent alone (an increment) unless a full round is due. */
  private readonly changedTopics = new Map<string, TopicConfig>();
  recovery: RecoveryReport | undefined;

  constructor(config: Readonly<BrokerConfig>, storeConfig: Readonly<MessageStoreConfig>, deps: BrokerDeps = {}) {
    this.config = config;
    this.storeConfig = storeConfig;
    this.log = (deps.logger ?? noopLogger).child({ component: 'broker', broker: config.brokerName });
    this.clock = deps.clock ?? systemClock;
    this.namesrvClient = new RemotingClient(resolveRemotingClientConfig({}), { logger: this.log });
    this.outer = new BrokerOuterAPI(this.namesrvClient, this.log);
  }

  /** The running broker's context (for tests and embedding). */
  get context(): BrokerContext {
    if (this.ctx === undefined) throw new Error('broker not started');
    return this.ctx;
  }

  address(): { host: string; port: number } {
    if (this.server === undefined) throw new Error('broker not started');
    return this.server.address();
  }

  get brokerAddr(): string {
    return this.context.brokerAddr;
  }

  async start(): Promise<void> {
    const consumers = new ConsumerManager({
      clock: this.clock,
      logger: this.log,
      listener: (event, group, channels) => {
        // DefaultConsumerIdsChangeListener: only membership changes reach the clients.
        if (event === 'CHANGE') this.notifyConsumerIdsChanged(group, channels);
      },
    });
    const producers = new ProducerManager({ clock: this.clock, logger: this.log });
    const server = new RemotingServer(resolveRemotingServerConfig({ host: this.config.listenHost, port: this.config.listenPort }), {
      logger: this.log,
      channelEventListener: {
        onChannelClose: (channel) => {
          consumers.doChannelCloseEvent(channel);
          producers.doChannelCloseEvent(channel);
        },
      },
    });
    this.server = server;
    // Bound to learn the store's host address, serving only once every processor is registered below.
    await server.start({ serve: false });
    const port = server.address().port;
    const brokerAddr = `${this.config.brokerIP1}:${port}`;
    const storeHost: HostAddress = makeHostAddress(this.config.brokerIP1, port);
    const pullHold = new PullRequestHoldService({ clock: this.clock, logger: this.log });
    // The schedule service needs the open store; the store's dispatch hook needs the service.
    const parked: { service?: ScheduleMessageService; timers?: TimerMessageService } = {};
    const store = new MessageStore(this.storeConfig, {
      storeHost,
      logger: this.log,
      clock: this.clock,
      onDispatched: (req) => {
        if (req.topic === SCHEDULE_TOPIC) parked.service?.onParked(req.queueId + 1, req.tagsCode);
        else if (req.topic === TIMER_TOPIC) parked.timers?.onParked(req.tagsCode, req.commitLogOffset, req.msgSize, req.queueOffset);
        else pullHold.notifyMessageArriving(req.topic, req.queueId, req.queueOffset, req.tagsCode);
      },
    });
    try {
      this.recovery = await store.open();
    } catch (err: unknown) {
      pullHold.close();
      await server.close({ graceMs: 0 });
      throw err;
    }
    const configDir = join(this.storeConfig.storePathRootDir, 'config');
    mkdirSync(configDir, { recursive: true });
    const deps = { logger: this.log, clock: this.clock };
    const topics = new TopicConfigManager(configDir, this.config, deps);
    const groups = new SubscriptionGroupManager(configDir, this.config.autoCreateSubscriptionGroup, deps);
    const offsets = new ConsumerOffsetManager(configDir, deps);
    topics.load();
    groups.load();
    offsets.load();
    const schedule = new ScheduleMessageService(store, configDir, deps);
    const timers = new TimerMessageService(store, configDir, { ...deps, maxDelayMs: this.config.timerMaxDelaySec * 1000 });
    const transactions = new TransactionalMessageService(this.config, { store, offsets, producers, topics, ...deps });
    parked.service = schedule;
    this.ctx = {
      config: this.config,
      store,
      topics,
      groups,
      offsets,
      consumers,
      producers,
      locks: new RebalanceLockManager({ clock: this.clock, lockMaxLiveTimeMs: this.config.rebalanceLockMaxLiveTime }),
      pullHold,
      schedule,
      transactions,
      timers,
      storeHost,
      brokerAddr,
      server,
      logger: this.log,
      clock: this.clock,
      registerTopic: (tc) => this.registerTopic(tc),
      notifyConsumerIdsChanged: (group, channels) => this.notifyConsumerIdsChanged(group, channels),
      updateConfig: (changes) => this.updateConfig(changes),
    };
    registerSendProcessors(this.ctx);
    registerPullProcessor(this.ctx);
    registerConsumerOffsetProcessors(this.ctx);
    registerClientManageProcessors(this.ctx);
    registerConsumerManageProcessors(this.ctx);
    registerAdminProcessors(this.ctx);
    registerConsumerSendBackProcessor(this.ctx);
    registerEndTransactionProcessor(this.ctx);
    registerReplyProcessor(this.ctx);
    server.serve();
    schedule.start();
    transactions.start();
    timers.start();
    parked.timers = timers;
    this.startServices();
    this.log.info('broker started', { brokerAddr, cluster: this.config.brokerClusterName, namesrv: this.config.namesrvAddr });
    await this.registerBrokerAll();
  }

  private startServices(): void {
    const every = (ms: number, fn: () => Promise<unknown> | void): void => {
      const t = setInterval(() => {
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) => this.log.error('periodic task failed', { error: getErrorMessage(err) }));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    const ctx = this.context;
    every(this.config.flushConsumerOffsetInterval, () => ctx.offsets.persist());
    every(this.config.registerBrokerIntervalMs, () => this.registerBrokerAll());
    every(CLIENT_SCAN_INTERVAL_MS, () => {
      const now = this.clock.now();
      ctx.consumers.scanNotActiveChannel(now, this.config.channelExpiredTimeout);
      ctx.producers.scanNotActiveChannel(now, this.config.channelExpiredTimeout);
      ctx.locks.removeExpired(now);
    });
  }

  private identity(): BrokerIdentity {
    const ctx = this.context;
    return {
      clusterName: this.config.brokerClusterName,
      brokerName: this.config.brokerName,
      brokerId: this.config.brokerId,
      brokerAddr: ctx.brokerAddr,
      haServerAddr: ctx.brokerAddr,
    };
  }

  /**
   * Registers with every name server with the whole topic table. Rounds are
   * serialised: a call made while one runs triggers one more full round after
   * it, so the latest table always lands. Resolves with the last round's results.
   */
  registerBrokerAll(): Promise<RegisterResult[]> {
    this.fullRegistrationDue = true;
    return this.runRegistrations();
  }

  /**
   * Sends one created or changed topic to every name server without the rest
   * of the table (BrokerController.registerIncrementBrokerData): name servers
   * add or update the topics a registration names and keep the others, so a
   * broker with thousands of topics does not send them all per creation.
   * Topics changed while a round runs go together in the next one.
   */
  private registerTopic(tc: TopicConfig): void {
    this.changedTopics.set(tc.topicName, tc);
    void this.runRegistrations();
  }

  private runRegistrations(): Promise<RegisterResult[]> {
    if (this.registering !== undefined) return this.registering;
    const addrs = namesrvAddrList(this.config.namesrvAddr);
    if (addrs.length === 0 || this.ctx === undefined) {
      this.fullRegistrationDue = false;
      this.changedTopics.clear();
      return Promise.resolve([]);
    }
    this.registering = (async (): Promise<RegisterResult[]> => {
      let results: RegisterResult[] = [];
      do {
        // A full round carries every change made before it was built.
        const wrapper = this.fullRegistrationDue ? this.topicWrapper() : this.changedTopicsWrapper();
        this.fullRegistrationDue = false;
        this.changedTopics.clear();
        results = await this.outer.registerBrokerAll(addrs, this.identity(), wrapper, this.config.registerBrokerTimeoutMills);
      } while ((this.fullRegistrationDue || this.changedTopics.size > 0) && this.closing === undefined);
      return results;
    })().finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  /** Topic configs for the name servers, with a restricted broker permission applied (BrokerController.registerBrokerAll). */
  private topicWrapper(): TopicConfigWrapper {
    const ctx = this.context;
    return this.restricted(ctx.topics.serializeWrapper());
  }

  /**
   * The topics changed since the last round, with the table's current data
   * version: every change bumps it before it is queued, and a round is built
   * and the queue emptied in one step, so each round's version is newer than
   * the last one's.
   */
  private changedTopicsWrapper(): TopicConfigWrapper {
    return this.restricted({ topicConfigTable: Object.fromEntries(this.changedTopics), dataVersion: this.context.topics.dataVersion.toJSON() });
  }

  private restricted(wrapper: TopicConfigWrapper): TopicConfigWrapper {
    const perm = this.context.config.brokerPermission;
    if (isReadable(perm) && isWriteable(perm)) return wrapper;
    const topicConfigTable = Object.fromEntries(Object.entries(wrapper.topicConfigTable).map(([k, tc]) => [k, { ...tc, perm: tc.perm & perm }]));
    return { ...wrapper, topicConfigTable };
  }

  /** Applies run-time broker keys: a new validated config object replaces the old one for every processor. */
  private updateConfig(changes: Readonly<Record<string, string>>): void {
    const ctx = this.ctx;
    if (ctx === undefined) throw new Error('broker not started');
    const base: Readonly<Record<string, unknown>> = ctx.config;
    const next: Record<string, unknown> = { ...ctx.config };
    for (const [k, raw] of Object.entries(changes)) {
      const sample = base[k];
      if (typeof sample === 'number') next[k] = Number(raw);
      else if (typeof sample === 'boolean') next[k] = raw === 'true' ? true : raw === 'false' ? false : raw;
      else next[k] = raw;
    }
    // Processors hold this context object and read `config` per request.
    ctx.config = resolveBrokerConfig(next as Partial<BrokerConfig>);
    if (changes.brokerPermission !== undefined) void this.registerBrokerAll();
  }

  /** NOTIFY_CONSUMER_IDS_CHANGED, oneway, to each channel (Broker2Client.notifyConsumerIdsChanged). */
  notifyConsumerIdsChanged(group: string, channels: readonly RemotingChannel[]): void {
    if (this.ctx?.groups.get(group)?.notifyConsumerIdsChangedEnable === false) return;
    for (const ch of channels) {
      if (!ch.isOpen) continue;
      ch.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { extFields: { consumerGroup: group } }));
    }
  }

  /** Graceful stop: unregister, stop serving, persist offsets and configs, close the store. Idempotent. */
  close(graceMs = 3_000): Promise<void> {
    this.closing ??= this.doClose(graceMs);
    return this.closing;
  }

  private async doClose(graceMs: number): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ctx = this.ctx;
    if (ctx !== undefined) {
      await this.registering?.catch(() => undefined);
      await this.outer.unregisterBrokerAll(namesrvAddrList(this.config.namesrvAddr), this.identity(), 3_000);
      ctx.pullHold.close();
      await ctx.schedule.close();
      ctx.transactions.close();
      await ctx.timers.close();
    }
    await this.server?.close({ graceMs });
    await this.namesrvClient.close();
    if (ctx !== undefined) {
      const errors: unknown[] = [];
      for (const step of [() => ctx.offsets.close(), () => ctx.topics.close(), () => ctx.groups.close(), () => ctx.store.close()]) {
        try {
          await step();
        } catch (err: unknown) {
          errors.push(err);
          this.log.error('broker shutdown step failed', { error: getErrorMessage(err) });
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'broker shutdown was not clean');
    }
    this.log.info('broker stopped');
  }
}
