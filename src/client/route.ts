/**
 * Topic routes from the name server (GET_ROUTEINFO_BY_TOPIC body,
 * remoting.md §7/§8) and what producers and consumers derive from them
 * (Java MQClientInstance.topicRouteData2TopicPublishInfo /
 * topicRouteData2TopicSubscribeInfo).
 */
import { ProtocolError } from '../common/index.js';
import { parseRocketMQJson, type JsonValue } from '../protocol/index.js';

/** A message queue: one queue of a topic on one broker (common/message/MessageQueue.java). */
export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

/** A stable string key for maps. */
export function messageQueueKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}

/** MessageQueue.compareTo: topic, then broker name, then queue id. */
export function compareMessageQueues(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/** Java `QueueData`: the queues a broker group has for a topic. */
export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  /** PermName bits: 4 read, 2 write, 1 inherit. */
  readonly perm: number;
  readonly topicSysFlag: number;
}

/** Java `BrokerData`: a broker group and its addresses by broker id (0 = master). */
export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerAddrs: ReadonlyMap<number, string>;
}

/** Java `TopicRouteData`. */
export interface TopicRouteData {
  readonly orderTopicConf: string | undefined;
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
}

export const PermName = { PERM_READ: 0x4, PERM_WRITE: 0x2, PERM_INHERIT: 0x1 } as const;
export const MASTER_ID = 0;

type JsonObject = { [key: string]: JsonValue };

function obj(v: JsonValue | undefined, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what} is not an object`);
  return v;
}

function str(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ProtocolError(`${what}.${key} is not a string`);
  return v;
}

function int(o: JsonObject, key: string, what: string, fallback?: number): number {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError(`${what}.${key} is not an integer`);
  return v;
}

function list(o: JsonObject, key: string): JsonValue[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ProtocolError(`TopicRouteData.${key} is not an array`);
  return v;
}

/** Parses a route body, standard JSON or fastjson with unquoted numeric keys; accepts `topicSynFlag` (≤ 4.8). */
export function parseTopicRouteData(body: Buffer): TopicRouteData {
  const root = obj(parseRocketMQJson(body.toString('utf8')), 'TopicRouteData');
  const queueDatas = list(root, 'queueDatas').map((q): QueueData => {
    const o = obj(q, 'QueueData');
    const sysFlag = o.topicSysFlag !== undefined ? int(o, 'topicSysFlag', 'QueueData') : int(o, 'topicSynFlag', 'QueueData', 0);
    return {
      brokerName: str(o, 'brokerName', 'QueueData'),
      readQueueNums: int(o, 'readQueueNums', 'QueueData'),
      writeQueueNums: int(o, 'writeQueueNums', 'QueueData'),
      perm: int(o, 'perm', 'QueueData'),
      topicSysFlag: sysFlag,
    };
  });
  const brokerDatas = list(root, 'brokerDatas').map((b): BrokerData => {
    const o = obj(b, 'BrokerData');
    const addrs = new Map<number, string>();
    const raw = o.brokerAddrs;
    if (raw !== undefined && raw !== null) {
      for (const [k, v] of Object.entries(obj(raw, 'BrokerData.brokerAddrs'))) {
        const id = Number(k);
        if (!Number.isSafeInteger(id) || typeof v !== 'string') throw new ProtocolError(`BrokerData.brokerAddrs has a bad entry ${k}`);
        addrs.set(id, v);
      }
    }
    return { cluster: typeof o.cluster === 'string' ? o.cluster : '', brokerName: str(o, 'brokerName', 'BrokerData'), brokerAddrs: addrs };
  });
  const conf = root.orderTopicConf;
  return { orderTopicConf: typeof conf === 'string' && conf.length > 0 ? conf : undefined, queueDatas, brokerDatas };
}

/** Java `TopicPublishInfo`: writable queues of master brokers, in a stable order. */
export interface TopicPublishInfo {
  readonly topic: string;
  readonly orderTopic: boolean;
  readonly messageQueues: readonly MessageQueue[];
  readonly route: TopicRouteData;
}

/** Java topicRouteData2TopicPublishInfo. */
export function toPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const queues: MessageQueue[] = [];
  if (route.orderTopicConf !== undefined) {
    for (const item of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = item.split(':');
      const n = Number(nums);
      if (brokerName === undefined || brokerName.length === 0 || !Number.isSafeInteger(n)) continue;
      for (let i = 0; i < n; i++) queues.push({ topic, brokerName, queueId: i });
    }
    return { topic, orderTopic: true, messageQueues: queues, route };
  }
  const sorted = [...route.queueDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
  for (const qd of sorted) {
    if ((qd.perm & PermName.PERM_WRITE) === 0) continue;
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (bd?.brokerAddrs.get(MASTER_ID) === undefined) continue;
    for (let i = 0; i < qd.writeQueueNums; i++) queues.push({ topic, brokerName: qd.brokerName, queueId: i });
  }
  return { topic, orderTopic: false, messageQueues: queues, route };
}

/** Java topicRouteData2TopicSubscribeInfo: readable queues, sorted by broker then id. */
export function toSubscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if ((qd.perm & PermName.PERM_READ) === 0) continue;
    for (let i = 0; i < qd.readQueueNums; i++) queues.push({ topic, brokerName: qd.brokerName, queueId: i });
  }
  return queues.sort((a, b) => (a.brokerName === b.brokerName ? a.queueId - b.queueId : a.brokerName < b.brokerName ? -1 : 1));
}

/** Copy of `route` for auto-creation from the TBW102 template (Java: queue nums capped at defaultTopicQueueNums). */
export function defaultTopicRoute(route: TopicRouteData, defaultTopicQueueNums: number): TopicRouteData {
  return {
    ...route,
    queueDatas: route.queueDatas.map((qd) => {
      const n = Math.min(defaultTopicQueueNums, qd.readQueueNums);
      return { ...qd, readQueueNums: n, writeQueueNums: n };
    }),
  };
}

/** Structural equality, to detect route changes. */
export function routeEquals(a: TopicRouteData, b: TopicRouteData): boolean {
  return routeText(a) === routeText(b);
}

function routeText(r: TopicRouteData): string {
  const qds = [...r.queueDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1));
  const bds = [...r.brokerDatas]
    .sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1))
    .map((b) => ({ ...b, brokerAddrs: [...b.brokerAddrs.entries()].sort((x, y) => x[0] - y[0]) }));
  return JSON.stringify({ o: r.orderTopicConf ?? null, qds, bds });
}
