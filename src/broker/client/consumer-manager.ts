/**
 * Online consumers per group (broker/client/ConsumerManager.java,
 * ConsumerGroupInfo.java, ConsumerGroupEvent.java and
 * DefaultConsumerIdsChangeListener.java, 4.9.8).
 *
 * Construction (by BrokerController):
 *
 *     new ConsumerManager({ clock, logger, listener })
 *
 * `listener(event, group, channels)` is called synchronously on:
 * - `CHANGE`: membership or subscriptions of `group` changed; `channels` are
 *   the group's remaining channels, to be sent NOTIFY_CONSUMER_IDS_CHANGED.
 *   registerConsumer/unregisterConsumer emit it only when their
 *   `notifyConsumerIdsChangedEnable` argument is true (the group config's
 *   flag, as in Java); channel close and expiry always emit it. Use
 *   {@link createConsumerIdsChangeListener} to apply the group flag to every
 *   path and send the notifications.
 * - `REGISTER`: after a registerConsumer that changed something, right after
 *   CHANGE. Java emits it on every heartbeat to feed ConsumerFilterManager
 *   (SQL92), which OrbitMQ has not; a listener must NOT notify clients on it
 *   (that would duplicate CHANGE).
 * - `UNREGISTER`: the group's last client left and the group was dropped;
 *   `channels` is empty.
 * The manager itself never writes to a channel except to close expired ones.
 */
import type { Clock, Logger } from '../../common/index.js';
import { getErrorMessage } from '../../common/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import type { SubscriptionData } from '../subscription-data.js';
import type {
  ClientChannelInfo, ClientChannelInit, ConnectionJson, ConsumeFromWhere, ConsumeType, ConsumerData, MessageModel,
} from './heartbeat-data.js';
import { toConnection } from './heartbeat-data.js';

/** ConsumerGroupEvent.java. */
export type ConsumerGroupEvent = 'CHANGE' | 'UNREGISTER' | 'REGISTER';

/** ConsumerIdsChangeListener.java; must not throw (a throw is logged and swallowed). */
export type ConsumerIdsChangeListener = (event: ConsumerGroupEvent, group: string, channels: readonly RemotingChannel[]) => void;

export interface ConsumerManagerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly listener?: ConsumerIdsChangeListener;
}

/** ConsumerManager.CHANNEL_EXPIRED_TIMEOUT (BrokerConfig.channelExpiredTimeout default). */
export const CHANNEL_EXPIRED_TIMEOUT_MS = 120_000;

/** What registerConsumer needs of a heartbeat's ConsumerData. */
export type ConsumerRegistration = Pick<ConsumerData, 'consumeType' | 'messageModel' | 'consumeFromWhere' | 'subscriptionDataSet'>;

/** body/ConsumerConnection.java, the GET_CONSUMER_CONNECTION_LIST (203) body. */
export interface ConsumerConnectionJson {
  connectionSet: ConnectionJson[];
  subscriptionTable: Record<string, SubscriptionData>;
  consumeType: ConsumeType;
  messageModel: MessageModel;
  consumeFromWhere: ConsumeFromWhere;
}

/**
 * One consumer group's clients (keyed by clientId) and subscriptions (keyed by
 * topic), ConsumerGroupInfo.java. Read-only outside this module.
 */
export class ConsumerGroupInfo {
  readonly groupName: string;
  consumeType: ConsumeType;
  messageModel: MessageModel;
  consumeFromWhere: ConsumeFromWhere;
  lastUpdateTimestamp: number;
  private readonly channelTable = new Map<string, ClientChannelInfo>();
  private readonly subTable = new Map<string, SubscriptionData>();

  constructor(groupName: string, data: ConsumerRegistration, now: number) {
    this.groupName = groupName;
    this.consumeType = data.consumeType;
    this.messageModel = data.messageModel;
    this.consumeFromWhere = data.consumeFromWhere;
    this.lastUpdateTimestamp = now;
  }

  /** clientId → client. */
  get channels(): ReadonlyMap<string, ClientChannelInfo> {
    return this.channelTable;
  }

  /** topic → subscription. */
  get subscriptionTable(): ReadonlyMap<string, SubscriptionData> {
    return this.subTable;
  }

  findChannel(clientId: string): ClientChannelInfo | undefined {
    return this.channelTable.get(clientId);
  }

  /** getAllChannel: distinct channels of the group's clients. */
  allChannels(): RemotingChannel[] {
    return [...new Set([...this.channelTable.values()].map((c) => c.channel))];
  }

  /** getAllClientId. */
  allClientIds(): string[] {
    return [...this.channelTable.keys()];
  }

  connections(): ConnectionJson[] {
    return [...this.channelTable.values()].map(toConnection);
  }

  toConsumerConnection(): ConsumerConnectionJson {
    return {
      connectionSet: this.connections(),
      subscriptionTable: Object.fromEntries(this.subTable),
      consumeType: this.consumeType,
      messageModel: this.messageModel,
      consumeFromWhere: this.consumeFromWhere,
    };
  }

  /**
   * updateChannel: records the client, refreshes its heartbeat time and the
   * group's consume settings. True when the client is new or now on another
   * channel (Java keys by channel, so a reconnect counts as new there too).
   */
  updateChannel(init: ClientChannelInit, data: ConsumerRegistration, now: number): boolean {
    this.consumeType = data.consumeType;
    this.messageModel = data.messageModel;
    this.consumeFromWhere = data.consumeFromWhere;
    this.lastUpdateTimestamp = now;
    const old = this.channelTable.get(init.clientId);
    if (old !== undefined && old.channel === init.channel) {
      old.lastUpdateTimestamp = now;
      return false;
    }
    this.channelTable.set(init.clientId, { ...init, lastUpdateTimestamp: now });
    return true;
  }

  /**
   * updateSubscription: adds new topics, replaces a topic's subscription only
   * when its subVersion is newer, drops topics no longer sent. True when a
   * topic was added or removed (a newer subVersion alone is not a change, as
   * in Java).
   */
  updateSubscription(subs: readonly SubscriptionData[], now: number): boolean {
    let updated = false;
    const topics = new Set<string>();
    for (const sub of subs) {
      topics.add(sub.topic);
      const old = this.subTable.get(sub.topic);
      if (old === undefined) {
        this.subTable.set(sub.topic, sub);
        updated = true;
      } else if (sub.subVersion > old.subVersion) {
        this.subTable.set(sub.topic, sub);
      }
    }
    for (const topic of [...this.subTable.keys()]) {
      if (!topics.has(topic)) {
        this.subTable.delete(topic);
        updated = true;
      }
    }
    this.lastUpdateTimestamp = now;
    return updated;
  }

  /** Removes a client; true if it was there. */
  removeClient(clientId: string): boolean {
    return this.channelTable.delete(clientId);
  }

  /** Removes every client on `channel` (doChannelCloseEvent); true if any was. */
  removeChannel(channel: RemotingChannel): boolean {
    let removed = false;
    for (const [id, info] of [...this.channelTable]) {
      if (info.channel === channel) {
        this.channelTable.delete(id);
        removed = true;
      }
    }
    return removed;
  }

  /** Removes clients silent for more than `expiredMs`; returns them. */
  removeExpired(now: number, expiredMs: number): ClientChannelInfo[] {
    const expired: ClientChannelInfo[] = [];
    for (const [id, info] of [...this.channelTable]) {
      if (now - info.lastUpdateTimestamp > expiredMs) {
        this.channelTable.delete(id);
        expired.push(info);
      }
    }
    return expired;
  }
}

export class ConsumerManager {
  private readonly table = new Map<string, ConsumerGroupInfo>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly listener: ConsumerIdsChangeListener | undefined;

  constructor(deps: ConsumerManagerDeps) {
    this.clock = deps.clock;
    this.log = deps.logger.child({ component: 'broker.consumers' });
    this.listener = deps.listener;
  }

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.table.get(group);
  }

  /** The subscription the group registered for `topic` (the pull processor's lookup). */
  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.table.get(group)?.subscriptionTable.get(topic);
  }

  /** findChannel(group, clientId) for GET_CONSUMER_RUNNING_INFO / CONSUME_MESSAGE_DIRECTLY. */
  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    return this.table.get(group)?.findChannel(clientId);
  }

  /** ConsumerConnection body of a group, or undefined when it has no clients. */
  getConsumerConnection(group: string): ConsumerConnectionJson | undefined {
    const info = this.table.get(group);
    return info === undefined || info.channels.size === 0 ? undefined : info.toConsumerConnection();
  }

  /** queryTopicConsumeByWho: groups with a subscription to `topic`. */
  groupsOfTopic(topic: string): string[] {
    const out: string[] = [];
    for (const [group, info] of this.table) if (info.subscriptionTable.has(topic)) out.push(group);
    return out;
  }

  allGroups(): string[] {
    return [...this.table.keys()];
  }

  /**
   * registerConsumer: adds or refreshes `client` in `group` and applies its
   * subscriptions. Returns whether membership or subscribed topics changed.
   */
  registerConsumer(group: string, client: ClientChannelInit, data: ConsumerRegistration, notifyConsumerIdsChangedEnable = true): boolean {
    const now = this.clock.now();
    let info = this.table.get(group);
    if (info === undefined) {
      info = new ConsumerGroupInfo(group, data, now);
      this.table.set(group, info);
    }
    const r1 = info.updateChannel(client, data, now);
    const r2 = info.updateSubscription(data.subscriptionDataSet, now);
    if (r1) {
      this.log.info('consumer registered', {
        group, clientId: client.clientId, addr: client.channel.remoteAddress, consumeType: data.consumeType, messageModel: data.messageModel,
      });
    }
    if (r1 || r2) {
      if (notifyConsumerIdsChangedEnable) this.emit('CHANGE', group, info.allChannels());
      this.emit('REGISTER', group, info.allChannels());
    }
    return r1 || r2;
  }

  /** unregisterConsumer (UNREGISTER_CLIENT): drops the client; the group goes with its last client. */
  unregisterConsumer(group: string, clientId: string, notifyConsumerIdsChangedEnable = true): boolean {
    const info = this.table.get(group);
    if (info === undefined || !info.removeClient(clientId)) return false;
    this.log.info('consumer unregistered', { group, clientId });
    this.afterRemoval(group, info, notifyConsumerIdsChangedEnable);
    return true;
  }

  /** doChannelCloseEvent: removes the channel's clients from every group. Returns the groups it left. */
  doChannelCloseEvent(channel: RemotingChannel): string[] {
    const left: string[] = [];
    for (const [group, info] of [...this.table]) {
      if (!info.removeChannel(channel)) continue;
      this.log.warn('removed consumer channel of closed connection', { group, addr: channel.remoteAddress, channel: channel.id });
      left.push(group);
      this.afterRemoval(group, info, true);
    }
    return left;
  }

  /**
   * scanNotActiveChannel: closes and removes clients without a heartbeat for
   * more than `expiredMs`. Unlike Java (which removes them silently before the
   * close event), the remaining members get a CHANGE so they rebalance now.
   * Returns the number of clients removed.
   */
  scanNotActiveChannel(now: number = this.clock.now(), expiredMs: number = CHANNEL_EXPIRED_TIMEOUT_MS): number {
    let count = 0;
    for (const [group, info] of [...this.table]) {
      const expired = info.removeExpired(now, expiredMs);
      if (expired.length === 0) continue;
      for (const c of expired) {
        this.log.warn('consumer channel expired', { group, clientId: c.clientId, addr: c.channel.remoteAddress, silentMs: now - c.lastUpdateTimestamp });
        c.channel.close();
      }
      count += expired.length;
      this.afterRemoval(group, info, true);
    }
    return count;
  }

  private afterRemoval(group: string, info: ConsumerGroupInfo, notify: boolean): void {
    if (info.channels.size === 0 && this.table.get(group) === info) {
      this.table.delete(group);
      this.log.info('consumer group has no clients, removed', { group });
      this.emit('UNREGISTER', group, []);
    }
    if (notify) this.emit('CHANGE', group, info.allChannels());
  }

  private emit(event: ConsumerGroupEvent, group: string, channels: readonly RemotingChannel[]): void {
    if (this.listener === undefined) return;
    try {
      this.listener(event, group, channels);
    } catch (err: unknown) {
      this.log.error('consumer ids change listener failed', { event, group, error: getErrorMessage(err) });
    }
  }
}

export interface ConsumerIdsChangeNotifierDeps {
  /** The subscription group configs (SubscriptionGroupManager). */
  readonly groups: { get(group: string): { readonly notifyConsumerIdsChangedEnable: boolean } | undefined };
  /** Sends NOTIFY_CONSUMER_IDS_CHANGED to each channel (BrokerContext.notifyConsumerIdsChanged). */
  readonly notify: (group: string, channels: readonly RemotingChannel[]) => void;
}

/**
 * The listener BrokerController should install (DefaultConsumerIdsChangeListener):
 * on CHANGE with channels left, notify them unless the group's config turns
 * notifyConsumerIdsChangedEnable off (no config: notify). REGISTER and
 * UNREGISTER feed the consumer filter manager in Java, which OrbitMQ has not.
 */
export function createConsumerIdsChangeListener(deps: ConsumerIdsChangeNotifierDeps): ConsumerIdsChangeListener {
  return (event, group, channels) => {
    if (event !== 'CHANGE' || channels.length === 0) return;
    if (deps.groups.get(group)?.notifyConsumerIdsChangedEnable === false) return;
    deps.notify(group, channels);
  };
}
