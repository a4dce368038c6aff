/**
 * HEART_BEAT (34), UNREGISTER_CLIENT (35) and CHECK_CLIENT_CONFIG (46)
 * (broker/processor/ClientManageProcessor.java, 4.9.8).
 *
 * NOTIFY_CONSUMER_IDS_CHANGED is not sent from here: ConsumerManager reports
 * membership changes to the listener the controller installs
 * (createConsumerIdsChangeListener → BrokerContext.notifyConsumerIdsChanged),
 * so heartbeats, unregisters, channel closes and expiry share one path.
 */
import type { Logger } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { RequestCode, ResponseCode, UnregisterClientRequestHeader, createResponseFor } from '../../protocol/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import type { BrokerContext } from '../broker-context.js';
import { decodeHeartbeatBody, parseJsonBody } from '../client/heartbeat-data.js';
import { asRecord } from '../json-narrow.js';
import { PermName } from '../../common/index.js';
import { parseSubscriptionData } from '../subscription-data.js';
import type { BrokerConfig } from '../broker-config.js';
import { checkSubscriptionFilter } from '../filter/expression-message-filter.js';
import { consumerFilterManagerOf } from '../filter/consumer-filter-manager.js';
import { getRetryTopic } from '../topic-validator.js';

/**
 * RequestCode.CHECK_CLIENT_CONFIG (4.9.8). Not in protocol's RequestCode table
 * yet; kept here until it is.
 */
export const CHECK_CLIENT_CONFIG = 46;

/** The part of BrokerContext these processors use (BrokerContext satisfies it). */
export type ClientManageContext = Pick<BrokerContext, 'server' | 'topics' | 'groups' | 'consumers' | 'producers' | 'logger' | 'registerTopic'> & {
  /** enablePropertyFilter defaults to true when absent. */
  readonly config?: Pick<BrokerConfig, 'enablePropertyFilter'>;
};

export function registerClientManageProcessors(ctx: ClientManageContext): void {
  const log = ctx.logger.child({ component: 'broker.client-manage' });
  ctx.server.registerProcessor(RequestCode.HEART_BEAT, (request, { channel }) => heartBeat(ctx, log, request, channel));
  ctx.server.registerProcessor(RequestCode.UNREGISTER_CLIENT, (request) => unregisterClient(ctx, request));
  ctx.server.registerProcessor(CHECK_CLIENT_CONFIG, (request) => checkClientConfig(request, ctx.config?.enablePropertyFilter ?? true));
}

/**
 * ClientManageProcessor.heartBeat: per consumer group, find (or auto-create)
 * its config and ensure `%RETRY%group` (retryQueueNums queues, RW); then
 * register the consumer and every producer group. Empty SUCCESS.
 */
function heartBeat(ctx: ClientManageContext, log: Logger, request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
  const hb = decodeHeartbeatBody(request.body);
  const client = { channel, clientId: hb.clientID, language: request.language, version: request.version };
  for (const data of hb.consumerDataSet) {
    const sub = ctx.groups.findOrCreate(data.groupName);
    let notify = true;
    if (sub !== undefined) {
      notify = sub.notifyConsumerIdsChangedEnable;
      // createTopicInSendMessageBackMethod. Java sets the unit sys-flag when
      // data.unitMode; OrbitMQ creates it with topicSysFlag 0 (unit mode unsupported).
      const retryTopic = getRetryTopic(data.groupName);
      if (ctx.topics.get(retryTopic) === undefined) {
        ctx.registerTopic(ctx.topics.ensure(retryTopic, sub.retryQueueNums, PermName.PERM_READ | PermName.PERM_WRITE));
      }
    }
    const changed = ctx.consumers.registerConsumer(data.groupName, client, data, notify);
    // ConsumerFilterManager.register: a SQL92 expression that does not compile gets no filter data (pulls see FILTER_DATA_NOT_EXIST).
    for (const bad of consumerFilterManagerOf(ctx.consumers).registerGroup(data.groupName, data.subscriptionDataSet)) {
      log.warn('consumer filter not registered', { group: data.groupName, expression: bad.expression, error: bad.reason });
    }
    if (changed) {
      log.info('consumer registration changed', { group: data.groupName, clientId: hb.clientID, addr: channel.remoteAddress });
    }
  }
  for (const data of hb.producerDataSet) ctx.producers.registerProducer(data.groupName, client);
  return createResponseFor(request, ResponseCode.SUCCESS);
}

/** ClientManageProcessor.unregisterClient. */
function unregisterClient(ctx: ClientManageContext, request: RemotingCommand): RemotingCommand {
  const h = UnregisterClientRequestHeader.decode(request.extFields);
  if (h.producerGroup !== undefined) ctx.producers.unregisterProducer(h.producerGroup, h.clientID);
  if (h.consumerGroup !== undefined) {
    // Java uses findSubscriptionGroupConfig (which may auto-create); a lookup suffices for the flag.
    const notify = ctx.groups.get(h.consumerGroup)?.notifyConsumerIdsChangedEnable ?? true;
    ctx.consumers.unregisterConsumer(h.consumerGroup, h.clientID, notify);
  }
  return createResponseFor(request, ResponseCode.SUCCESS);
}

/**
 * ClientManageProcessor.checkClientConfig: body CheckClientRequestBody
 * {clientId, group, subscriptionData}. TAG (or no type) → SUCCESS; SQL92 is
 * compiled: SUBSCRIPTION_PARSE_FAILED with the reason when it does not, or
 * SYSTEM_ERROR when enablePropertyFilter is false (filter/checkSubscriptionFilter).
 * Other types → SYSTEM_ERROR with Java's remark.
 */
function checkClientConfig(request: RemotingCommand, enablePropertyFilter: boolean): RemotingCommand {
  if (request.body === undefined || request.body.length === 0) return createResponseFor(request, ResponseCode.SUCCESS);
  const body = asRecord(parseJsonBody(request.body, 'CheckClientRequestBody'), 'CheckClientRequestBody');
  if (body.subscriptionData === undefined || body.subscriptionData === null) return createResponseFor(request, ResponseCode.SUCCESS);
  const sub = parseSubscriptionData(body.subscriptionData);
  const refused = checkSubscriptionFilter(sub, enablePropertyFilter);
  return refused === undefined ? createResponseFor(request, ResponseCode.SUCCESS) : createResponseFor(request, refused.code, refused.remark);
}
