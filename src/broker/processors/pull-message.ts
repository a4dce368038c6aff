/**
 * PULL_MESSAGE (11) (broker/processor/PullMessageProcessor.java, 4.9.8):
 * permission and subscription checks, the store read with tag or SQL92 filtering,
 * store status → response code, long polling when nothing was found, and the
 * offset commit piggy-backed on the pull.
 */
import type { RemotingCommand } from '../../protocol/index.js';
import { PullMessageRequestHeader, PullMessageResponseHeader, PullSysFlag, RequestCode, ResponseCode, createResponseFor } from '../../protocol/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import type { GetMessageResult } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';
import { isReadable } from '../../common/index.js';
import type { HeldPull } from '../pull-request-hold-service.js';
import type { SubscriptionData } from '../subscription-data.js';
import { buildSubscriptionData } from '../subscription-data.js';
import { pullMessageFilter } from '../filter/expression-message-filter.js';

const MASTER_ID = 0;

function reply(request: RemotingCommand, code: number, remark: string): RemotingCommand {
  return createResponseFor(request, code, remark);
}

/** Store status → response code (remoting.md §6.4). */
function codeFor(r: GetMessageResult, requestOffset: number): number {
  switch (r.status) {
    case 'FOUND':
      return ResponseCode.SUCCESS;
    case 'NO_MATCHED_MESSAGE':
    case 'MESSAGE_WAS_REMOVING':
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case 'OFFSET_FOUND_NULL':
    case 'OFFSET_OVERFLOW_ONE':
      return ResponseCode.PULL_NOT_FOUND;
    case 'OFFSET_OVERFLOW_BADLY':
    case 'OFFSET_TOO_SMALL':
      return ResponseCode.PULL_OFFSET_MOVED;
    case 'NO_MESSAGE_IN_QUEUE':
    case 'NO_MATCHED_LOGIC_QUEUE':
      return requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
  }
}

/**
 * Processes one pull. Returns the response, or undefined when the request is
 * held for long polling (its response is written later by the hold service).
 */
export function processPull(ctx: BrokerContext, request: RemotingCommand, channel: RemotingChannel, brokerAllowSuspend: boolean): RemotingCommand | undefined {
  const h = PullMessageRequestHeader.decode(request.extFields);
  if (!isReadable(ctx.config.brokerPermission)) {
    return reply(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerAddr}] pulling message is forbidden`);
  }
  const group = ctx.groups.findOrCreate(h.consumerGroup);
  if (group === undefined) {
    return reply(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group [${h.consumerGroup}] does not exist`);
  }
  if (!group.consumeEnable) return reply(request, ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
  const hasSuspend = (h.sysFlag & PullSysFlag.FLAG_SUSPEND) !== 0;
  const hasCommitOffset = (h.sysFlag & PullSysFlag.FLAG_COMMIT_OFFSET) !== 0;
  const hasSubscription = (h.sysFlag & PullSysFlag.FLAG_SUBSCRIPTION) !== 0;
  const suspendTimeoutMs = hasSuspend ? h.suspendTimeoutMillis : 0;

  const tc = ctx.topics.get(h.topic);
  if (tc === undefined) return reply(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
  if (!isReadable(tc.perm)) return reply(request, ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
  if (h.queueId < 0 || h.queueId >= tc.readQueueNums) {
    return reply(
      request,
      ResponseCode.SYSTEM_ERROR,
      `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${tc.readQueueNums}] consumer:[${channel.remoteAddress}]`,
    );
  }

  let sub: SubscriptionData | undefined;
  if (hasSubscription) {
    sub = buildSubscriptionData(h.topic, h.subscription, h.subVersion, h.expressionType ?? 'TAG');
  } else {
    const info = ctx.consumers.getConsumerGroupInfo(h.consumerGroup);
    if (info === undefined) return reply(request, ResponseCode.SUBSCRIPTION_NOT_EXIST, "the consumer's group info not exist");
    if (!group.consumeBroadcastEnable && info.messageModel === 'BROADCASTING') {
      return reply(request, ResponseCode.NO_PERMISSION, `the consumer group[${h.consumerGroup}] can not consume by broadcast way`);
    }
    sub = ctx.consumers.findSubscriptionData(h.consumerGroup, h.topic);
    if (sub === undefined) return reply(request, ResponseCode.SUBSCRIPTION_NOT_EXIST, "the consumer's subscription not exist");
    if (sub.subVersion < h.subVersion) return reply(request, ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
  }
  // TAG by consume-queue hash code; SQL92 on the stored record's properties (filter/expression-message-filter.ts).
  const pf = pullMessageFilter({
    consumers: ctx.consumers, enablePropertyFilter: ctx.config.enablePropertyFilter, group: h.consumerGroup, sub, subVersion: h.subVersion, fromRequest: hasSubscription,
  });
  if (!pf.ok) return reply(request, pf.code, pf.remark);

  const result = ctx.store.getMessage(h.topic, h.queueId, h.queueOffset, {
    maxMsgNums: Math.max(1, Math.min(h.maxMsgNums, 1024)),
    maxTotalBytes: ctx.config.maxPullBytes,
    filter: pf.filter,
  });
  const code = codeFor(result, h.queueOffset);
  const header = PullMessageResponseHeader.encode({
    suggestWhichBrokerId: result.suggestPullingFromSlave ? group.whichBrokerWhenConsumeSlowly : MASTER_ID,
    nextBeginOffset: result.nextBeginOffset,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
  });

  if (brokerAllowSuspend && hasCommitOffset && ctx.config.brokerRole !== 'SLAVE') {
    ctx.offsets.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
  }

  if (code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && hasSuspend) {
    const holdMs = ctx.config.longPollingEnable ? suspendTimeoutMs : ctx.config.shortPollingTimeMills;
    const held: HeldPull = {
      request,
      channel,
      topic: h.topic,
      queueId: h.queueId,
      pullFromThisOffset: h.queueOffset,
      subscription: sub,
      deadline: ctx.clock.now() + holdMs,
    };
    // The read and the hold run in one turn of the event loop: no arrival can slip between them.
    ctx.pullHold.suspend(held);
    return undefined;
  }

  if (code !== ResponseCode.SUCCESS) return createResponseFor(request, code, result.status, { extFields: header });
  // The stored records as they are: no joining copy (the connection writes the parts with one writev).
  const parts = joinAdjacent(result.messages);
  return createResponseFor(request, code, undefined, parts.length === 1 ? { extFields: header, body: parts[0] } : { extFields: header, bodyParts: parts });
}

/**
 * Views that lie back to back in one ArrayBuffer merged into one view each
 * (the store reads a pull's records into one buffer when it can), so a body
 * is as few parts as possible.
 */
export function joinAdjacent(views: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let first: Buffer | undefined;
  let end = 0;
  const close = (f: Buffer): void => {
    out.push(end === f.byteOffset + f.length ? f : Buffer.from(f.buffer, f.byteOffset, end - f.byteOffset));
  };
  for (const v of views) {
    if (first !== undefined && v.buffer === first.buffer && v.byteOffset === end) {
      end += v.length;
      continue;
    }
    if (first !== undefined) close(first);
    first = v;
    end = v.byteOffset + v.length;
  }
  if (first !== undefined) close(first);
  return out;
}

export function registerPullProcessor(ctx: BrokerContext): void {
  ctx.pullHold.setExecutor((held) => processPull(ctx, held.request, held.channel, false));
  ctx.server.registerProcessor(RequestCode.PULL_MESSAGE, (request, rc) => processPull(ctx, request, rc.channel, true));
}
