/**
 * AdminClient: the wire calls of RocketMQ's MQAdminExt that the `orbit` CLI
 * (and later the dashboard) needs, one typed method per request code. It owns
 * an unstarted MQClientInstance for its connections and name-server failover;
 * no heartbeats, no timers. Failures come back as:
 * - ConnectionError / TimeoutError (common): a name server or broker is unreachable;
 * - NotFoundError (common): the topic, group or message does not exist;
 * - AdminRefusedError: a peer answered with an error code (its remark kept).
 */
import { ConnectionError, NotFoundError, TimeoutError, getErrorMessage, noopLogger, type Logger } from '../../common/index.js';
import {
  CreateTopicRequestHeader, DeleteTopicRequestHeader, GetConsumeStatsRequestHeader, QueryMessageRequestHeader, RequestCode,
  ResetOffsetRequestHeader, ResponseCode, ViewMessageRequestHeader, createRequest, responseCodeName, type RemotingCommand,
} from '../../protocol/index.js';
import { ClientError } from '../errors.js';
import { decodeMessages, type MessageExt } from '../message-ext.js';
import { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue, TopicRouteData } from '../route.js';
import {
  parseClusterInfo, parseConsumeStats, parseConsumerConnection, parseGroupWrapper, parseKVTable, parsePropertiesText,
  parseResetOffsetBody, parseTopicList, parseTopicStatsTable,
  type ClusterInfo, type ConsumeStats, type ConsumerConnection, type GroupConfig, type TopicOffset,
} from './bodies.js';

/** A peer answered with an error code (code = RocketMQ response-code name). */
export class AdminRefusedError extends ClientError {
  readonly addr: string;
  readonly responseCode: number;
  readonly remark: string;
  constructor(addr: string, responseCode: number, remark: string | undefined) {
    const name = responseCodeName(responseCode) ?? `RESPONSE_${responseCode}`;
    super(name, `${addr} refused (${name}): ${remark ?? 'no reason given'}`);
    this.addr = addr;
    this.responseCode = responseCode;
    this.remark = remark ?? '';
  }
}

export interface AdminClientOptions {
  /** `host:port`, `a:9876;b:9876` or an array. */
  readonly namesrvAddr: string | readonly string[];
  /** Per-request timeout. Default 3000. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export interface TopicConfigInput {
  readonly topic: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly order?: boolean;
}

/** UNIQUE_MSG_QUERY_FLAG of QueryMessageProcessor. */
const UNIQUE_KEY_QUERY = '_UNIQUE_KEY_QUERY';

export class AdminClient {
  readonly instance: MQClientInstance;
  readonly timeoutMs: number;

  constructor(opts: AdminClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3_000;
    this.instance = new MQClientInstance({
      namesrvAddr: opts.namesrvAddr,
      requestTimeoutMs: this.timeoutMs,
      logger: opts.logger ?? noopLogger,
      instanceName: `orbit-admin-${process.pid}`,
      remoting: { connectTimeoutMs: Math.min(this.timeoutMs, 3_000) },
    });
  }

  get namesrvAddrs(): readonly string[] {
    return this.instance.options.namesrvAddrs;
  }

  async close(): Promise<void> {
    await this.instance.shutdown();
  }

  // ---- name servers ----

  private async namesrv(code: number, extFields: Record<string, string> = {}, addr?: string): Promise<RemotingCommand> {
    const cmd = createRequest(code, { extFields });
    try {
      const res = addr === undefined
        ? await this.instance.api.invokeNamesrv(cmd, this.timeoutMs)
        : await this.instance.remoting.invoke(addr, cmd, this.timeoutMs);
      return res;
    } catch (err: unknown) {
      throw unreachable(addr === undefined ? `name server ${this.namesrvAddrs.join(';')}` : `name server ${addr}`, err);
    }
  }

  /** GET_BROKER_CLUSTER_INFO (106), from any name server or from `namesrvAddr`. */
  async clusterInfo(namesrvAddr?: string): Promise<ClusterInfo> {
    const res = await this.namesrv(RequestCode.GET_BROKER_CLUSTER_INFO, {}, namesrvAddr);
    if (res.code !== ResponseCode.SUCCESS) throw new AdminRefusedError(namesrvAddr ?? 'name server', res.code, res.remark);
    return parseClusterInfo(res.body);
  }

  /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206). */
  async topicList(): Promise<string[]> {
    const res = await this.namesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    if (res.code !== ResponseCode.SUCCESS) throw new AdminRefusedError('name server', res.code, res.remark);
    return parseTopicList(res.body);
  }

  /** GET_ROUTEINFO_BY_TOPIC (105); NotFoundError when no broker has the topic. */
  async topicRoute(topic: string): Promise<TopicRouteData> {
    let route: TopicRouteData | undefined;
    try {
      route = await this.instance.api.getTopicRouteInfo(topic, this.timeoutMs);
    } catch (err: unknown) {
      throw unreachable(`name server ${this.namesrvAddrs.join(';')}`, err);
    }
    if (route === undefined || route.queueDatas.length === 0) throw new NotFoundError(`topic ${topic} does not exist on any broker`);
    return route;
  }

  /** Master address of each broker group of a topic's route. */
  async topicMasters(topic: string): Promise<{ brokerName: string; addr: string }[]> {
    const route = await this.topicRoute(topic);
    const out: { brokerName: string; addr: string }[] = [];
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(0);
      if (addr !== undefined) out.push({ brokerName: bd.brokerName, addr });
    }
    return out;
  }

  /** DELETE_TOPIC_IN_NAMESRV (216) on every name server. */
  async deleteTopicInNamesrvs(topic: string): Promise<void> {
    for (const addr of this.namesrvAddrs) {
      const res = await this.namesrv(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic }, addr);
      if (res.code !== ResponseCode.SUCCESS) throw new AdminRefusedError(addr, res.code, res.remark);
    }
  }

  // ---- brokers ----

  private async broker(addr: string, code: number, extFields: Record<string, string>, body?: Buffer, accept: readonly number[] = []): Promise<RemotingCommand> {
    let res: RemotingCommand;
    try {
      res = await this.instance.remoting.invoke(addr, createRequest(code, { extFields, body }), this.timeoutMs);
    } catch (err: unknown) {
      throw unreachable(`broker ${addr}`, err);
    }
    if (res.code !== ResponseCode.SUCCESS && !accept.includes(res.code)) throw new AdminRefusedError(addr, res.code, res.remark);
    return res;
  }

  /** UPDATE_AND_CREATE_TOPIC (17). */
  async createTopic(addr: string, t: TopicConfigInput): Promise<void> {
    const extFields = CreateTopicRequestHeader.encode({
      topic: t.topic, defaultTopic: 'TBW102', readQueueNums: t.readQueueNums, writeQueueNums: t.writeQueueNums,
      perm: t.perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: t.order ?? false,
    });
    await this.broker(addr, RequestCode.UPDATE_AND_CREATE_TOPIC, extFields);
  }

  /** DELETE_TOPIC_IN_BROKER (215). */
  async deleteTopicInBroker(addr: string, topic: string): Promise<void> {
    await this.broker(addr, RequestCode.DELETE_TOPIC_IN_BROKER, DeleteTopicRequestHeader.encode({ topic }));
  }

  /** GET_TOPIC_STATS_INFO (202); NotFoundError when the broker lacks the topic. */
  async topicStats(addr: string, topic: string): Promise<TopicOffset[]> {
    const res = await this.broker(addr, RequestCode.GET_TOPIC_STATS_INFO, { topic }, undefined, [ResponseCode.TOPIC_NOT_EXIST]);
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) throw new NotFoundError(`topic ${topic} does not exist on broker ${addr}`);
    return parseTopicStatsTable(res.body);
  }

  /** UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200). */
  async createGroup(addr: string, cfg: GroupConfig): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(cfg).sort(([a], [b]) => (a < b ? -1 : 1)));
    await this.broker(addr, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, Buffer.from(JSON.stringify(sorted), 'utf8'));
  }

  /** GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201); empty when the broker has none. */
  async groups(addr: string): Promise<GroupConfig[]> {
    const res = await this.broker(addr, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, {}, undefined, [ResponseCode.SYSTEM_ERROR]);
    if (res.code !== ResponseCode.SUCCESS) {
      if (res.remark?.includes('No subscription group') === true) return [];
      throw new AdminRefusedError(addr, res.code, res.remark);
    }
    return parseGroupWrapper(res.body);
  }

  /** GET_CONSUME_STATS (208). */
  async consumeStats(addr: string, consumerGroup: string, topic?: string): Promise<ConsumeStats> {
    const res = await this.broker(addr, RequestCode.GET_CONSUME_STATS, GetConsumeStatsRequestHeader.encode({ consumerGroup, ...(topic === undefined ? {} : { topic }) }));
    return parseConsumeStats(res.body);
  }

  /** GET_CONSUMER_CONNECTION_LIST (203); undefined when the group is not online there. */
  async consumerConnection(addr: string, consumerGroup: string): Promise<ConsumerConnection | undefined> {
    const res = await this.broker(addr, RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup }, undefined, [ResponseCode.CONSUMER_NOT_ONLINE]);
    if (res.code === ResponseCode.CONSUMER_NOT_ONLINE) return undefined;
    return parseConsumerConnection(res.body);
  }

  /** GET_BROKER_RUNTIME_INFO (28): the KVTable. */
  async runtimeInfo(addr: string): Promise<Record<string, string>> {
    return parseKVTable((await this.broker(addr, RequestCode.GET_BROKER_RUNTIME_INFO, {})).body);
  }

  /** GET_BROKER_CONFIG (26). */
  async brokerConfig(addr: string): Promise<Record<string, string>> {
    const res = await this.broker(addr, RequestCode.GET_BROKER_CONFIG, {});
    return parsePropertiesText(res.body?.toString('utf8') ?? '');
  }

  /** UPDATE_BROKER_CONFIG (25). */
  async updateBrokerConfig(addr: string, props: Readonly<Record<string, string>>): Promise<void> {
    const text = Object.entries(props).map(([k, v]) => `${k}=${v}\n`).join('');
    await this.broker(addr, RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from(text, 'utf8'));
  }

  /** VIEW_MESSAGE_BY_ID (33) by commit-log offset; NotFoundError when the broker has no record there. */
  async viewMessage(addr: string, commitLogOffset: number, brokerName = ''): Promise<MessageExt> {
    const res = await this.broker(addr, RequestCode.VIEW_MESSAGE_BY_ID, ViewMessageRequestHeader.encode({ offset: commitLogOffset }), undefined, [ResponseCode.SYSTEM_ERROR]);
    if (res.code !== ResponseCode.SUCCESS || res.body === undefined) throw new NotFoundError(`no message at commit-log offset ${commitLogOffset} on broker ${addr}`);
    const [msg] = decodeMessages(res.body, brokerName);
    if (msg === undefined) throw new NotFoundError(`no message at commit-log offset ${commitLogOffset} on broker ${addr}`);
    return msg;
  }

  /** QUERY_MESSAGE (12) by key (or by UNIQ_KEY with `uniqKey`); [] when none. */
  async queryMessage(addr: string, brokerName: string, topic: string, key: string, opts: { maxNum?: number; begin?: number; end?: number; uniqKey?: boolean } = {}): Promise<MessageExt[]> {
    const extFields = QueryMessageRequestHeader.encode({
      topic, key, maxNum: opts.maxNum ?? 64, beginTimestamp: opts.begin ?? 0, endTimestamp: opts.end ?? Number.MAX_SAFE_INTEGER,
    });
    if (opts.uniqKey === true) extFields[UNIQUE_KEY_QUERY] = 'true';
    const res = await this.broker(addr, RequestCode.QUERY_MESSAGE, extFields, undefined, [ResponseCode.QUERY_NOT_FOUND]);
    if (res.code === ResponseCode.QUERY_NOT_FOUND || res.body === undefined) return [];
    const msgs = decodeMessages(res.body, brokerName);
    return opts.uniqKey === true ? msgs.filter((m) => m.msgId === key) : msgs.filter((m) => m.keys.includes(key) || m.msgId === key);
  }

  /** INVOKE_BROKER_TO_RESET_OFFSET (222): `timestamp` -1 = the max offsets. */
  async resetOffset(addr: string, topic: string, group: string, timestamp: number, isForce = true): Promise<{ queue: MessageQueue; offset: number }[]> {
    const res = await this.broker(addr, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, ResetOffsetRequestHeader.encode({ topic, group, timestamp, isForce }));
    return parseResetOffsetBody(res.body);
  }
}

/** ConnectionError/TimeoutError → ConnectionError naming the peer; everything else unchanged. */
function unreachable(peer: string, err: unknown): unknown {
  if (err instanceof ConnectionError || err instanceof TimeoutError) {
    return new ConnectionError(`${peer} is unreachable (${getErrorMessage(err)})`, { cause: err });
  }
  return err;
}
