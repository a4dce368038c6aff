/**
 * Where a message that failed consumption goes next (SendMessageProcessor
 * asyncConsumerSendMsgBack and handleRetryAndDLQ, 4.9.8): the group's
 * %RETRY% topic with a growing delay level, or, after the group's maximum
 * number of reconsumes, its %DLQ% topic — created write-only so nobody
 * consumes it by accident.
 */
import { PermName } from '../common/index.js';
import type { BrokerContext } from './broker-context.js';
import type { SubscriptionGroupConfig } from './subscription-group-manager.js';
import type { TopicConfig } from './topic-config-manager.js';
import { getDLQTopic, getRetryTopic } from './topic-validator.js';

/** Clients from V3_4_9 send their own maxReconsumeTimes in the header. */
export const V3_4_9 = 201;

export interface RetryTarget {
  readonly topic: string;
  readonly queueId: number;
  readonly topicConfig: TopicConfig;
  /** 0 for the DLQ (no delay); the delay level for a retry. */
  readonly delayLevel: number;
  readonly deadLetter: boolean;
}

export function retryTarget(
  ctx: BrokerContext,
  group: SubscriptionGroupConfig,
  reconsumeTimes: number,
  requestedDelayLevel: number,
  maxReconsumeTimes: number,
): RetryTarget {
  if (reconsumeTimes >= maxReconsumeTimes || requestedDelayLevel < 0) {
    const topic = getDLQTopic(group.groupName);
    const topicConfig = ensureAndAnnounce(ctx, topic, 1, PermName.PERM_WRITE);
    return { topic, queueId: 0, topicConfig, delayLevel: 0, deadLetter: true };
  }
  const topic = getRetryTopic(group.groupName);
  const queues = Math.max(1, group.retryQueueNums);
  const topicConfig = ensureAndAnnounce(ctx, topic, queues, PermName.PERM_READ | PermName.PERM_WRITE);
  const delayLevel = requestedDelayLevel === 0 ? 3 + reconsumeTimes : requestedDelayLevel;
  return { topic, queueId: Math.floor(Math.random() * queues), topicConfig, delayLevel, deadLetter: false };
}

/** Creates a broker-owned topic when missing and tells the name servers about it. */
function ensureAndAnnounce(ctx: BrokerContext, topic: string, queues: number, perm: number): TopicConfig {
  const existing = ctx.topics.get(topic);
  if (existing !== undefined) return existing;
  const created = ctx.topics.ensure(topic, queues, perm);
  ctx.registerTopic(created);
  return created;
}
