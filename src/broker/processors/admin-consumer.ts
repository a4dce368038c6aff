/**
 * Consumer admin requests (broker/processor/AdminBrokerProcessor.java, 4.9.8):
 * GET_CONSUMER_CONNECTION_LIST (203), GET_CONSUME_STATS (208),
 * QUERY_TOPIC_CONSUME_BY_WHO (300), GET_ALL_CONSUMER_OFFSET (43),
 * QUERY_CONSUME_QUEUE (321), and the 5.x QUERY_TOPICS_BY_CONSUMER (343).
 */
import type { RemotingCommand } from '../../protocol/index.js';
import { FastJsonMap, GetConsumeStatsRequestHeader, ResponseCode, createResponseFor } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import type { MessageQueueJson } from './admin-support.js';
import {
  GetConsumerConnectionListRequestHeader, QueryConsumeQueueRequestHeader, QueryTopicConsumeByWhoRequestHeader,
  QueryTopicsByConsumerRequestHeader, messageQueue, sortedKeys, success,
} from './admin-support.js';

/** GET_CONSUMER_CONNECTION_LIST (203): ConsumerConnection, or CONSUMER_NOT_ONLINE. */
export function handleGetConsumerConnectionList(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const { consumerGroup } = GetConsumerConnectionListRequestHeader.decode(request.extFields);
  const info = ctx.consumers.getConsumerGroupInfo(consumerGroup);
  if (info === undefined) {
    return createResponseFor(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${consumerGroup}] not online`);
  }
  const c = info.toConsumerConnection();
  const subscriptionTable: Record<string, object> = {};
  for (const [topic, sub] of Object.entries(c.subscriptionTable)) subscriptionTable[topic] = sortedKeys(sub);
  return success(request, {
    connectionSet: c.connectionSet.map((x) => sortedKeys(x)),
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    messageModel: c.messageModel,
    subscriptionTable,
  });
}

/** admin/OffsetWrapper.java. */
export interface OffsetWrapperJson {
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

/**
 * GET_CONSUME_STATS (208): for the header's topic, or every topic the group
 * committed offsets on, each read queue's max offset, committed offset (0
 * when none) and the store time of the last consumed message (0 when
 * unknown). A topic without config is skipped, as is one the online group
 * does not subscribe to. consumeTps is 0: OrbitMQ keeps no per-group get
 * statistics (Java: BrokerStatsManager.tpsGroupGetNums).
 */
export function handleGetConsumeStats(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = GetConsumeStatsRequestHeader.decode(request.extFields);
  const group = h.consumerGroup;
  const topics = h.topic === undefined || h.topic.trim().length === 0 ? ctx.offsets.topicsOfGroup(group) : [h.topic];
  const subs = ctx.consumers.getConsumerGroupInfo(group)?.subscriptionTable;
  const offsetTable = new FastJsonMap<MessageQueueJson, OffsetWrapperJson>();
  for (const topic of topics) {
    const tc = ctx.topics.get(topic);
    if (tc === undefined) continue;
    if (subs !== undefined && subs.size > 0 && !subs.has(topic)) continue;
    for (let i = 0; i < tc.readQueueNums; i++) {
      const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, i));
      const consumerOffset = Math.max(0, ctx.offsets.queryOffset(group, topic, i));
      let lastTimestamp = 0;
      if (consumerOffset - 1 >= 0) {
        const ts = ctx.store.getMessageStoreTimestamp(topic, i, consumerOffset - 1);
        if (ts !== undefined && ts > 0) lastTimestamp = ts;
      }
      offsetTable.entries.push([messageQueue(ctx, topic, i), { brokerOffset, consumerOffset, lastTimestamp }]);
    }
  }
  return success(request, { consumeTps: 0, offsetTable });
}

/** QUERY_TOPIC_CONSUME_BY_WHO (300): GroupList of online subscribers and groups with offsets. */
export function handleQueryTopicConsumeByWho(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const { topic } = QueryTopicConsumeByWhoRequestHeader.decode(request.extFields);
  const groups = new Set([...ctx.consumers.groupsOfTopic(topic), ...ctx.offsets.groupsOfTopic(topic)]);
  return success(request, { groupList: [...groups] });
}

/** QUERY_TOPICS_BY_CONSUMER (343, 5.x AdminBrokerProcessor.queryTopicsByConsumer): TopicList with brokerAddr. */
export const QUERY_TOPICS_BY_CONSUMER = 343;

export function handleQueryTopicsByConsumer(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const { group } = QueryTopicsByConsumerRequestHeader.decode(request.extFields);
  return success(request, { brokerAddr: ctx.brokerAddr, topicList: ctx.offsets.topicsOfGroup(group) });
}

/**
 * GET_ALL_CONSUMER_OFFSET (43): ConsumerOffsetManager.encode(),
 * `{"offsetTable":{"T@G":{0:12}}}` with unquoted queue-id keys. The offset
 * manager offers no listing, so the table is gathered over the topics this
 * broker knows (configs and consume queues); offsets of a topic that has
 * neither are left out.
 */
export function handleGetAllConsumerOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const topics = new Set([...ctx.topics.all().map((t) => t.topicName), ...ctx.store.topics()]);
  const offsetTable: Record<string, FastJsonMap<number, number>> = {};
  for (const topic of topics) {
    for (const group of ctx.offsets.groupsOfTopic(topic)) {
      offsetTable[`${topic}@${group}`] = new FastJsonMap(ctx.offsets.queryOffsets(group, topic));
    }
  }
  return success(request, { offsetTable });
}

/** body/ConsumeQueueData.java (nulls omitted; no consume-queue ext in OrbitMQ). */
interface ConsumeQueueDataJson {
  eval: boolean;
  physicOffset: number;
  physicSize: number;
  tagsCode: number;
}

/** QUERY_CONSUME_QUEUE (321): QueryConsumeQueueResponseBody for up to `count` units from `index`. */
export function handleQueryConsumeQueue(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = QueryConsumeQueueRequestHeader.decode(request.extFields);
  const cq = ctx.store.consumeQueues.get(h.topic, h.queueId);
  if (cq === undefined) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `${h.queueId}@${h.topic} is not exist!`);
  const body: Record<string, unknown> = {};
  if (h.consumerGroup !== undefined) {
    const sub = ctx.consumers.findSubscriptionData(h.consumerGroup, h.topic);
    // Java: JSON.toJSONString(consumerFilterData) — null for tag subscriptions.
    body.filterData = sub === undefined ? `${h.consumerGroup}@${h.topic} is not online!` : 'null';
  }
  body.maxQueueIndex = cq.maxOffset;
  body.minQueueIndex = cq.minOffset;
  if (cq.getUnit(h.index) === undefined) {
    return createResponseFor(request, ResponseCode.SUCCESS, `Index ${h.index} of ${h.queueId}@${h.topic} is not exist!`);
  }
  const queueData: ConsumeQueueDataJson[] = [];
  for (let j = 0; j < h.count; j++) {
    const unit = cq.getUnit(h.index + j);
    if (unit === undefined) break;
    queueData.push({ eval: false, physicOffset: unit.commitLogOffset, physicSize: unit.size, tagsCode: unit.tagsCode });
  }
  body.queueData = queueData;
  if (h.consumerGroup !== undefined) {
    const sub = ctx.consumers.findSubscriptionData(h.consumerGroup, h.topic);
    if (sub !== undefined) body.subscriptionData = sortedKeys(sub);
  }
  return success(request, body);
}
