/**
 * Registers the admin processors: the request-code table of
 * AdminBrokerProcessor.java and QueryMessageProcessor.java (4.9.8) that
 * OrbitMQ answers. Offset, lock and client-management codes that Java also
 * routes through AdminBrokerProcessor are registered by their own modules.
 */
import { RequestCode } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import {
  handleGetBrokerConfig, handleGetBrokerRuntimeInfo, handleUpdateBrokerConfig, startRuntimeInfo,
} from './admin-broker.js';
import {
  QUERY_TOPICS_BY_CONSUMER, handleGetAllConsumerOffset, handleGetConsumeStats, handleGetConsumerConnectionList,
  handleQueryConsumeQueue, handleQueryTopicConsumeByWho, handleQueryTopicsByConsumer,
} from './admin-consumer.js';
import { handleDeleteSubscriptionGroup, handleGetAllSubscriptionGroup, handleUpdateAndCreateSubscriptionGroup } from './admin-group.js';
import { handleQueryMessage, handleViewMessageById } from './admin-message.js';
import { handleInvokeBrokerToResetOffset } from './admin-reset-offset.js';
import {
  handleDeleteTopic, handleGetAllTopicConfig, handleGetSystemTopicListFromBroker, handleGetTopicStatsInfo, handleUpdateAndCreateTopic,
} from './admin-topic.js';

export function registerAdminProcessors(ctx: BrokerContext): void {
  const s = ctx.server;
  const runtime = startRuntimeInfo(ctx);
  // Topics and subscription groups.
  s.registerProcessor(RequestCode.UPDATE_AND_CREATE_TOPIC, (r) => handleUpdateAndCreateTopic(ctx, r));
  s.registerProcessor(RequestCode.DELETE_TOPIC_IN_BROKER, (r) => handleDeleteTopic(ctx, r));
  s.registerProcessor(RequestCode.GET_ALL_TOPIC_CONFIG, (r) => handleGetAllTopicConfig(ctx, r));
  s.registerProcessor(RequestCode.GET_TOPIC_STATS_INFO, (r) => handleGetTopicStatsInfo(ctx, r));
  s.registerProcessor(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, (r) => handleGetSystemTopicListFromBroker(ctx, r));
  s.registerProcessor(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (r) => handleUpdateAndCreateSubscriptionGroup(ctx, r));
  s.registerProcessor(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (r) => handleGetAllSubscriptionGroup(ctx, r));
  s.registerProcessor(RequestCode.DELETE_SUBSCRIPTIONGROUP, (r) => handleDeleteSubscriptionGroup(ctx, r));
  // Broker.
  s.registerProcessor(RequestCode.GET_BROKER_RUNTIME_INFO, (r) => handleGetBrokerRuntimeInfo(ctx, runtime, r));
  s.registerProcessor(RequestCode.GET_BROKER_CONFIG, (r) => handleGetBrokerConfig(ctx, runtime, r));
  s.registerProcessor(RequestCode.UPDATE_BROKER_CONFIG, (r) => handleUpdateBrokerConfig(ctx, r));
  // Consumers.
  s.registerProcessor(RequestCode.GET_CONSUMER_CONNECTION_LIST, (r) => handleGetConsumerConnectionList(ctx, r));
  s.registerProcessor(RequestCode.GET_CONSUME_STATS, (r) => handleGetConsumeStats(ctx, r));
  s.registerProcessor(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (r) => handleQueryTopicConsumeByWho(ctx, r));
  s.registerProcessor(RequestCode.GET_ALL_CONSUMER_OFFSET, (r) => handleGetAllConsumerOffset(ctx, r));
  s.registerProcessor(RequestCode.QUERY_CONSUME_QUEUE, (r) => handleQueryConsumeQueue(ctx, r));
  s.registerProcessor(QUERY_TOPICS_BY_CONSUMER, (r) => handleQueryTopicsByConsumer(ctx, r));
  s.registerProcessor(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, (r) => handleInvokeBrokerToResetOffset(ctx, r));
  // Messages (QueryMessageProcessor).
  s.registerProcessor(RequestCode.QUERY_MESSAGE, (r) => handleQueryMessage(ctx, r));
  s.registerProcessor(RequestCode.VIEW_MESSAGE_BY_ID, (r) => handleViewMessageById(ctx, r));
}
