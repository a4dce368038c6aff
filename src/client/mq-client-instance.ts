/**
 * The per-clientId engine producers and consumers share (Java MQClientInstance):
 * one RemotingClient, name-server failover (in MQClientAPI), the route cache
 * and its refresh timer, the broker address table, heartbeats to every broker
 * in the routes, group registration, and the handlers for requests brokers
 * send to clients.
 *
 * Ownership: a Producer (or Consumer) creates and owns its own instance unless
 * it is given one (`clientInstance` option). A shared instance is started by
 * the first user (`start()` is idempotent) and must be shut down by whoever
 * created it. No global registry exists.
 */
import { getErrorMessage, type Logger } from '../common/index.js';
import {
  CheckTransactionStateRequestHeader, GetConsumerRunningInfoRequestHeader, NotifyConsumerIdsChangedRequestHeader, RequestCode,
  ResetOffsetRequestHeader, ResponseCode, createResponseFor, fastJsonEntries, parseFastJson,
  type FastJsonValue, type RemotingCommand,
} from '../protocol/index.js';
import { RemotingClient, type RequestContext } from '../remoting/index.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './client-options.js';
import { ClientStateError } from './errors.js';
import type { ConsumerData } from './heartbeat.js';
import { decodeMessages, type MessageExt } from './message-ext.js';
import { MQClientAPI } from './mq-client-api.js';
import { RequestFutureTable } from './request-reply/request-future-table.js';
import { correlationIdOf, decodeReplyPush } from './request-reply/reply-message.js';
import {
  MASTER_ID, defaultTopicRoute, routeEquals, toPublishInfo, toSubscribeQueues,
  type MessageQueue, type TopicPublishInfo, type TopicRouteData,
} from './route.js';

/** What a producer registers (the transaction producer adds `checkTransactionState`). */
export interface ProducerHandle {
  /** CHECK_TRANSACTION_STATE for a half message of this group; answer with END_TRANSACTION to `brokerAddr`. */
  checkTransactionState?(brokerAddr: string, msg: MessageExt, header: CheckTransactionStateRequestHeader): void;
}

/** What a consumer registers; the instance calls these. */
export interface ConsumerHandle {
  /** Its part of the heartbeat (group, model, subscriptions). */
  heartbeatData(): ConsumerData;
  /** NOTIFY_CONSUMER_IDS_CHANGED from a broker: rebalance soon. */
  onConsumerIdsChanged(): void;
  /** A subscribed topic's readable queues changed (after a route refresh). */
  onSubscribeQueuesChanged?(topic: string, queues: readonly MessageQueue[]): void;
  /** RESET_CONSUMER_CLIENT_OFFSET: move to these offsets. */
  resetOffset?(topic: string, offsets: ReadonlyMap<MessageQueue, number>): void | Promise<void>;
  /** GET_CONSUMER_RUNNING_INFO: a ConsumerRunningInfo-shaped object (written as JSON). */
  runningInfo?(): unknown;
}

export interface UpdateRouteOptions {
  /** Fetch this template topic's route instead (TBW102) and cap its queues at `defaultTopicQueueNums`. */
  readonly defaultTopic?: string;
  readonly defaultTopicQueueNums?: number;
}

type State = 'CREATED' | 'RUNNING' | 'SHUTDOWN';

export class MQClientInstance {
  readonly options: ResolvedClientOptions;
  readonly clientId: string;
  readonly remoting: RemotingClient;
  readonly api: MQClientAPI;
  /** Requests of this client waiting for their reply (request-reply), by CORRELATION_ID. */
  readonly requests = new RequestFutureTable();
  private readonly logger: Logger;
  private state: State = 'CREATED';
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly publishInfos = new Map<string, TopicPublishInfo>();
  private readonly brokerAddrs = new Map<string, Map<number, string>>();
  private readonly producers = new Map<string, ProducerHandle>();
  private readonly consumers = new Map<string, ConsumerHandle>();
  private readonly inflightRoutes = new Map<string, Promise<TopicRouteData | undefined>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly background = new Set<Promise<unknown>>();

  constructor(options: ClientOptions | ResolvedClientOptions) {
    this.options = 'clientId' in options ? options : resolveClientOptions(options);
    this.clientId = this.options.clientId;
    this.logger = this.options.logger.child({ component: 'client.instance', clientId: this.clientId });
    this.remoting = new RemotingClient(this.options.remoting, { logger: this.options.logger });
    this.api = new MQClientAPI(this.remoting, this.options.namesrvAddrs, this.options.requestTimeoutMs, this.logger);
    this.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => this.onNotifyConsumerIdsChanged(req));
    this.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req, ctx) => this.onCheckTransactionState(req, ctx));
    this.remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (req) => this.onGetConsumerRunningInfo(req));
    this.remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => this.onResetOffset(req));
    this.remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req) => this.onPushReply(req));
  }

  get isRunning(): boolean {
    return this.state === 'RUNNING';
  }

  /** Starts the route-refresh and heartbeat timers (unref'd). Idempotent; throws after shutdown. */
  start(): void {
    if (this.state === 'RUNNING') return;
    if (this.state === 'SHUTDOWN') throw new ClientStateError('client instance was shut down');
    this.state = 'RUNNING';
    this.every(this.options.pollNameServerIntervalMs, () => this.refreshAllRoutes());
    this.every(this.options.heartbeatBrokerIntervalMs, () => this.sendHeartbeatNow());
    this.logger.info('client instance started', { namesrv: this.options.namesrvAddrs });
  }

  /** Stops timers, unregisters every group from every broker (best effort), closes all connections. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.state === 'SHUTDOWN') return;
    const wasRunning = this.state === 'RUNNING';
    this.state = 'SHUTDOWN';
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    if (wasRunning) {
      const groups = [...[...this.producers.keys()].map((g) => ({ producerGroup: g })), ...[...this.consumers.keys()].map((g) => ({ consumerGroup: g }))];
      await Promise.allSettled(groups.map((g) => this.unregisterFromBrokers(g)));
    }
    this.producers.clear();
    this.consumers.clear();
    this.requests.failAll(new ClientStateError('client instance shut down while waiting for a reply'));
    await Promise.allSettled([...this.background]);
    await this.remoting.close();
    this.logger.info('client instance shut down');
  }

  /** Registers a producer group; false when this instance already has it. */
  registerProducer(group: string, handle: ProducerHandle): boolean {
    if (this.producers.has(group)) return false;
    this.producers.set(group, handle);
    return true;
  }

  async unregisterProducer(group: string): Promise<void> {
    if (!this.producers.delete(group)) return;
    if (this.state === 'RUNNING') await this.unregisterFromBrokers({ producerGroup: group });
  }

  /** Registers a consumer group; false when this instance already has it. Call `sendHeartbeatNow()` next. */
  registerConsumer(group: string, handle: ConsumerHandle): boolean {
    if (this.consumers.has(group)) return false;
    this.consumers.set(group, handle);
    return true;
  }

  async unregisterConsumer(group: string): Promise<void> {
    if (!this.consumers.delete(group)) return;
    if (this.state === 'RUNNING') await this.unregisterFromBrokers({ consumerGroup: group });
  }

  /** The cached route of `topic`, if any. */
  getRoute(topic: string): TopicRouteData | undefined {
    return this.routes.get(topic);
  }

  /** The cached publish info of `topic`, if any. */
  getPublishInfo(topic: string): TopicPublishInfo | undefined {
    return this.publishInfos.get(topic);
  }

  /**
   * Fetches `topic`'s route from the name servers and updates the caches
   * (concurrent calls share one request). Undefined when no name server knows
   * the topic (the cached route, if any, is kept).
   */
  updateTopicRoute(topic: string, opts: UpdateRouteOptions = {}): Promise<TopicRouteData | undefined> {
    const key = opts.defaultTopic === undefined ? topic : `${topic}\u0000${opts.defaultTopic}`;
    let p = this.inflightRoutes.get(key);
    if (p === undefined) {
      p = this.fetchRoute(topic, opts).finally(() => this.inflightRoutes.delete(key));
      this.inflightRoutes.set(key, p);
    }
    return p;
  }

  /** Starts a route refresh in the background (errors logged). */
  refreshRouteSoon(topic: string): void {
    if (this.state !== 'RUNNING') return;
    this.track(this.updateTopicRoute(topic));
  }

  /** Readable queues of `topic`, fetched from the name servers (Java fetchSubscribeMessageQueues). */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    const route = (await this.updateTopicRoute(topic)) ?? this.routes.get(topic);
    return route === undefined ? [] : toSubscribeQueues(topic, route);
  }

  /** Master address of a broker group (sending). */
  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.brokerAddrs.get(brokerName)?.get(MASTER_ID);
  }

  /**
   * Address for pulling / offsets (Java findBrokerAddressInSubscribe): the
   * wanted broker id, else (unless `onlyThisBroker`) any address, master first.
   */
  findBrokerAddressInSubscribe(brokerName: string, brokerId = MASTER_ID, onlyThisBroker = false): { addr: string; slave: boolean } | undefined {
    const addrs = this.brokerAddrs.get(brokerName);
    if (addrs === undefined) return undefined;
    const exact = addrs.get(brokerId);
    if (exact !== undefined) return { addr: exact, slave: brokerId !== MASTER_ID };
    if (onlyThisBroker) return undefined;
    const ids = [...addrs.keys()].sort((a, b) => a - b);
    const id = ids[0];
    const addr = id === undefined ? undefined : addrs.get(id);
    return id === undefined || addr === undefined ? undefined : { addr, slave: id !== MASTER_ID };
  }

  /** Any broker address serving `topic` (Java findBrokerAddrByTopic), for GET_CONSUMER_LIST_BY_GROUP. */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const route = this.routes.get(topic);
    const bd = route?.brokerDatas[0];
    if (bd === undefined) return undefined;
    return bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0];
  }

  /**
   * HEART_BEAT to every broker in the routes (masters only when no consumer is
   * registered). Failures are logged, never thrown.
   */
  async sendHeartbeatNow(): Promise<void> {
    if (this.state !== 'RUNNING') return;
    const consumerDataSet: ConsumerData[] = [];
    for (const [group, c] of this.consumers) {
      try {
        consumerDataSet.push(c.heartbeatData());
      } catch (err: unknown) {
        this.logger.error('consumer heartbeat data failed', { group, error: getErrorMessage(err) });
      }
    }
    const producerDataSet = [...this.producers.keys()].map((groupName) => ({ groupName }));
    if (consumerDataSet.length === 0 && producerDataSet.length === 0) return;
    const data = { clientID: this.clientId, producerDataSet, consumerDataSet };
    const sends: Promise<void>[] = [];
    for (const [brokerName, addrs] of this.brokerAddrs) {
      for (const [id, addr] of addrs) {
        if (consumerDataSet.length === 0 && id !== MASTER_ID) continue;
        sends.push(this.api.heartbeat(addr, data).catch((err: unknown) => {
          this.logger.warn('heartbeat failed', { brokerName, addr, error: getErrorMessage(err) });
        }));
      }
    }
    await Promise.all(sends);
  }

  private async fetchRoute(topic: string, opts: UpdateRouteOptions): Promise<TopicRouteData | undefined> {
    const fetched = await this.api.getTopicRouteInfo(opts.defaultTopic ?? topic);
    if (fetched === undefined) return undefined;
    const route = opts.defaultTopic === undefined ? fetched : defaultTopicRoute(fetched, opts.defaultTopicQueueNums ?? 4);
    if (this.state === 'SHUTDOWN') return route;
    const old = this.routes.get(topic);
    if (old !== undefined && routeEquals(old, route)) return old;
    this.routes.set(topic, route);
    this.publishInfos.set(topic, toPublishInfo(topic, route));
    const known = this.allBrokerAddrs();
    this.rebuildBrokerAddrs();
    // A broker we never talked to: introduce ourselves now rather than at the next heartbeat tick.
    if (this.state === 'RUNNING' && this.allBrokerAddrs().some((a) => !known.includes(a))) this.track(this.sendHeartbeatNow());
    this.logger.debug('topic route changed', { topic, brokers: route.brokerDatas.map((b) => b.brokerName) });
    const queues = toSubscribeQueues(topic, route);
    for (const [group, c] of this.consumers) {
      if (c.onSubscribeQueuesChanged === undefined) continue;
      try {
        if (c.heartbeatData().subscriptionDataSet.some((s) => s.topic === topic)) c.onSubscribeQueuesChanged(topic, queues);
      } catch (err: unknown) {
        this.logger.error('onSubscribeQueuesChanged failed', { group, topic, error: getErrorMessage(err) });
      }
    }
    return route;
  }

  private allBrokerAddrs(): string[] {
    return [...this.brokerAddrs.values()].flatMap((m) => [...m.values()]);
  }

  private rebuildBrokerAddrs(): void {
    this.brokerAddrs.clear();
    for (const route of this.routes.values()) {
      for (const bd of route.brokerDatas) {
        let m = this.brokerAddrs.get(bd.brokerName);
        if (m === undefined) this.brokerAddrs.set(bd.brokerName, (m = new Map()));
        for (const [id, addr] of bd.brokerAddrs) m.set(id, addr);
      }
    }
  }

  private async refreshAllRoutes(): Promise<void> {
    const topics = new Set(this.routes.keys());
    for (const c of this.consumers.values()) {
      try {
        for (const s of c.heartbeatData().subscriptionDataSet) topics.add(s.topic);
      } catch {
        // reported by the heartbeat path
      }
    }
    await Promise.all([...topics].map((t) => this.updateTopicRoute(t).catch((err: unknown) => {
      this.logger.warn('route refresh failed', { topic: t, error: getErrorMessage(err) });
    })));
  }

  private async unregisterFromBrokers(groups: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    await Promise.all(this.allBrokerAddrs().map((addr) => this.api.unregisterClient(addr, this.clientId, groups).catch((err: unknown) => {
      this.logger.debug('unregister client failed', { addr, error: getErrorMessage(err) });
    })));
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => this.track(fn()), ms);
    t.unref();
    this.timers.push(t);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.logger.warn('background task failed', { error: getErrorMessage(err) }));
    this.background.add(q);
    void q.finally(() => this.background.delete(q));
  }

  private onNotifyConsumerIdsChanged(req: RemotingCommand): undefined {
    const { consumerGroup } = NotifyConsumerIdsChangedRequestHeader.decode(req.extFields);
    const c = this.consumers.get(consumerGroup);
    this.logger.info('consumer ids changed', { group: consumerGroup, known: c !== undefined });
    c?.onConsumerIdsChanged();
    return undefined;
  }

  private onCheckTransactionState(req: RemotingCommand, ctx: RequestContext): undefined {
    const header = CheckTransactionStateRequestHeader.decode(req.extFields);
    const msg = decodeMessages(req.body ?? Buffer.alloc(0), header.bname ?? '')[0];
    const group = msg?.properties.PGROUP;
    const producer = group === undefined ? undefined : this.producers.get(group);
    if (msg === undefined || producer?.checkTransactionState === undefined) {
      this.logger.warn('transaction check for an unknown producer group', { group });
      return undefined;
    }
    producer.checkTransactionState(ctx.channel.remoteAddress, msg, header);
    return undefined;
  }

  private async onGetConsumerRunningInfo(req: RemotingCommand): Promise<RemotingCommand> {
    const { consumerGroup } = GetConsumerRunningInfoRequestHeader.decode(req.extFields);
    const c = this.consumers.get(consumerGroup);
    if (c?.runningInfo === undefined) {
      return createResponseFor(req, ResponseCode.SYSTEM_ERROR, `The Consumer Group <${consumerGroup}> not exist in this consumer`);
    }
    const info: unknown = await c.runningInfo();
    return createResponseFor(req, ResponseCode.SUCCESS, undefined, { body: Buffer.from(JSON.stringify(info ?? {}), 'utf8') });
  }

  /** PUSH_REPLY_MESSAGE_TO_CLIENT (ClientRemotingProcessor.receiveReplyMessage): hand the reply to its request. */
  private onPushReply(req: RemotingCommand): RemotingCommand {
    try {
      const reply = decodeReplyPush(req, this.options.clock.now());
      const id = correlationIdOf(reply);
      if (id === undefined || !this.requests.complete(id, reply)) {
        this.logger.warn('reply matches no waiting request', { correlationId: id, bornHost: reply.bornHost });
      }
      return createResponseFor(req, ResponseCode.SUCCESS);
    } catch (err: unknown) {
      this.logger.warn('bad reply push', { error: getErrorMessage(err) });
      return createResponseFor(req, ResponseCode.SYSTEM_ERROR, 'process reply message fail');
    }
  }

  private async onResetOffset(req: RemotingCommand): Promise<RemotingCommand | undefined> {
    const h = ResetOffsetRequestHeader.decode(req.extFields);
    const c = this.consumers.get(h.group);
    if (c?.resetOffset === undefined) return createResponseFor(req, ResponseCode.SYSTEM_ERROR, `no consumer of group ${h.group} here`);
    const offsets = new Map<MessageQueue, number>();
    if (req.body !== undefined && req.body.length > 0) {
      const root = fastJsonEntries(parseFastJson(req.body.toString('utf8'))) ?? [];
      const table = root.find(([k]) => k === 'offsetTable')?.[1];
      for (const [k, v] of fastJsonEntries(table) ?? []) {
        const mq = toQueue(k);
        if (mq !== undefined && typeof v === 'number') offsets.set(mq, v);
      }
    }
    await c.resetOffset(h.topic, offsets);
    return undefined;
  }
}

/** A MessageQueue map key: an inline object (fastjson) or its JSON text. */
function toQueue(k: FastJsonValue): MessageQueue | undefined {
  let v: FastJsonValue = k;
  if (typeof v === 'string') {
    try {
      v = parseFastJson(v);
    } catch {
      return undefined;
    }
  }
  const fields = new Map(fastJsonEntries(v) ?? []);
  const topic = fields.get('topic');
  const brokerName = fields.get('brokerName');
  const queueId = fields.get('queueId');
  return typeof topic === 'string' && typeof brokerName === 'string' && typeof queueId === 'number' ? { topic, brokerName, queueId } : undefined;
}
