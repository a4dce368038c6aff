/**
 * CONSUMER_SEND_MSG_BACK (36) (SendMessageProcessor.asyncConsumerSendMsgBack,
 * 4.9.8): a consumer could not process a message; the broker stores a copy
 * in the group's retry topic with reconsumeTimes + 1 and a delay level that
 * grows with each attempt (level 3 + reconsumeTimes), or in the DLQ after the
 * maximum. The original message id travels in ORIGIN_MESSAGE_ID, the original
 * topic in RETRY_TOPIC.
 */
import { MessageConst, createOffsetMessageId, decodeProperties, decodeStoredMessage, encodeProperties } from '../../common/index.js';
import type { MessageInput } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { ConsumerSendMsgBackRequestHeader, RequestCode, ResponseCode, createResponseFor } from '../../protocol/index.js';
import { isPutOk } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';
import { isWriteable } from '../../common/index.js';
import { V3_4_9, retryTarget } from '../retry-policy.js';
import { toScheduleTopic } from '../schedule-message-service.js';

async function sendBack(ctx: BrokerContext, request: RemotingCommand): Promise<RemotingCommand> {
  const h = ConsumerSendMsgBackRequestHeader.decode(request.extFields);
  const group = ctx.groups.findOrCreate(h.group);
  if (group === undefined) {
    return createResponseFor(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${h.group}`);
  }
  if (!isWriteable(ctx.config.brokerPermission)) {
    return createResponseFor(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerAddr}] sending message is forbidden`);
  }
  if (group.retryQueueNums <= 0) return createResponseFor(request, ResponseCode.SUCCESS);
  const rec = ctx.store.lookMessageByOffset(h.offset);
  if (rec === undefined) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);
  const orig = decodeStoredMessage(rec);
  const props = decodeProperties(orig.properties);
  if (!props.has(MessageConst.PROPERTY_RETRY_TOPIC)) props.set(MessageConst.PROPERTY_RETRY_TOPIC, orig.topic);
  props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'false');
  const maxReconsumeTimes = request.version >= V3_4_9 && h.maxReconsumeTimes !== undefined ? h.maxReconsumeTimes : group.retryMaxTimes;
  const target = retryTarget(ctx, group, orig.reconsumeTimes, h.delayLevel, maxReconsumeTimes);
  if (!isWriteable(target.topicConfig.perm)) {
    return createResponseFor(request, ResponseCode.NO_PERMISSION, `the topic[${target.topic}] sending message is forbidden`);
  }
  const originMsgId = props.get(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID) ?? h.originMsgId ?? createOffsetMessageId(orig.storeHost, orig.commitLogOffset);
  props.set(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID, originMsgId);
  props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
  let msg: MessageInput = {
    topic: target.topic,
    queueId: target.queueId,
    flag: orig.flag,
    body: orig.body,
    properties: encodeProperties(props),
    sysFlag: orig.sysFlag,
    bornTimestamp: orig.bornTimestamp,
    bornHost: orig.bornHost,
    storeHost: ctx.storeHost,
    reconsumeTimes: orig.reconsumeTimes + 1,
    preparedTransactionOffset: 0,
  };
  if (!target.deadLetter && target.delayLevel > 0) msg = toScheduleTopic(msg, props, target.delayLevel, ctx.schedule.maxLevel);
  const r = await ctx.store.putMessage(msg, { waitStoreMsgOK: false });
  if (isPutOk(r)) return createResponseFor(request, ResponseCode.SUCCESS);
  return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `send message back failed: ${r.status} ${r.reason}`);
}

export function registerConsumerSendBackProcessor(ctx: BrokerContext): void {
  ctx.server.registerProcessor(RequestCode.CONSUMER_SEND_MSG_BACK, (request) => sendBack(ctx, request));
}
