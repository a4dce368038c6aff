/**
 * SEND_REPLY_MESSAGE (324) / SEND_REPLY_MESSAGE_V2 (325)
 * (broker/processor/ReplyMessageProcessor.java, 4.9.8): request-reply over
 * the queue. The replier sends a reply (topic `{cluster}_REPLY_TOPIC`,
 * properties CORRELATION_ID and REPLY_TO_CLIENT); the broker pushes it at once
 * to the requesting client's channel with PUSH_REPLY_MESSAGE_TO_CLIENT (326)
 * and, as storeReplyMessageEnable (default true) asks, also stores it.
 */
import type { MessageInput } from '../../common/index.js';
import { MessageConst, decodeProperties, encodeProperties, formatHostAddress, getErrorMessage, parseHostAddress } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { RequestCode, ResponseCode, SendMessageResponseHeader, createRequest, createResponseFor, decodeSendMessageRequestHeaderFor } from '../../protocol/index.js';
import type { RequestContext } from '../../remoting/index.js';
import { isPutOk } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';

export const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';
const PUSH_TIMEOUT_MS = 3000;

async function reply(ctx: BrokerContext, request: RemotingCommand, rc: RequestContext): Promise<RemotingCommand> {
  const h = decodeSendMessageRequestHeaderFor(request.code, request.extFields);
  const tc = ctx.topics.get(h.topic);
  if (tc === undefined) return createResponseFor(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
  const props = decodeProperties(h.properties ?? '');
  props.set(MessageConst.PROPERTY_CLUSTER, ctx.config.brokerClusterName);
  const queueId = h.queueId < 0 || h.queueId >= tc.writeQueueNums ? 0 : h.queueId;
  let bornHost;
  try {
    bornHost = parseHostAddress(rc.channel.remoteAddress);
  } catch {
    bornHost = ctx.storeHost;
  }
  const msg: MessageInput = {
    topic: h.topic,
    queueId,
    flag: h.flag,
    body: request.body ?? Buffer.alloc(0),
    properties: encodeProperties(props),
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    bornHost,
    storeHost: ctx.storeHost,
    reconsumeTimes: h.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
  };

  // pushReplyMessage: to the requester's channel, found by its client id.
  const senderId = props.get(MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT);
  const channel = senderId === undefined ? undefined : ctx.producers.findChannel(senderId);
  let pushError: string | undefined;
  if (channel === undefined) {
    pushError = `push reply message fail, channel of <${senderId ?? ''}> not found.`;
  } else {
    const push = createRequest(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, {
      extFields: {
        ...request.extFields,
        ...(request.code === RequestCode.SEND_REPLY_MESSAGE_V2 ? v1Fields(h) : {}),
        properties: msg.properties,
        bornHost: formatHostAddress(bornHost),
        storeHost: ctx.brokerAddr,
        storeTimestamp: String(ctx.clock.now()),
      },
      body: msg.body instanceof Buffer ? msg.body : Buffer.from(msg.body),
    });
    try {
      const res = await channel.invoke(push, PUSH_TIMEOUT_MS);
      if (res.code !== ResponseCode.SUCCESS) pushError = `push reply message fail: ${res.remark ?? res.code}`;
    } catch (err: unknown) {
      pushError = `push reply message fail: ${getErrorMessage(err)}`;
    }
  }
  if (pushError !== undefined) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, pushError);
  const r = await ctx.store.putMessage(msg, { waitStoreMsgOK: false });
  if (!isPutOk(r)) return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `reply pushed, but storing it failed: ${r.status}`);
  return createResponseFor(request, ResponseCode.SUCCESS, undefined, {
    extFields: SendMessageResponseHeader.encode({ msgId: r.appendResult.msgIds.join(','), queueId, queueOffset: r.appendResult.logicsOffset }),
  });
}

/** The v1 field names of a V2 header, which the client's ReplyMessageRequestHeader reads. */
function v1Fields(h: ReturnType<typeof decodeSendMessageRequestHeaderFor>): Record<string, string> {
  const out: Record<string, string> = {
    producerGroup: h.producerGroup,
    topic: h.topic,
    defaultTopic: h.defaultTopic,
    defaultTopicQueueNums: String(h.defaultTopicQueueNums),
    queueId: String(h.queueId),
    sysFlag: String(h.sysFlag),
    bornTimestamp: String(h.bornTimestamp),
    flag: String(h.flag),
    reconsumeTimes: String(h.reconsumeTimes ?? 0),
    unitMode: String(h.unitMode ?? false),
  };
  return out;
}

export function registerReplyProcessor(ctx: BrokerContext): void {
  const p = (request: RemotingCommand, rc: RequestContext): Promise<RemotingCommand> => reply(ctx, request, rc);
  ctx.server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE, p);
  ctx.server.registerProcessor(RequestCode.SEND_REPLY_MESSAGE_V2, p);
}
