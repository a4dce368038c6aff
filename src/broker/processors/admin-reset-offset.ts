/**
 * INVOKE_BROKER_TO_RESET_OFFSET (222): AdminBrokerProcessor.resetOffset →
 * Broker2Client.resetOffset (4.9.8). For each write queue of the topic the
 * offset at `timestamp` (-1 = the max offset) becomes the group's offset when
 * `isForce` or when it lies behind the committed one; the table goes to every
 * online client of the group as RESET_CONSUMER_CLIENT_OFFSET (220, oneway)
 * and back to the caller as the ResetOffsetBody.
 *
 * Unlike 4.9.8, the broker also commits the new offsets itself, so a reset
 * works for a group with no online consumer (Java answers CONSUMER_NOT_ONLINE
 * and mqadmin falls back to committing offsets client-side). A group with no
 * committed offsets on the topic, no online consumer and no subscription-group
 * config is refused as Java refuses an unknown group.
 */
import type { RemotingCommand } from '../../protocol/index.js';
import {
  FastJsonMap, RequestCode, ResetOffsetRequestHeader, ResponseCode, createRequest, createResponseFor, toFastJson,
} from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import type { MessageQueueJson } from './admin-support.js';
import { messageQueue, success } from './admin-support.js';

export function handleInvokeBrokerToResetOffset(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const h = ResetOffsetRequestHeader.decode(request.extFields);
  const tc = ctx.topics.get(h.topic);
  if (tc === undefined) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR,
      `[reset-offset] reset offset failed, no topic in this broker. topic=${h.topic}`);
  }
  const info = ctx.consumers.getConsumerGroupInfo(h.group);
  const channels = info?.allChannels() ?? [];
  const committed = ctx.offsets.queryOffsets(h.group, h.topic);
  if (committed.size === 0 && channels.length === 0 && ctx.groups.get(h.group) === undefined) {
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `THe consumer group <${h.group}> not exist`);
  }
  const offsetTable = new FastJsonMap<MessageQueueJson, number>();
  for (let i = 0; i < tc.writeQueueNums; i++) {
    const consumerOffset = ctx.offsets.queryOffset(h.group, h.topic, i);
    let target = h.timestamp === -1
      ? ctx.store.getMaxOffsetInQueue(h.topic, i)
      : ctx.store.getOffsetInQueueByTime(h.topic, i, h.timestamp);
    if (target < 0) target = 0;
    const offset = h.isForce || consumerOffset < 0 || target < consumerOffset ? target : consumerOffset;
    offsetTable.entries.push([messageQueue(ctx, h.topic, i), offset]);
    ctx.offsets.commitOffset(h.group, h.topic, i, offset);
  }
  const body = { offsetTable };
  for (const ch of channels) {
    if (!ch.isOpen) continue;
    const extFields = ResetOffsetRequestHeader.encode({ topic: h.topic, group: h.group, timestamp: h.timestamp, isForce: h.isForce });
    ch.invokeOneway(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { extFields, body: Buffer.from(toFastJson(body), 'utf8') }));
  }
  ctx.logger.info('consumer offsets reset by admin', {
    topic: h.topic, group: h.group, timestamp: h.timestamp, force: h.isForce, queues: offsetTable.size, clients: channels.length,
  });
  return success(request, body);
}
