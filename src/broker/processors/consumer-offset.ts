/**
 * Offset requests (broker/processor/ConsumerManageProcessor.java and
 * AdminBrokerProcessor.java, 4.9.8): QUERY_CONSUMER_OFFSET (14) with
 * RocketMQ's rule for a brand-new group, UPDATE_CONSUMER_OFFSET (15),
 * GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), SEARCH_OFFSET_BY_TIMESTAMP (29)
 * and GET_EARLIEST_MSG_STORETIME (32).
 */
import type { RemotingCommand } from '../../protocol/index.js';
import {
  GetEarliestMsgStoretimeResponseHeader,
  GetOffsetRequestHeader,
  OffsetResponseHeader,
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  UpdateConsumerOffsetRequestHeader,
  createResponseFor,
} from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';

function queryConsumerOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = QueryConsumerOffsetRequestHeader.decode(request.extFields);
  const offset = ctx.offsets.queryOffset(h.consumerGroup, h.topic, h.queueId);
  if (offset >= 0) {
    return createResponseFor(request, ResponseCode.SUCCESS, undefined, { extFields: QueryConsumerOffsetResponseHeader.encode({ offset }) });
  }
  // A group that never committed: start from 0 while the queue still begins at
  // 0 and its first message is not far behind in the log; otherwise the client
  // applies its consume-from-where policy.
  const minOffset = ctx.store.getMinOffsetInQueue(h.topic, h.queueId);
  if (minOffset <= 0 && !ctx.store.checkInDiskByConsumeOffset(h.topic, h.queueId, 0)) {
    return createResponseFor(request, ResponseCode.SUCCESS, undefined, { extFields: QueryConsumerOffsetResponseHeader.encode({ offset: 0 }) });
  }
  return createResponseFor(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first');
}

function updateConsumerOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = UpdateConsumerOffsetRequestHeader.decode(request.extFields);
  ctx.offsets.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
  return createResponseFor(request, ResponseCode.SUCCESS);
}

function offsetReply(request: RemotingCommand, offset: number): RemotingCommand {
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, { extFields: OffsetResponseHeader.encode({ offset }) });
}

export function registerConsumerOffsetProcessors(ctx: BrokerContext): void {
  const s = ctx.server;
  s.registerProcessor(RequestCode.QUERY_CONSUMER_OFFSET, (r) => queryConsumerOffset(ctx, r));
  s.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, (r) => updateConsumerOffset(ctx, r));
  s.registerProcessor(RequestCode.GET_MAX_OFFSET, (r) => {
    const h = GetOffsetRequestHeader.decode(r.extFields);
    return offsetReply(r, ctx.store.getMaxOffsetInQueue(h.topic, h.queueId));
  });
  s.registerProcessor(RequestCode.GET_MIN_OFFSET, (r) => {
    const h = GetOffsetRequestHeader.decode(r.extFields);
    return offsetReply(r, ctx.store.getMinOffsetInQueue(h.topic, h.queueId));
  });
  s.registerProcessor(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, (r) => {
    const h = SearchOffsetRequestHeader.decode(r.extFields);
    return offsetReply(r, ctx.store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp));
  });
  s.registerProcessor(RequestCode.GET_EARLIEST_MSG_STORETIME, (r) => {
    const h = GetOffsetRequestHeader.decode(r.extFields);
    const ts = ctx.store.getEarliestMessageTime(h.topic, h.queueId);
    if (ts === undefined) return createResponseFor(r, ResponseCode.SYSTEM_ERROR, `no message in queue ${h.topic}:${h.queueId}`);
    return createResponseFor(r, ResponseCode.SUCCESS, undefined, { extFields: GetEarliestMsgStoretimeResponseHeader.encode({ timestamp: ts }) });
  });
}
