/**
 * Online producers per group (broker/client/ProducerManager.java, 4.9.8):
 * group → clientId → client, refreshed by HEART_BEAT, dropped by
 * UNREGISTER_CLIENT, channel close or 120 s without a heartbeat. Transactions
 * pick a live producer of a group with getAvailableChannel to send
 * CHECK_TRANSACTION_STATE.
 *
 * Construction (by BrokerController):
 *
 *     new ProducerManager({ clock, logger })
 */
import type { Clock, Logger } from '../../common/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import { CHANNEL_EXPIRED_TIMEOUT_MS } from './consumer-manager.js';
import type { ClientChannelInfo, ClientChannelInit, ConnectionJson } from './heartbeat-data.js';
import { toConnection } from './heartbeat-data.js';

export interface ProducerManagerDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ProducerManager {
  private readonly table = new Map<string, Map<string, ClientChannelInfo>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  /** ProducerManager.positiveAtomicCounter, per instance. */
  private roundRobin = 0;

  constructor(deps: ProducerManagerDeps) {
    this.clock = deps.clock;
    this.log = deps.logger.child({ component: 'broker.producers' });
  }

  /** registerProducer: adds or refreshes a client; true when it is new (or on a new channel). */
  registerProducer(group: string, client: ClientChannelInit): boolean {
    const now = this.clock.now();
    let clients = this.table.get(group);
    if (clients === undefined) {
      clients = new Map();
      this.table.set(group, clients);
    }
    const old = clients.get(client.clientId);
    if (old !== undefined && old.channel === client.channel) {
      old.lastUpdateTimestamp = now;
      return false;
    }
    clients.set(client.clientId, { ...client, lastUpdateTimestamp: now });
    this.log.info('producer registered', { group, clientId: client.clientId, addr: client.channel.remoteAddress });
    return true;
  }

  /** unregisterProducer (UNREGISTER_CLIENT); the group goes with its last client. */
  unregisterProducer(group: string, clientId: string): boolean {
    const clients = this.table.get(group);
    if (clients === undefined || !clients.delete(clientId)) return false;
    this.log.info('producer unregistered', { group, clientId });
    if (clients.size === 0) this.table.delete(group);
    return true;
  }

  /** doChannelCloseEvent: removes the channel's clients from every group. Returns the groups it left. */
  doChannelCloseEvent(channel: RemotingChannel): string[] {
    const left: string[] = [];
    for (const [group, clients] of [...this.table]) {
      let removed = false;
      for (const [id, info] of [...clients]) {
        if (info.channel === channel) {
          clients.delete(id);
          removed = true;
        }
      }
      if (!removed) continue;
      left.push(group);
      this.log.info('removed producer channel of closed connection', { group, addr: channel.remoteAddress, channel: channel.id });
      if (clients.size === 0) this.table.delete(group);
    }
    return left;
  }

  /** scanNotActiveChannel: closes and removes producers silent for more than `expiredMs`. Returns how many. */
  scanNotActiveChannel(now: number = this.clock.now(), expiredMs: number = CHANNEL_EXPIRED_TIMEOUT_MS): number {
    let count = 0;
    for (const [group, clients] of [...this.table]) {
      for (const [id, info] of [...clients]) {
        if (now - info.lastUpdateTimestamp <= expiredMs) continue;
        clients.delete(id);
        count++;
        this.log.warn('producer channel expired', { group, clientId: id, addr: info.channel.remoteAddress, silentMs: now - info.lastUpdateTimestamp });
        info.channel.close();
      }
      if (clients.size === 0) this.table.delete(group);
    }
    return count;
  }

  /**
   * getAvailableChannel: an open channel of the group's producers, taken
   * round robin (Java tries 3 after the counter's pick; this tries them all).
   */
  getAvailableChannel(group: string): RemotingChannel | undefined {
    const clients = this.table.get(group);
    if (clients === undefined || clients.size === 0) return undefined;
    const channels = [...clients.values()].map((c) => c.channel);
    const start = this.roundRobin++ % channels.length;
    if (this.roundRobin >= Number.MAX_SAFE_INTEGER) this.roundRobin = 0;
    for (let i = 0; i < channels.length; i++) {
      const ch = channels[(start + i) % channels.length];
      if (ch?.isOpen === true) return ch;
    }
    return undefined;
  }

  /** findChannel(clientId): the channel of a producer client in any group. */
  findChannel(clientId: string): RemotingChannel | undefined {
    for (const clients of this.table.values()) {
      const info = clients.get(clientId);
      if (info !== undefined) return info.channel;
    }
    return undefined;
  }

  /** clientId → client of a group (getGroupChannelTable().get(group)). */
  getGroupClients(group: string): ReadonlyMap<string, ClientChannelInfo> | undefined {
    return this.table.get(group);
  }

  /** ProducerConnection.connectionSet for GET_PRODUCER_CONNECTION_LIST (204); empty when unknown. */
  getConnections(group: string): ConnectionJson[] {
    return [...(this.table.get(group)?.values() ?? [])].map(toConnection);
  }

  /** Groups the client produces for. */
  groupsOfClient(clientId: string): string[] {
    const out: string[] = [];
    for (const [group, clients] of this.table) if (clients.has(clientId)) out.push(group);
    return out;
  }

  allGroups(): string[] {
    return [...this.table.keys()];
  }
}
