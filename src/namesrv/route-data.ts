/**
 * Route model of the name server. Each type mirrors a RocketMQ 4.9.8 class
 * (common/…/protocol/route/*, common/…/protocol/body/*, common/…/DataVersion,
 * common/…/TopicConfig). Maps keyed by broker id use numbers (Java `Long`).
 */

/** common/…/DataVersion.java: equal when timestamp and counter are equal. */
export interface DataVersion {
  readonly timestamp: number;
  readonly counter: number;
}

export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return a.timestamp === b.timestamp && a.counter === b.counter;
}

/** common/…/TopicConfig.java (4.9.8 fields). */
export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicFilterType: string;
  readonly topicSysFlag: number;
  readonly order: boolean;
}

/** protocol/body/TopicConfigSerializeWrapper.java. */
export interface TopicConfigSerializeWrapper {
  readonly topicConfigTable: ReadonlyMap<string, TopicConfig>;
  readonly dataVersion: DataVersion;
}

/** protocol/body/RegisterBrokerBody.java. */
export interface RegisterBrokerBody {
  readonly topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  readonly filterServerList: readonly string[];
}

/** protocol/route/QueueData.java (`topicSysFlag`, spelled `topicSynFlag` before 4.9.0). */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

/** protocol/route/BrokerData.java: brokerAddrs maps broker id (0 = master) → `ip:port`. */
export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
}

/** protocol/route/TopicRouteData.java. */
export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr → filter server addresses (only brokers that have some). */
  filterServerTable: Map<string, string[]>;
}

/** protocol/body/ClusterInfo.java. */
export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, Set<string>>;
}

/** protocol/body/TopicList.java. */
export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export { PermName } from '../common/index.js';

/** common/sysflag/TopicSysFlag.java. */
export const TopicSysFlag = {
  FLAG_UNIT: 0x1,
  FLAG_UNIT_SUB: 0x2,
} as const;

/** MixAll.MASTER_ID. */
export const MASTER_ID = 0;

/** NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

/** A prototype-less record, so wire-supplied keys such as `__proto__` stay plain data. */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
