import { stringifyRocketMQJson } from '../protocol/index.js';
import { dict, type BrokerData, type ClusterInfo, type QueueData, type TopicList, type TopicRouteData } from './route-data.js';

/**
 * JSON bodies the name server sends, shaped as Java fastjson writes them
 * (remoting.md §7–8): bean keys in alphabetical order, nulls omitted.
 *
 * Two styles (namesrv/…/processor/DefaultRequestProcessor.java, 4.9.4+):
 * - `standard`: legal JSON — `brokerAddrs` keys quoted (`{"0":"a:1"}`), map
 *   keys sorted, non-ASCII escaped as `\uXXXX` (fastjson BrowserCompatible,
 *   QuoteFieldNames, MapSortField). Sent when the request version ≥ V4_9_4
 *   or `acceptStandardJsonOnly=true`.
 * - fastjson default: `brokerAddrs` numeric keys unquoted (`{0:"a:1"}`),
 *   which ali-ons (version 121) and pre-4.9.4 Java clients expect.
 */
export type JsonStyle = 'standard' | 'fastjson';

function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function queueDataJson(qd: QueueData): Record<string, unknown> {
  return {
    brokerName: qd.brokerName,
    perm: qd.perm,
    readQueueNums: qd.readQueueNums,
    topicSysFlag: qd.topicSysFlag,
    writeQueueNums: qd.writeQueueNums,
  };
}

function brokerDataJson(bd: BrokerData, style: JsonStyle): Record<string, unknown> {
  const ids = [...bd.brokerAddrs.keys()].sort((a, b) => a - b);
  let brokerAddrs: unknown;
  if (style === 'standard') {
    const o = dict<string>();
    for (const id of ids) o[String(id)] = bd.brokerAddrs.get(id) ?? '';
    brokerAddrs = o;
  } else {
    // A Map with number keys is written unquoted by stringifyRocketMQJson.
    brokerAddrs = new Map(ids.map((id) => [id, bd.brokerAddrs.get(id) ?? '']));
  }
  return { brokerAddrs, brokerName: bd.brokerName, cluster: bd.cluster };
}

/** Escapes every non-ASCII UTF-16 unit (only strings can hold them). */
function asciiOnly(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function finish(value: unknown, style: JsonStyle): Buffer {
  const text = stringifyRocketMQJson(value);
  return Buffer.from(style === 'standard' ? asciiOnly(text) : text, 'utf8');
}

/**
 * TopicRouteData:
 * `{"brokerDatas":[{"brokerAddrs":{"0":"ip:port","1":"ip:port"},"brokerName":"b","cluster":"c"}],
 *   "filterServerTable":{},"orderTopicConf":"b:8"?,
 *   "queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}`
 */
export function encodeTopicRouteData(route: TopicRouteData, style: JsonStyle): Buffer {
  const filterServerTable = dict<string[]>();
  for (const [addr, list] of sortedEntries(route.filterServerTable)) filterServerTable[addr] = list;
  return finish({
    brokerDatas: route.brokerDatas.map((bd) => brokerDataJson(bd, style)),
    filterServerTable,
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map(queueDataJson),
  }, style);
}

/**
 * ClusterInfo:
 * `{"brokerAddrTable":{"b":{"brokerAddrs":{"0":"ip:port"},"brokerName":"b","cluster":"c"}},
 *   "clusterAddrTable":{"c":["b"]}}`
 */
export function encodeClusterInfo(info: ClusterInfo, style: JsonStyle): Buffer {
  const brokerAddrTable = dict<unknown>();
  for (const [name, bd] of sortedEntries(info.brokerAddrTable)) brokerAddrTable[name] = brokerDataJson(bd, style);
  const clusterAddrTable = dict<string[]>();
  for (const [cluster, names] of sortedEntries(info.clusterAddrTable)) clusterAddrTable[cluster] = [...names].sort();
  return finish({ brokerAddrTable, clusterAddrTable }, style);
}

/** TopicList: `{"brokerAddr":"ip:port"?,"topicList":["A","B"]}`. */
export function encodeTopicList(list: TopicList): Buffer {
  return Buffer.from(JSON.stringify({ brokerAddr: list.brokerAddr, topicList: [...list.topicList].sort() }));
}

/** KVTable: `{"table":{"k":"v"}}`. */
export function encodeKVTable(table: ReadonlyMap<string, string>): Buffer {
  const out = dict<string>();
  for (const [k, v] of sortedEntries(table)) out[k] = v;
  return Buffer.from(JSON.stringify({ table: out }));
}
