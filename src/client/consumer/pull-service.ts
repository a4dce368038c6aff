/**
 * The pull loop of one owned queue (DefaultMQPushConsumerImpl.pullMessage,
 * PullAPIWrapper.processPullResult, PullMessageService, 4.9.8).
 *
 * First the start offset (computePullFromWhere): the committed offset from the
 * offset store; without one (-1), CONSUME_FROM_LAST_OFFSET takes the broker's
 * max offset (a `%RETRY%` topic: 0), FIRST takes 0, TIMESTAMP searches by
 * `consumeTimestamp`. The broker answers QUERY_CONSUMER_OFFSET for a brand-new
 * group with 0 while the queue's first message is still in memory, as
 * RocketMQ does, so a new group usually starts at 0 whatever the policy.
 *
 * Then, until the queue is given up: pause (50 ms) while the ProcessQueue holds
 * more than the message or byte threshold; long-poll PULL_MESSAGE (the
 * subscription sent inline; the consumed offset piggy-backed in clustering);
 * FOUND → re-filter by tag, present retried messages with their original
 * topic, cache and dispatch; NO_NEW_MSG / NO_MATCHED_MSG → continue from
 * nextBeginOffset (and commit it when nothing is cached); OFFSET_ILLEGAL →
 * store and persist the corrected offset, forget the cache, continue; an
 * error → retry after `pullRetryDelayMs`.
 */
import { MessageConst, OrbitError } from '../../common/index.js';
import { PullSysFlag } from '../../protocol/index.js';
import { isAbortError } from '../errors.js';
import { matchesSubscription, type SubscriptionData } from '../heartbeat.js';
import type { MessageExt } from '../message-ext.js';
import { MASTER_ID, type MessageQueue } from '../route.js';
import { sleep, type ConsumeService, type ConsumerCore, type QueueState } from './consume-service.js';

const FLOW_CONTROL_DELAY_MS = 50;
const RETRY_PREFIX = '%RETRY%';

export class PullService {
  constructor(
    private readonly core: ConsumerCore,
    private readonly service: ConsumeService,
  ) {}

  /** Starts the queue's pull loop (kept in `qs.pulling`). */
  start(qs: QueueState): void {
    qs.pulling = this.run(qs)
      .catch((err: unknown) => this.core.report('pull', err, qs.mq))
      .finally(() => {
        qs.pulling = undefined;
      });
  }

  private active(qs: QueueState): boolean {
    return !qs.abort.signal.aborted && !qs.pq.dropped && !qs.stopping && this.core.isConsuming();
  }

  private async run(qs: QueueState): Promise<void> {
    while (this.active(qs) && qs.nextOffset < 0) {
      try {
        qs.nextOffset = await this.computePullFromWhere(qs.mq);
        this.core.logger.debug('pull starts', { topic: qs.mq.topic, queueId: qs.mq.queueId, offset: qs.nextOffset });
      } catch (err: unknown) {
        if (!this.active(qs)) return;
        this.core.report('offset', err, qs.mq);
        await sleep(this.core.opts.pullRetryDelayMs, qs.abort.signal);
      }
    }
    while (this.active(qs)) {
      const { pq } = qs;
      // Flow control (DefaultMQPushConsumerImpl.pullMessage): too many or too large cached messages, or, consuming
      // concurrently, one slow message holding the commit offset too far behind the newest pulled one.
      if (pq.msgCount > this.core.opts.pullThresholdForQueue || pq.msgSize > this.core.opts.pullThresholdSizeForQueueBytes ||
        (!this.service.orderly && pq.maxSpan > this.core.opts.consumeConcurrentlyMaxSpan)) {
        await sleep(FLOW_CONTROL_DELAY_MS, qs.abort.signal);
        continue;
      }
      try {
        await this.pullOnce(qs);
      } catch (err: unknown) {
        if (isAbortError(err) || !this.active(qs)) return;
        this.core.report('pull', err, qs.mq);
        await sleep(this.core.opts.pullRetryDelayMs, qs.abort.signal);
      }
    }
  }

  private async brokerAddr(qs: QueueState): Promise<string> {
    const { instance } = this.core;
    let found = instance.findBrokerAddressInSubscribe(qs.mq.brokerName, qs.brokerId, false);
    if (found === undefined) {
      await instance.updateTopicRoute(qs.mq.topic);
      found = instance.findBrokerAddressInSubscribe(qs.mq.brokerName, qs.brokerId, false);
    }
    if (found === undefined) throw new OrbitError('NO_ROUTE', `no address of broker ${qs.mq.brokerName}`, { retriable: true });
    return found.addr;
  }

  private async pullOnce(qs: QueueState): Promise<void> {
    const { mq } = qs;
    const { opts, offsetStore, instance } = this.core;
    const sub = this.core.subscription(mq.topic);
    if (sub === undefined) {
      await sleep(opts.pullRetryDelayMs, qs.abort.signal);
      return;
    }
    let commitOffset = 0;
    if (opts.messageModel === 'CLUSTERING') commitOffset = await offsetStore.readOffset(mq, 'READ_FROM_MEMORY');
    const sysFlag = (commitOffset > 0 ? PullSysFlag.FLAG_COMMIT_OFFSET : 0) | PullSysFlag.FLAG_SUSPEND | PullSysFlag.FLAG_SUBSCRIPTION;
    const addr = await this.brokerAddr(qs);
    const r = await instance.api.pullMessage(addr, mq.brokerName, {
      consumerGroup: opts.group,
      topic: mq.topic,
      queueId: mq.queueId,
      queueOffset: qs.nextOffset,
      maxMsgNums: opts.pullBatchSize,
      sysFlag,
      commitOffset: Math.max(0, commitOffset),
      suspendTimeoutMillis: opts.brokerSuspendMaxTimeMs,
      subscription: sub.subString,
      subVersion: sub.subVersion,
      expressionType: sub.expressionType,
    }, { timeoutMs: opts.pullTimeoutMs, signal: qs.abort.signal });
    if (!this.active(qs)) return;
    qs.brokerId = r.suggestWhichBrokerId;
    qs.pq.lastPullTimestamp = this.core.clock.now();
    switch (r.status) {
      case 'FOUND': {
        qs.nextOffset = r.nextBeginOffset;
        const msgs = this.deliverable(sub, r.messages);
        if (msgs.length === 0) return;
        qs.pq.putMessages(msgs);
        this.service.submit(qs, msgs);
        return;
      }
      case 'NO_NEW_MSG':
      case 'NO_MATCHED_MSG':
        qs.nextOffset = r.nextBeginOffset;
        // correctTagsOffset: nothing cached, so everything before nextBeginOffset is done.
        if (qs.pq.msgCount === 0) offsetStore.updateOffset(mq, r.nextBeginOffset, true);
        return;
      case 'OFFSET_ILLEGAL':
        this.core.logger.warn('pull offset illegal, corrected', { topic: mq.topic, queueId: mq.queueId, from: qs.nextOffset, to: r.nextBeginOffset });
        qs.pq.clear();
        qs.nextOffset = r.nextBeginOffset;
        offsetStore.updateOffset(mq, r.nextBeginOffset, false);
        await offsetStore.persistAll([mq]);
        return;
    }
  }

  /**
   * The pulled messages that match the subscription (the broker filters by
   * tag hash only), as the listener sees them; the pulled array itself when
   * nothing is left out or changed (the usual case: no copy per pull).
   */
  private deliverable(sub: SubscriptionData, pulled: MessageExt[]): MessageExt[] {
    let out: MessageExt[] | undefined;
    for (let i = 0; i < pulled.length; i++) {
      const m = pulled[i];
      if (m === undefined) continue;
      const keep = matchesSubscription(sub, m.tags);
      const shown = keep ? this.present(m) : m;
      if (out === undefined && (!keep || shown !== m)) out = pulled.slice(0, i);
      if (out !== undefined && keep) out.push(shown);
    }
    return out ?? pulled;
  }

  /** resetRetryAndNamespace: a redelivered message shows its original topic. */
  private present(m: MessageExt): MessageExt {
    const original = m.properties[MessageConst.PROPERTY_RETRY_TOPIC];
    if (original === undefined || m.topic !== RETRY_PREFIX + this.core.opts.group) return m;
    return { ...m, topic: original };
  }

  /** Java computePullFromWhere. Throws when the committed offset cannot be read. */
  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const { offsetStore, opts } = this.core;
    const last = await offsetStore.readOffset(mq, 'READ_FROM_STORE');
    if (last >= 0) return last;
    if (last !== -1) throw new OrbitError('OFFSET_READ', `cannot read the committed offset of ${mq.topic}:${mq.queueId}`, { retriable: true });
    const retry = mq.topic.startsWith(RETRY_PREFIX);
    switch (opts.consumeFromWhere) {
      case 'CONSUME_FROM_FIRST_OFFSET':
        return 0;
      case 'CONSUME_FROM_TIMESTAMP':
        if (retry) return this.maxOffset(mq);
        return this.core.instance.api.searchOffset(await this.masterAddr(mq), mq.topic, mq.queueId, opts.consumeTimestamp);
      default:
        return retry ? 0 : this.maxOffset(mq);
    }
  }

  private async maxOffset(mq: MessageQueue): Promise<number> {
    return this.core.instance.api.getMaxOffset(await this.masterAddr(mq), mq.topic, mq.queueId);
  }

  private async masterAddr(mq: MessageQueue): Promise<string> {
    const { instance } = this.core;
    let found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
    if (found === undefined) {
      await instance.updateTopicRoute(mq.topic);
      found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
    }
    if (found === undefined) throw new OrbitError('NO_ROUTE', `no master of broker ${mq.brokerName}`, { retriable: true });
    return found.addr;
  }
}
