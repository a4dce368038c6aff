/**
 * Message-queue locks of orderly consumers
 * (broker/client/rebalance/RebalanceLockManager.java, 4.9.8): per group, a
 * MessageQueue is held by one clientId; the owner renews by locking again
 * (the Java client does every 20 s). A lock not renewed for more than
 * `lockMaxLiveTimeMs` (rocketmq.broker.rebalance.lockMaxLiveTime, 60000) is
 * expired and any client may take it. Locks are not tied to connections: as in
 * Java they outlive a disconnect until they expire, so an owner that reconnects
 * keeps its queues and no one else consumes them while it may still be
 * processing.
 *
 * Construction (by BrokerController):
 *
 *     new RebalanceLockManager({ clock, lockMaxLiveTimeMs })
 */
import type { Clock, Logger } from '../../common/index.js';
import { InvalidArgumentError, noopLogger } from '../../common/index.js';
import type { RemotingChannel } from '../../remoting/index.js';

/** common/message/MessageQueue.java; JSON keys as fastjson writes them (sorted). */
export interface MessageQueue {
  brokerName: string;
  queueId: number;
  topic: string;
}

export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000;

export interface RebalanceLockManagerDeps {
  readonly clock: Clock;
  /** BrokerConfig.rebalanceLockMaxLiveTime; default 60000. */
  readonly lockMaxLiveTimeMs?: number;
  readonly logger?: Logger;
}

interface LockEntry {
  readonly mq: MessageQueue;
  clientId: string;
  lastUpdateTimestamp: number;
}

/** A collision-free map key for a queue. */
export function messageQueueKey(mq: MessageQueue): string {
  return JSON.stringify([mq.topic, mq.brokerName, mq.queueId]);
}

export class RebalanceLockManager {
  private readonly table = new Map<string, Map<string, LockEntry>>();
  private readonly clock: Clock;
  private readonly maxLiveMs: number;
  private readonly log: Logger;

  constructor(deps: RebalanceLockManagerDeps) {
    const maxLive = deps.lockMaxLiveTimeMs ?? REBALANCE_LOCK_MAX_LIVE_TIME_MS;
    if (!Number.isSafeInteger(maxLive) || maxLive <= 0) throw new InvalidArgumentError(`lockMaxLiveTimeMs must be a positive integer, got ${maxLive}`);
    this.clock = deps.clock;
    this.maxLiveMs = maxLive;
    this.log = (deps.logger ?? noopLogger).child({ component: 'broker.locks' });
  }

  /** LockEntry.isExpired. */
  private expired(e: LockEntry, now: number): boolean {
    return now - e.lastUpdateTimestamp > this.maxLiveMs;
  }

  /**
   * tryLockBatch: locks (or renews) every queue that is free, already held by
   * `clientId`, or held by someone else whose lock expired. Returns the queues
   * `clientId` holds now, in request order, duplicates removed.
   */
  tryLockBatch(group: string, mqs: readonly MessageQueue[], clientId: string, now: number = this.clock.now()): MessageQueue[] {
    let locks = this.table.get(group);
    if (locks === undefined) {
      locks = new Map();
      this.table.set(group, locks);
    }
    const locked = new Map<string, MessageQueue>();
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      if (locked.has(key)) continue;
      const e = locks.get(key);
      if (e === undefined) {
        locks.set(key, { mq: { ...mq }, clientId, lastUpdateTimestamp: now });
        this.log.info('queue locked', { group, clientId, topic: mq.topic, queueId: mq.queueId });
      } else if (e.clientId === clientId) {
        // Java renews even an expired own lock (isLocked fails, then isExpired takes it over).
        e.lastUpdateTimestamp = now;
      } else if (this.expired(e, now)) {
        this.log.warn('queue lock expired, taken over', { group, clientId, previous: e.clientId, topic: mq.topic, queueId: mq.queueId });
        e.clientId = clientId;
        e.lastUpdateTimestamp = now;
      } else {
        this.log.debug('queue locked by another client', { group, clientId, owner: e.clientId, topic: mq.topic, queueId: mq.queueId });
        continue;
      }
      locked.set(key, mq);
    }
    if (locks.size === 0) this.table.delete(group);
    return [...locked.values()];
  }

  /** tryLock: one queue. */
  tryLock(group: string, mq: MessageQueue, clientId: string, now: number = this.clock.now()): boolean {
    return this.tryLockBatch(group, [mq], clientId, now).length === 1;
  }

  /** unlockBatch: releases the queues `clientId` holds; others' locks stay. */
  unlockBatch(group: string, mqs: readonly MessageQueue[], clientId: string): void {
    const locks = this.table.get(group);
    if (locks === undefined) return;
    for (const mq of mqs) {
      const key = messageQueueKey(mq);
      const e = locks.get(key);
      if (e === undefined) continue;
      if (e.clientId === clientId) {
        locks.delete(key);
        this.log.info('queue unlocked', { group, clientId, topic: mq.topic, queueId: mq.queueId });
      } else {
        this.log.warn('unlock refused, queue locked by another client', { group, clientId, owner: e.clientId, topic: mq.topic, queueId: mq.queueId });
      }
    }
    if (locks.size === 0) this.table.delete(group);
  }

  /** Whether `clientId` holds an unexpired lock on `mq` (does not renew, unlike Java's private isLocked). */
  isLocked(group: string, mq: MessageQueue, clientId: string, now: number = this.clock.now()): boolean {
    return this.lockOwner(group, mq, now) === clientId;
  }

  /** The client holding an unexpired lock on `mq`, if any. */
  lockOwner(group: string, mq: MessageQueue, now: number = this.clock.now()): string | undefined {
    const e = this.table.get(group)?.get(messageQueueKey(mq));
    return e === undefined || this.expired(e, now) ? undefined : e.clientId;
  }

  /** Unexpired locks of a group (for admin and tests). */
  lockedQueues(group: string, now: number = this.clock.now()): { mq: MessageQueue; clientId: string; lastUpdateTimestamp: number }[] {
    const out: { mq: MessageQueue; clientId: string; lastUpdateTimestamp: number }[] = [];
    for (const e of this.table.get(group)?.values() ?? []) {
      if (!this.expired(e, now)) out.push({ mq: { ...e.mq }, clientId: e.clientId, lastUpdateTimestamp: e.lastUpdateTimestamp });
    }
    return out;
  }

  /**
   * Drops expired entries so abandoned groups do not accumulate (Java never
   * cleans them). Returns how many were removed. Safe to call from the 10 s scan.
   */
  removeExpired(now: number = this.clock.now()): number {
    let count = 0;
    for (const [group, locks] of [...this.table]) {
      for (const [key, e] of [...locks]) {
        if (this.expired(e, now)) {
          locks.delete(key);
          count++;
        }
      }
      if (locks.size === 0) this.table.delete(group);
    }
    return count;
  }

  /**
   * Channel close: deliberately keeps the locks (Java has no such hook; locks
   * expire after lockMaxLiveTimeMs). Present so the controller can treat the
   * three client managers alike.
   */
  doChannelCloseEvent(_channel: RemotingChannel): void {
    // Locks are keyed by clientId and survive reconnects; see the class comment.
  }
}
