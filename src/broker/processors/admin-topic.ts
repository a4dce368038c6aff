/**
 * Topic admin requests (broker/processor/AdminBrokerProcessor.java, 4.9.8):
 * UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215),
 * GET_ALL_TOPIC_CONFIG (21), GET_TOPIC_STATS_INFO (202) and
 * GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305). Remarks are Java's
 * (common/topic/TopicValidator.java validateTopic / isSystemTopic).
 */
import { InvalidArgumentError } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { CreateTopicRequestHeader, DeleteTopicRequestHeader, FastJsonMap, ResponseCode, createResponseFor } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import type { TopicConfig } from '../topic-config-manager.js';
import { TOPIC_MAX_LENGTH, TopicValidator, isSystemTopic, topicNameProblem } from '../topic-validator.js';
import type { MessageQueueJson } from './admin-support.js';
import { GetTopicStatsInfoRequestHeader, messageQueue, slaveRefusal, sortedKeys, success } from './admin-support.js';

/** MixAll.REPLY_TOPIC_POSTFIX: `{cluster}_REPLY_TOPIC` is a system topic in 4.9.8. */
const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';
/** MixAll.LMQ_PREFIX: light message queues are never deleted through here. */
const LMQ_PREFIX = '%LMQ%';
const TOPIC_FILTER_TYPES = new Set(['SINGLE_TAG', 'MULTI_TAG']);

/**
 * TopicValidator.SYSTEM_TOPIC_SET as a 4.9.8 broker fills it: the fixed set
 * and `rmq_sys_` prefix, plus what TopicConfigManager adds at start (cluster
 * and broker-name topics when enabled, the cluster's reply topic).
 */
export function systemTopics(ctx: BrokerContext): string[] {
  const c = ctx.config;
  const out: string[] = [
    TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, TopicValidator.RMQ_SYS_BENCHMARK_TOPIC,
    TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, TopicValidator.RMQ_SYS_TRACE_TOPIC, TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
    TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT,
  ];
  if (c.clusterTopicEnable) out.push(c.brokerClusterName);
  if (c.brokerTopicEnable) out.push(c.brokerName);
  out.push(`${c.brokerClusterName}_${REPLY_TOPIC_POSTFIX}`);
  return out;
}

/** validateTopic then isSystemTopic, with 4.9.8's remarks; undefined when the topic may be changed. */
function topicRefusal(ctx: BrokerContext, request: RemotingCommand, topic: string): RemotingCommand | undefined {
  const problem = topicNameProblem(topic);
  if (problem !== undefined) {
    let remark = 'The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$';
    if (topic.trim().length === 0) remark = 'The specified topic is blank.';
    else if (topic.length > TOPIC_MAX_LENGTH && /^[%|a-zA-Z0-9_-]+$/.test(topic)) remark = 'The specified topic is longer than topic max length.';
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR, remark);
  }
  if (isSystemTopic(topic) || systemTopics(ctx).includes(topic)) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `The topic[${topic}] is conflict with system topic.`);
  }
  return undefined;
}

/** UPDATE_AND_CREATE_TOPIC (17): replaces the config (Java ignores the header's `order`) and re-registers. */
export function handleUpdateAndCreateTopic(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const refused = slaveRefusal(ctx, request);
  if (refused) return refused;
  const h = CreateTopicRequestHeader.decode(request.extFields);
  const bad = topicRefusal(ctx, request, h.topic);
  if (bad) return bad;
  if (!TOPIC_FILTER_TYPES.has(h.topicFilterType)) {
    // TopicFilterType.valueOf throws IllegalArgumentException → SYSTEM_ERROR.
    throw new InvalidArgumentError(`No enum constant org.apache.rocketmq.common.TopicFilterType.${h.topicFilterType}`);
  }
  const tc: TopicConfig = {
    topicName: h.topic,
    readQueueNums: h.readQueueNums,
    writeQueueNums: h.writeQueueNums,
    perm: h.perm,
    topicFilterType: h.topicFilterType,
    topicSysFlag: h.topicSysFlag ?? 0,
    order: false,
  };
  ctx.topics.update(tc);
  ctx.logger.info('topic created or updated by admin', { topic: tc.topicName, read: tc.readQueueNums, write: tc.writeQueueNums, perm: tc.perm });
  ctx.registerTopic(tc);
  return success(request);
}

/**
 * DELETE_TOPIC_IN_BROKER (215): drops the config and the consume queues.
 * Also drops the topic's committed offsets, as 5.x does (4.9.8 keeps them,
 * which leaves stale offsets for a re-created topic).
 */
export function handleDeleteTopic(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const refused = slaveRefusal(ctx, request);
  if (refused) return refused;
  const { topic } = DeleteTopicRequestHeader.decode(request.extFields);
  const bad = topicRefusal(ctx, request, topic);
  if (bad) return bad;
  if (topic.startsWith(LMQ_PREFIX)) return success(request);
  ctx.topics.delete(topic);
  ctx.store.deleteTopic(topic);
  ctx.offsets.removeTopic(topic);
  ctx.logger.info('topic deleted by admin', { topic });
  return success(request);
}

/** TopicConfig.java as fastjson writes it. */
export function topicConfigJson(tc: TopicConfig): TopicConfig {
  return sortedKeys(tc);
}

/** GET_ALL_TOPIC_CONFIG (21): TopicConfigManager.encode() = {dataVersion, topicConfigTable}. */
export function handleGetAllTopicConfig(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const all = ctx.topics.all();
  if (all.length === 0) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, 'No topic in this broker');
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (const tc of all) topicConfigTable[tc.topicName] = topicConfigJson(tc);
  return success(request, { dataVersion: ctx.topics.dataVersion.toJSON(), topicConfigTable });
}

/** admin/TopicOffset.java. */
export interface TopicOffsetJson {
  lastUpdateTimestamp: number;
  maxOffset: number;
  minOffset: number;
}

/** GET_TOPIC_STATS_INFO (202): TopicStatsTable over the topic's write queues. */
export function handleGetTopicStatsInfo(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const { topic } = GetTopicStatsInfoRequestHeader.decode(request.extFields);
  const tc = ctx.topics.get(topic);
  if (tc === undefined) return createResponseFor(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
  const offsetTable = new FastJsonMap<MessageQueueJson, TopicOffsetJson>();
  for (let i = 0; i < tc.writeQueueNums; i++) {
    const minOffset = Math.max(0, ctx.store.getMinOffsetInQueue(topic, i));
    const maxOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, i));
    // DefaultMessageStore.getMessageStoreTimeStamp answers -1 when the unit is gone.
    const lastUpdateTimestamp = maxOffset > 0 ? (ctx.store.getMessageStoreTimestamp(topic, i, maxOffset - 1) ?? -1) : 0;
    offsetTable.entries.push([messageQueue(ctx, topic, i), { lastUpdateTimestamp, maxOffset, minOffset }]);
  }
  return success(request, { offsetTable });
}

/** GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305): TopicList of the system topic set. */
export function handleGetSystemTopicListFromBroker(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  return success(request, { topicList: systemTopics(ctx) });
}
