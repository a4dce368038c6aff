/**
 * Parsers of the admin response bodies (remoting.md §7, §8): ClusterInfo,
 * TopicList, TopicStatsTable, ConsumeStats, ConsumerConnection, the
 * subscription-group wrapper, KVTable and ResetOffsetBody. Every value is
 * narrowed; anything unexpected is a ProtocolError. `Map<MessageQueue,…>`
 * tables (object keys) go through parseFastJson.
 */
import { ProtocolError } from '../../common/index.js';
import {
  SUBSCRIPTION_GROUP_DEFAULTS, fastJsonEntries, parseFastJson, parseRocketMQJson, type FastJsonValue, type JsonValue,
} from '../../protocol/index.js';
import type { MessageQueue } from '../route.js';

type JsonObject = { [key: string]: JsonValue };

function obj(v: JsonValue | undefined, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what} is not an object`);
  return v;
}

function optObj(v: JsonValue | undefined, what: string): JsonObject {
  return v === undefined || v === null ? {} : obj(v, what);
}

function num(v: JsonValue | FastJsonValue | undefined, what: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new ProtocolError(`${what} is not a number`);
}

function str(v: JsonValue | undefined, what: string, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string') throw new ProtocolError(`${what} is not a string`);
  return v;
}

function bool(v: JsonValue | undefined, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function strings(v: JsonValue | undefined, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ProtocolError(`${what} is not an array`);
  return v.map((x, i) => str(x, `${what}[${i}]`));
}

export function parseJsonBody(body: Buffer | undefined, what: string): JsonObject {
  if (body === undefined || body.length === 0) return {};
  return obj(parseRocketMQJson(body.toString('utf8')), what);
}

/** One broker group of ClusterInfo.brokerAddrTable. */
export interface BrokerGroup {
  readonly cluster: string;
  readonly brokerName: string;
  /** Broker id → address; 0 is the master. */
  readonly addrs: ReadonlyMap<number, string>;
}

export interface ClusterInfo {
  /** brokerName → group. */
  readonly brokers: ReadonlyMap<string, BrokerGroup>;
  /** cluster → broker names. */
  readonly clusters: ReadonlyMap<string, readonly string[]>;
}

export function parseClusterInfo(body: Buffer | undefined): ClusterInfo {
  const root = parseJsonBody(body, 'ClusterInfo');
  const brokers = new Map<string, BrokerGroup>();
  for (const [name, v] of Object.entries(optObj(root.brokerAddrTable, 'brokerAddrTable'))) {
    const o = obj(v, 'BrokerData');
    const addrs = new Map<number, string>();
    for (const [id, addr] of Object.entries(optObj(o.brokerAddrs, 'brokerAddrs'))) addrs.set(Number(id), str(addr, 'brokerAddr'));
    brokers.set(name, { cluster: str(o.cluster, 'BrokerData.cluster', ''), brokerName: str(o.brokerName, 'brokerName', name), addrs });
  }
  const clusters = new Map<string, string[]>();
  for (const [c, names] of Object.entries(optObj(root.clusterAddrTable, 'clusterAddrTable'))) clusters.set(c, strings(names, 'clusterAddrTable'));
  return { brokers, clusters };
}

export function parseTopicList(body: Buffer | undefined): string[] {
  return strings(parseJsonBody(body, 'TopicList').topicList, 'topicList');
}

export function parseKVTable(body: Buffer | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(optObj(parseJsonBody(body, 'KVTable').table, 'table'))) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function toQueue(k: FastJsonValue): MessageQueue {
  let v: FastJsonValue = k;
  if (typeof v === 'string') v = parseFastJson(v);
  const fields = new Map(fastJsonEntries(v) ?? []);
  const topic = fields.get('topic');
  const brokerName = fields.get('brokerName');
  const queueId = fields.get('queueId');
  if (typeof topic !== 'string' || typeof brokerName !== 'string' || typeof queueId !== 'number') throw new ProtocolError('bad MessageQueue key');
  return { topic, brokerName, queueId };
}

/** `{"offsetTable":{{MessageQueue}:value}}` → [queue, fields] pairs. */
function queueTable(body: Buffer | undefined, what: string): { root: Map<FastJsonValue, FastJsonValue>; rows: [MessageQueue, FastJsonValue][] } {
  if (body === undefined || body.length === 0) return { root: new Map(), rows: [] };
  const root = new Map(fastJsonEntries(parseFastJson(body.toString('utf8'))) ?? []);
  const table = root.get('offsetTable');
  const rows = (fastJsonEntries(table ?? null) ?? []).map(([k, v]): [MessageQueue, FastJsonValue] => [toQueue(k), v]);
  if (table !== undefined && table !== null && fastJsonEntries(table) === undefined) throw new ProtocolError(`${what}.offsetTable is not a map`);
  return { root, rows };
}

function fields(v: FastJsonValue, what: string): Map<FastJsonValue, FastJsonValue> {
  const e = fastJsonEntries(v);
  if (e === undefined) throw new ProtocolError(`${what} is not an object`);
  return new Map(e);
}

export interface TopicOffset {
  readonly queue: MessageQueue;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly lastUpdateTimestamp: number;
}

export function parseTopicStatsTable(body: Buffer | undefined): TopicOffset[] {
  return queueTable(body, 'TopicStatsTable').rows.map(([queue, v]) => {
    const f = fields(v, 'TopicOffset');
    return {
      queue,
      minOffset: num(f.get('minOffset'), 'minOffset', 0),
      maxOffset: num(f.get('maxOffset'), 'maxOffset', 0),
      lastUpdateTimestamp: num(f.get('lastUpdateTimestamp'), 'lastUpdateTimestamp', 0),
    };
  });
}

export interface QueueProgress {
  readonly queue: MessageQueue;
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  readonly lastTimestamp: number;
}

export interface ConsumeStats {
  readonly consumeTps: number;
  readonly queues: QueueProgress[];
}

export function parseConsumeStats(body: Buffer | undefined): ConsumeStats {
  const { root, rows } = queueTable(body, 'ConsumeStats');
  const tps = root.get('consumeTps');
  return {
    consumeTps: typeof tps === 'number' ? tps : 0,
    queues: rows.map(([queue, v]) => {
      const f = fields(v, 'OffsetWrapper');
      return {
        queue,
        brokerOffset: num(f.get('brokerOffset'), 'brokerOffset', 0),
        consumerOffset: num(f.get('consumerOffset'), 'consumerOffset', 0),
        lastTimestamp: num(f.get('lastTimestamp'), 'lastTimestamp', 0),
      };
    }),
  };
}

/** ResetOffsetBody: queue → new offset. */
export function parseResetOffsetBody(body: Buffer | undefined): { queue: MessageQueue; offset: number }[] {
  return queueTable(body, 'ResetOffsetBody').rows.map(([queue, v]) => ({ queue, offset: num(v, 'offset') }));
}

export interface Connection {
  readonly clientId: string;
  readonly clientAddr: string;
  readonly language: string;
  readonly version: number;
}

export interface ConsumerConnection {
  readonly connections: Connection[];
  /** topic → subscription expression. */
  readonly subscriptions: Record<string, string>;
  readonly consumeType: string;
  readonly messageModel: string;
  readonly consumeFromWhere: string;
}

export function parseConsumerConnection(body: Buffer | undefined): ConsumerConnection {
  const root = parseJsonBody(body, 'ConsumerConnection');
  const conns = root.connectionSet;
  if (conns !== undefined && conns !== null && !Array.isArray(conns)) throw new ProtocolError('connectionSet is not an array');
  const subscriptions: Record<string, string> = {};
  for (const [topic, v] of Object.entries(optObj(root.subscriptionTable, 'subscriptionTable'))) {
    subscriptions[topic] = str(obj(v, 'SubscriptionData').subString, 'subString', '*');
  }
  return {
    connections: (conns ?? []).map((c) => {
      const o = obj(c, 'Connection');
      return {
        clientId: str(o.clientId, 'clientId', ''),
        clientAddr: str(o.clientAddr, 'clientAddr', ''),
        language: str(o.language, 'language', ''),
        version: num(o.version, 'version', 0),
      };
    }),
    subscriptions,
    consumeType: str(root.consumeType, 'consumeType', ''),
    messageModel: str(root.messageModel, 'messageModel', ''),
    consumeFromWhere: str(root.consumeFromWhere, 'consumeFromWhere', ''),
  };
}

/** SubscriptionGroupConfig (the fields the CLI shows and sets). */
export interface GroupConfig {
  readonly groupName: string;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly consumeBroadcastEnable: boolean;
  readonly retryQueueNums: number;
  readonly retryMaxTimes: number;
  readonly brokerId: number;
  readonly whichBrokerWhenConsumeSlowly: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
}

export const DEFAULT_GROUP_CONFIG: Omit<GroupConfig, 'groupName'> = SUBSCRIPTION_GROUP_DEFAULTS;

export function parseGroupWrapper(body: Buffer | undefined): GroupConfig[] {
  const table = optObj(parseJsonBody(body, 'SubscriptionGroupWrapper').subscriptionGroupTable, 'subscriptionGroupTable');
  const d = DEFAULT_GROUP_CONFIG;
  return Object.entries(table).map(([name, v]) => {
    const o = obj(v, 'SubscriptionGroupConfig');
    return {
      groupName: str(o.groupName, 'groupName', name),
      consumeEnable: bool(o.consumeEnable, d.consumeEnable),
      consumeFromMinEnable: bool(o.consumeFromMinEnable, d.consumeFromMinEnable),
      consumeBroadcastEnable: bool(o.consumeBroadcastEnable, d.consumeBroadcastEnable),
      retryQueueNums: num(o.retryQueueNums, 'retryQueueNums', d.retryQueueNums),
      retryMaxTimes: num(o.retryMaxTimes, 'retryMaxTimes', d.retryMaxTimes),
      brokerId: num(o.brokerId, 'brokerId', d.brokerId),
      whichBrokerWhenConsumeSlowly: num(o.whichBrokerWhenConsumeSlowly, 'whichBrokerWhenConsumeSlowly', d.whichBrokerWhenConsumeSlowly),
      notifyConsumerIdsChangedEnable: bool(o.notifyConsumerIdsChangedEnable, d.notifyConsumerIdsChangedEnable),
    };
  });
}

/** Java properties text (`key=value` lines) of GET_BROKER_CONFIG. */
export function parsePropertiesText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const i = line.search(/[=:]/);
    if (i < 0) out[line] = '';
    else out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}
