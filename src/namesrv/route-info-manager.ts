import { noopLogger, systemClock, type Clock, type Logger } from '../common/index.js';
import {
  MASTER_ID, PermName, TopicSysFlag, dataVersionEquals,
  type BrokerData, type ClusterInfo, type DataVersion, type QueueData, type TopicConfigSerializeWrapper,
  type TopicList, type TopicRouteData,
} from './route-data.js';

/** The part of a remoting channel the route table needs (RemotingChannel fits). */
export interface BrokerChannel {
  readonly id: string;
  readonly remoteAddress: string;
  close(): void;
}

/** routeinfo/BrokerLiveInfo (inner class of RouteInfoManager.java). */
export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: DataVersion;
  channel: BrokerChannel | undefined;
  haServerAddr: string;
}

export interface RegisterBrokerRequest {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly haServerAddr: string;
  readonly topicConfigWrapper?: TopicConfigSerializeWrapper | undefined;
  /** undefined leaves the filter-server entry alone; [] removes it. */
  readonly filterServerList?: readonly string[] | undefined;
  readonly channel?: BrokerChannel | undefined;
}

/** common/namesrv/RegisterBrokerResult.java: set for a slave whose master is live. */
export interface RegisterBrokerResult {
  haServerAddr?: string;
  masterAddr?: string;
}

export interface RouteInfoManagerDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** BROKER_CHANNEL_EXPIRED_TIME; default 120 000 ms. */
  readonly brokerChannelExpiredTimeMs?: number;
}

/**
 * The routing registry, namesrv/…/routeinfo/RouteInfoManager.java (4.9.8).
 * Single-threaded JS needs no read/write lock. Getters return copies.
 */
export class RouteInfoManager {
  /** topic → brokerName → QueueData */
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  /** brokerName → BrokerData */
  private readonly brokerAddrTable = new Map<string, BrokerData>();
  /** clusterName → brokerNames */
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  /** brokerAddr → BrokerLiveInfo */
  private readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  /** brokerAddr → filter servers */
  private readonly filterServerTable = new Map<string, string[]>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  brokerChannelExpiredTimeMs: number;

  constructor(deps: RouteInfoManagerDeps = {}) {
    this.clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? noopLogger).child({ component: 'namesrv.routes' });
    this.brokerChannelExpiredTimeMs = deps.brokerChannelExpiredTimeMs ?? 120_000;
  }

  /**
   * RouteInfoManager.registerBroker: records the broker in its cluster and
   * set; a master's topic configs replace its queue data when the data
   * version changed or on first registration; a slave learns its master.
   */
  registerBroker(req: RegisterBrokerRequest): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = req;
    const result: RegisterBrokerResult = {};
    let names = this.clusterAddrTable.get(clusterName);
    if (names === undefined) {
      names = new Set();
      this.clusterAddrTable.set(clusterName, names);
    }
    names.add(brokerName);

    let registerFirst = false;
    let brokerData = this.brokerAddrTable.get(brokerName);
    if (brokerData === undefined) {
      registerFirst = true;
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.brokerAddrTable.set(brokerName, brokerData);
    }
    // Slave switched to master: one record per ip:port.
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    registerFirst ||= oldAddr === undefined;

    const wrapper = req.topicConfigWrapper;
    if (wrapper !== undefined && brokerId === MASTER_ID) {
      if (this.isBrokerTopicConfigChanged(brokerAddr, wrapper.dataVersion) || registerFirst) {
        for (const tc of wrapper.topicConfigTable.values()) {
          this.createAndUpdateQueueData(brokerName, {
            brokerName, readQueueNums: tc.readQueueNums, writeQueueNums: tc.writeQueueNums,
            perm: tc.perm, topicSysFlag: tc.topicSysFlag,
          }, tc.topicName);
        }
      }
    }

    const prev = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: this.clock.now(),
      dataVersion: wrapper?.dataVersion ?? { timestamp: 0, counter: 0 },
      channel: req.channel,
      haServerAddr: req.haServerAddr,
    });
    if (prev === undefined) this.logger.info('new broker registered', { brokerAddr, haServerAddr: req.haServerAddr });

    if (req.filterServerList !== undefined) {
      if (req.filterServerList.length === 0) this.filterServerTable.delete(brokerAddr);
      else this.filterServerTable.set(brokerAddr, [...req.filterServerList]);
    }

    if (brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
      const masterLive = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
      if (masterAddr !== undefined && masterLive !== undefined) {
        result.haServerAddr = masterLive.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  private createAndUpdateQueueData(brokerName: string, queueData: QueueData, topic: string): void {
    let byBroker = this.topicQueueTable.get(topic);
    if (byBroker === undefined) {
      byBroker = new Map();
      this.topicQueueTable.set(topic, byBroker);
      this.logger.info('new topic registered', { topic, brokerName });
    }
    byBroker.set(brokerName, queueData);
  }

  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const prev = this.queryBrokerTopicConfig(brokerAddr);
    return prev === undefined || !dataVersionEquals(prev, dataVersion);
  }

  queryBrokerTopicConfig(brokerAddr: string): DataVersion | undefined {
    return this.brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  /** Marks the broker alive now (QUERY_DATA_VERSION with an unchanged version). */
  updateBrokerInfoUpdateTimestamp(brokerAddr: string): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live !== undefined) live.lastUpdateTimestamp = this.clock.now();
  }

  /** RouteInfoManager.unregisterBroker. */
  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    const removed = this.brokerLiveTable.delete(brokerAddr);
    this.logger.info('unregisterBroker', { brokerAddr, brokerName, brokerId, live: removed });
    this.filterServerTable.delete(brokerAddr);
    const brokerData = this.brokerAddrTable.get(brokerName);
    if (brokerData === undefined) return;
    brokerData.brokerAddrs.delete(brokerId);
    if (brokerData.brokerAddrs.size > 0) return;
    this.brokerAddrTable.delete(brokerName);
    const names = this.clusterAddrTable.get(clusterName);
    if (names !== undefined) {
      names.delete(brokerName);
      if (names.size === 0) this.clusterAddrTable.delete(clusterName);
    }
    this.removeTopicByBrokerName(brokerName);
  }

  private removeTopicByBrokerName(brokerName: string): void {
    for (const [topic, byBroker] of this.topicQueueTable) {
      byBroker.delete(brokerName);
      if (byBroker.size === 0) this.topicQueueTable.delete(topic);
    }
  }

  /** RouteInfoManager.pickupTopicRouteData: undefined unless both queue and broker data exist. */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const byBroker = this.topicQueueTable.get(topic);
    if (byBroker === undefined) return undefined;
    const queueDatas = [...byBroker.values()].map((qd) => ({ ...qd }));
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, string[]>();
    for (const name of [...byBroker.keys()].sort()) {
      const bd = this.brokerAddrTable.get(name);
      if (bd === undefined) continue;
      const clone = cloneBrokerData(bd);
      brokerDatas.push(clone);
      for (const addr of clone.brokerAddrs.values()) {
        const servers = this.filterServerTable.get(addr);
        if (servers !== undefined) filterServerTable.set(addr, [...servers]);
      }
    }
    if (queueDatas.length === 0 || brokerDatas.length === 0) return undefined;
    queueDatas.sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
    return { queueDatas, brokerDatas, filterServerTable };
  }

  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, bd] of this.brokerAddrTable) brokerAddrTable.set(name, cloneBrokerData(bd));
    const clusterAddrTable = new Map<string, Set<string>>();
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable.set(cluster, new Set(names));
    return { brokerAddrTable, clusterAddrTable };
  }

  getAllTopicList(): TopicList {
    return { topicList: [...this.topicQueueTable.keys()] };
  }

  /**
   * RouteInfoManager.deleteTopic: with a known clusterName only that cluster's
   * queue data goes (4.9.x `deleteTopic(topic, clusterName)`), else the topic.
   */
  deleteTopic(topic: string, clusterName?: string): void {
    const byBroker = this.topicQueueTable.get(topic);
    if (byBroker === undefined) return;
    const names = clusterName === undefined || clusterName === '' ? undefined : this.clusterAddrTable.get(clusterName);
    if (names === undefined) {
      this.topicQueueTable.delete(topic);
      return;
    }
    for (const name of names) byBroker.delete(name);
    if (byBroker.size === 0) this.topicQueueTable.delete(topic);
  }

  /** Topics with queues on any broker of `cluster` (empty for an unknown cluster). */
  getTopicsByCluster(cluster: string): TopicList {
    const names = this.clusterAddrTable.get(cluster);
    const topics: string[] = [];
    if (names !== undefined) {
      for (const [topic, byBroker] of this.topicQueueTable) {
        for (const name of names) {
          if (byBroker.has(name)) {
            topics.push(topic);
            break;
          }
        }
      }
    }
    return { topicList: topics };
  }

  /** Cluster names and broker names (each also a system topic) plus one broker address. */
  getSystemTopicList(): TopicList {
    const topics = new Set<string>();
    for (const [cluster, names] of this.clusterAddrTable) {
      topics.add(cluster);
      for (const n of names) topics.add(n);
    }
    const list: TopicList = { topicList: [...topics] };
    for (const bd of this.brokerAddrTable.values()) {
      const first = bd.brokerAddrs.values().next();
      if (first.done !== true) {
        list.brokerAddr = first.value;
        break;
      }
    }
    return list;
  }

  getUnitTopics(): TopicList {
    return this.topicsWhere((flag) => (flag & TopicSysFlag.FLAG_UNIT) !== 0);
  }

  getHasUnitSubTopicList(): TopicList {
    return this.topicsWhere((flag) => (flag & TopicSysFlag.FLAG_UNIT_SUB) !== 0);
  }

  getHasUnitSubUnUnitTopicList(): TopicList {
    return this.topicsWhere((flag) => (flag & TopicSysFlag.FLAG_UNIT) === 0 && (flag & TopicSysFlag.FLAG_UNIT_SUB) !== 0);
  }

  /** Java tests the first QueueData of each topic. */
  private topicsWhere(pred: (topicSysFlag: number) => boolean): TopicList {
    const topics: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      const first = byBroker.values().next();
      if (first.done !== true && pred(first.value.topicSysFlag)) topics.push(topic);
    }
    return { topicList: topics };
  }

  /** Clears PERM_WRITE on every queue data of `brokerName`; returns how many. */
  wipeWritePermOfBrokerByLock(brokerName: string): number {
    return this.changePerm(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  /** Sets PERM_WRITE again (ADD_WRITE_PERM_OF_BROKER); returns how many. */
  addWritePermOfBrokerByLock(brokerName: string): number {
    return this.changePerm(brokerName, (perm) => perm | PermName.PERM_WRITE);
  }

  private changePerm(brokerName: string, f: (perm: number) => number): number {
    let count = 0;
    for (const byBroker of this.topicQueueTable.values()) {
      const qd = byBroker.get(brokerName);
      if (qd !== undefined) {
        qd.perm = f(qd.perm);
        count++;
      }
    }
    return count;
  }

  /** Evicts brokers silent for longer than brokerChannelExpiredTimeMs; returns how many. */
  scanNotActiveBroker(): number {
    const now = this.clock.now();
    let evicted = 0;
    for (const [addr, live] of [...this.brokerLiveTable]) {
      if (live.lastUpdateTimestamp + this.brokerChannelExpiredTimeMs < now) {
        this.brokerLiveTable.delete(addr);
        this.logger.warn('the broker channel expired', { brokerAddr: addr, expiredTimeMs: this.brokerChannelExpiredTimeMs });
        live.channel?.close();
        this.removeBrokerAddr(addr);
        evicted++;
      }
    }
    return evicted;
  }

  /**
   * RouteInfoManager.onChannelDestroy: forgets the broker registered on
   * `channel`, or else the broker whose address is `remoteAddr`.
   */
  onChannelDestroy(remoteAddr: string, channel?: { readonly id: string }): void {
    let found: string | undefined;
    if (channel !== undefined) {
      for (const [addr, live] of this.brokerLiveTable) {
        if (live.channel?.id === channel.id) {
          found = addr;
          break;
        }
      }
    }
    if (found !== undefined) this.logger.info('broker channel destroyed, cleaning its routes', { brokerAddr: found });
    found ??= remoteAddr;
    if (found.length === 0) return;
    this.brokerLiveTable.delete(found);
    this.removeBrokerAddr(found);
  }

  /** Removes `brokerAddr` from its broker set, and the set with its topics when it empties. */
  private removeBrokerAddr(brokerAddr: string): void {
    this.filterServerTable.delete(brokerAddr);
    for (const [name, bd] of this.brokerAddrTable) {
      let hit = false;
      for (const [id, addr] of bd.brokerAddrs) {
        if (addr === brokerAddr) {
          bd.brokerAddrs.delete(id);
          hit = true;
          break;
        }
      }
      if (!hit) continue;
      if (bd.brokerAddrs.size === 0) {
        this.brokerAddrTable.delete(name);
        for (const [cluster, names] of this.clusterAddrTable) {
          if (names.delete(name)) {
            if (names.size === 0) this.clusterAddrTable.delete(cluster);
            break;
          }
        }
        this.removeTopicByBrokerName(name);
      }
      return;
    }
  }

  /** A copy of the live-table entry for `brokerAddr`. */
  getBrokerLiveInfo(brokerAddr: string): Readonly<BrokerLiveInfo> | undefined {
    const live = this.brokerLiveTable.get(brokerAddr);
    return live === undefined ? undefined : { ...live };
  }

  /** Addresses of all live brokers. */
  liveBrokerAddrs(): string[] {
    return [...this.brokerLiveTable.keys()];
  }
}

function cloneBrokerData(bd: BrokerData): BrokerData {
  return { cluster: bd.cluster, brokerName: bd.brokerName, brokerAddrs: new Map(bd.brokerAddrs) };
}
