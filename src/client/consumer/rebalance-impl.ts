/**
 * Which queues this client consumes (client/impl/consumer/RebalanceImpl.java,
 * RebalancePushImpl.java, RebalanceService.java, 4.9.8), shared by the push
 * and the lite pull consumer.
 *
 * Per subscribed topic: clustering asks a broker of the topic for the group's
 * live members (GET_CONSUMER_LIST_BY_GROUP), takes the topic's readable queues
 * from the route and lets the AllocateStrategy pick this client's share;
 * broadcasting takes every queue. The difference to the current assignment is
 * reported through `onQueuesRemoved` (first: the owner persists the offset
 * and, for orderly consumption, unlocks) and `onQueuesAdded` (which may
 * accept only some queues, e.g. those it could lock; the rest are retried at
 * the next rebalance). Runs at start, every `rebalanceIntervalMs` (20 s), and
 * whenever `requestRebalance()` is called (NOTIFY_CONSUMER_IDS_CHANGED, route
 * changes). Rebalances never overlap; requests during one coalesce into one
 * more run.
 */
import { getErrorMessage, type Logger } from '../../common/index.js';
import type { SubscriptionData, MessageModel } from '../heartbeat.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import { compareMessageQueues, messageQueueKey, toSubscribeQueues, type MessageQueue } from '../route.js';
import type { AllocateStrategy } from './allocate-strategy.js';

/** What the owner of the queues does when the assignment changes. */
export interface RebalanceListener {
  /**
   * Queues newly assigned to this client. Return the subset actually taken
   * (orderly: the ones locked on the broker); returning nothing takes all.
   */
  onQueuesAdded(mqs: readonly MessageQueue[]): void | readonly MessageQueue[] | Promise<void | readonly MessageQueue[]>;
  /** Queues no longer ours: stop pulling, persist their offsets (and unlock) before resolving. */
  onQueuesRemoved(mqs: readonly MessageQueue[]): void | Promise<void>;
}

export interface RebalanceOptions {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly allocateStrategy: AllocateStrategy;
  readonly instance: MQClientInstance;
  /** The current subscriptions (topic → SubscriptionData); read at every rebalance. */
  readonly subscriptions: () => ReadonlyMap<string, SubscriptionData>;
  readonly listener: RebalanceListener;
  /** Default 20000 (Java `rocketmq.client.rebalance.waitInterval`). */
  readonly rebalanceIntervalMs?: number;
  readonly logger?: Logger;
  /** A rebalance step failed (the assignment is kept as it was for that topic). */
  readonly onError?: (err: unknown, topic: string) => void;
  /** The assignment of a topic changed (after the listener ran). */
  readonly onChange?: (change: RebalanceChange) => void;
}

/** One topic's assignment change. */
export interface RebalanceChange {
  readonly topic: string;
  readonly added: readonly MessageQueue[];
  readonly removed: readonly MessageQueue[];
  /** This client's queues of the topic afterwards. */
  readonly assigned: readonly MessageQueue[];
}

export class RebalanceImpl {
  private readonly opts: RebalanceOptions;
  private readonly intervalMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  /** key → queue, every queue this client currently owns. */
  private readonly owned = new Map<string, MessageQueue>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(opts: RebalanceOptions) {
    this.opts = opts;
    this.intervalMs = opts.rebalanceIntervalMs ?? 20_000;
  }

  /** Rebalances now and then every interval (unref'd timer). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.requestRebalance(), this.intervalMs);
    this.timer.unref();
    this.requestRebalance();
  }

  /** Stops the timer and waits for a running rebalance. The owned queues stay as they are (see `releaseAll`). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.again = false;
    await this.running;
  }

  /** Reports every owned queue as removed (shutdown). */
  async releaseAll(): Promise<void> {
    const all = [...this.owned.values()];
    this.owned.clear();
    if (all.length > 0) await this.opts.listener.onQueuesRemoved(all);
  }

  /** The queues this client owns, sorted. */
  get assignedQueues(): MessageQueue[] {
    return [...this.owned.values()].sort(compareMessageQueues);
  }

  isAssigned(mq: MessageQueue): boolean {
    return this.owned.has(messageQueueKey(mq));
  }

  /** Runs a rebalance soon; coalesces with one in progress. Never throws. */
  requestRebalance(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Runs one rebalance now (or waits for the running one and runs again); resolves when done. */
  async rebalanceNow(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      await this.running;
      if (this.running !== undefined) await this.running;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.doRebalance();
    } while (this.again && !this.stopped);
  }

  /** One pass over every subscribed topic (Java RebalanceImpl.doRebalance). */
  private async doRebalance(): Promise<void> {
    const subs = this.opts.subscriptions();
    let unsettled = false;
    for (const topic of subs.keys()) {
      if (this.stopped) return;
      try {
        if (!(await this.rebalanceTopic(topic))) unsettled = true;
      } catch (err: unknown) {
        unsettled = true;
        this.opts.logger?.warn('rebalance failed', { group: this.opts.group, topic, error: getErrorMessage(err) });
        this.opts.onError?.(err, topic);
      }
    }
    // A topic without a route yet (e.g. the %RETRY% topic the broker creates
    // on our first heartbeat) is tried again soon, not a whole interval later.
    if (unsettled) this.retrySoon();
    // truncateMessageQueueNotMyTopic
    const gone = [...this.owned.values()].filter((mq) => !subs.has(mq.topic));
    if (gone.length > 0 && !this.stopped) await this.apply(gone[0]?.topic ?? '', [], gone);
  }

  /** One-shot quick retry after an incomplete pass (unref'd; at most one pending). */
  private retrySoon(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requestRebalance();
    }, Math.min(1000, this.intervalMs));
    this.retryTimer.unref();
  }

  /** Rebalances one topic; false when its queues or members could not be learned yet. */
  private async rebalanceTopic(topic: string): Promise<boolean> {
    const mqAll = await this.topicQueues(topic);
    if (mqAll === undefined) return false;
    let mine: MessageQueue[];
    if (this.opts.messageModel === 'BROADCASTING') {
      mine = mqAll;
    } else {
      const cids = await this.consumerIds(topic);
      if (cids === undefined) return false;
      mine = this.opts.allocateStrategy.allocate(this.opts.group, this.opts.instance.clientId, mqAll, cids);
    }
    const want = new Map(mine.map((mq) => [messageQueueKey(mq), mq]));
    const removed = [...this.owned.entries()].filter(([k, mq]) => mq.topic === topic && !want.has(k)).map(([, mq]) => mq);
    const added = [...want.entries()].filter(([k]) => !this.owned.has(k)).map(([, mq]) => mq);
    await this.apply(topic, added, removed);
    return true;
  }

  private async apply(topic: string, added: MessageQueue[], removed: MessageQueue[]): Promise<void> {
    if (added.length === 0 && removed.length === 0) return;
    if (removed.length > 0) {
      for (const mq of removed) this.owned.delete(messageQueueKey(mq));
      await this.opts.listener.onQueuesRemoved(removed);
    }
    let taken: readonly MessageQueue[] = [];
    if (added.length > 0) {
      // Stopped in between: take nothing new.
      if (this.stopped) return;
      const accepted = await this.opts.listener.onQueuesAdded(added);
      taken = accepted ?? added;
      for (const mq of taken) this.owned.set(messageQueueKey(mq), mq);
    }
    if (taken.length === 0 && removed.length === 0) return;
    const assigned = this.assignedQueues.filter((mq) => mq.topic === topic);
    this.opts.logger?.info('rebalance changed queues', { group: this.opts.group, topic, added: taken.length, removed: removed.length, assigned: assigned.length });
    this.opts.onChange?.({ topic, added: taken, removed, assigned });
  }

  /** Readable queues from the cached route, else from the name servers; undefined when unknown. */
  private async topicQueues(topic: string): Promise<MessageQueue[] | undefined> {
    const route = this.opts.instance.getRoute(topic);
    const mqs = route !== undefined ? toSubscribeQueues(topic, route) : await this.opts.instance.fetchSubscribeMessageQueues(topic);
    if (mqs.length === 0) {
      this.opts.logger?.warn('no queues for the subscribed topic', { group: this.opts.group, topic });
      return undefined;
    }
    return mqs;
  }

  /** The group's live members according to a broker of the topic; undefined when none answers. */
  private async consumerIds(topic: string): Promise<string[] | undefined> {
    let addr = this.opts.instance.findBrokerAddrByTopic(topic);
    if (addr === undefined) {
      await this.opts.instance.updateTopicRoute(topic);
      addr = this.opts.instance.findBrokerAddrByTopic(topic);
    }
    if (addr === undefined) return undefined;
    const ids = await this.opts.instance.api.getConsumerIdListByGroup(addr, this.opts.group);
    return ids.length === 0 ? undefined : ids;
  }
}
