/**
 * Shared pieces of the admin processors (broker/processor/AdminBrokerProcessor.java,
 * 4.9.8): the request headers OrbitMQ's protocol layer does not define yet,
 * the MessageQueue key of Map<MessageQueue,…> bodies, and the slave guard.
 */
import type { RemotingCommand } from '../../protocol/index.js';
import { ResponseCode, createResponseFor, defineHeader, opt, req, toFastJson } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';

/** DeleteSubscriptionGroupRequestHeader.java (207). */
export const DeleteSubscriptionGroupRequestHeader = defineHeader('DeleteSubscriptionGroupRequestHeader', {
  groupName: req('string'),
  removeOffset: opt('bool'),
});

/** GetTopicStatsInfoRequestHeader.java (202). */
export const GetTopicStatsInfoRequestHeader = defineHeader('GetTopicStatsInfoRequestHeader', {
  topic: req('string'),
});

/** GetConsumerConnectionListRequestHeader.java (203). */
export const GetConsumerConnectionListRequestHeader = defineHeader('GetConsumerConnectionListRequestHeader', {
  consumerGroup: req('string'),
});

/** QueryTopicConsumeByWhoRequestHeader.java (300). */
export const QueryTopicConsumeByWhoRequestHeader = defineHeader('QueryTopicConsumeByWhoRequestHeader', {
  topic: req('string'),
});

/** QueryTopicsByConsumerRequestHeader.java (343, 5.x). */
export const QueryTopicsByConsumerRequestHeader = defineHeader('QueryTopicsByConsumerRequestHeader', {
  group: req('string'),
});

/** QueryConsumeQueueRequestHeader.java (321): primitives, so all present in Java's requests. */
export const QueryConsumeQueueRequestHeader = defineHeader('QueryConsumeQueueRequestHeader', {
  topic: req('string'),
  queueId: req('int'),
  index: req('long'),
  count: req('int'),
  consumerGroup: opt('string'),
});

/** GetBrokerConfigResponseHeader.java (26): `version` = the configuration's DataVersion JSON. */
export const GetBrokerConfigResponseHeader = defineHeader('GetBrokerConfigResponseHeader', {
  version: req('string'),
});

/** common/message/MessageQueue.java as fastjson writes it (fields sorted). */
export interface MessageQueueJson {
  brokerName: string;
  queueId: number;
  topic: string;
}

export function messageQueue(ctx: BrokerContext, topic: string, queueId: number): MessageQueueJson {
  return { brokerName: ctx.config.brokerName, queueId, topic };
}

/** AdminBrokerProcessor.validateSlave: a slave refuses topic and group changes. */
export function slaveRefusal(ctx: BrokerContext, request: RemotingCommand): RemotingCommand | undefined {
  if (ctx.config.brokerRole !== 'SLAVE') return undefined;
  return createResponseFor(request, ResponseCode.SYSTEM_ERROR,
    "Can't modify topic or subscription group from slave broker, please execute it from master broker.");
}

/** SUCCESS with no remark and a body (fastjson text of `body`, or raw bytes). */
export function success(request: RemotingCommand, body?: unknown): RemotingCommand {
  if (body === undefined) return createResponseFor(request, ResponseCode.SUCCESS);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : toFastJson(body), 'utf8');
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: bytes });
}

/** Copy of `o` with keys in code-point order, as fastjson writes bean fields. */
export function sortedKeys<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
}
