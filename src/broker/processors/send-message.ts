/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320)
 * (broker/processor/SendMessageProcessor.java and AbstractSendMessageProcessor.msgCheck,
 * 4.9.8): validation, automatic topic creation, store, response mapping.
 */
import type { MessageInput } from '../../common/index.js';
import { MessageConst, MessageSysFlag, decodeProperties, encodeProperties, findProperty, getErrorMessage, parseHostAddress, transactionType } from '../../common/index.js';
import type { RemotingCommand, SendMessageRequestHeader } from '../../protocol/index.js';
import { RequestCode, ResponseCode, SendMessageResponseHeader, createResponseFor, decodeBatchBody, decodeSendMessageRequestHeaderFor } from '../../protocol/index.js';
import type { RequestContext } from '../../remoting/index.js';
import type { PutMessageResult } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';
import { PermName, isWriteable } from '../../common/index.js';
import type { TopicConfig } from '../topic-config-manager.js';
import { V3_4_9, retryTarget } from '../retry-policy.js';
import { toScheduleTopic } from '../schedule-message-service.js';
import { requestedDeliveryTime } from '../timer/timer-message-service.js';
import { isNotAllowedSendTopic, isRetryTopic, topicNameProblem } from '../topic-validator.js';

type Reply = { code: number; remark: string } | { code: number; remark: undefined; header: Record<string, string> };

function fail(code: number, remark: string): Reply {
  return { code, remark };
}

/** AbstractSendMessageProcessor.msgCheck: returns the topic config, or the refusal. */
function msgCheck(ctx: BrokerContext, h: SendMessageRequestHeader, brokerAddr: string): TopicConfig | Reply {
  const problem = topicNameProblem(h.topic);
  if (problem !== undefined) return fail(ResponseCode.SYSTEM_ERROR, problem);
  if (!isWriteable(ctx.config.brokerPermission)) {
    return fail(ResponseCode.NO_PERMISSION, `the broker[${brokerAddr}] sending message is forbidden`);
  }
  if (isNotAllowedSendTopic(h.topic)) return fail(ResponseCode.NO_PERMISSION, `Sending message to topic[${h.topic}] is forbidden.`);
  let tc = ctx.topics.get(h.topic);
  if (tc === undefined) {
    const sysFlag = h.unitMode === true ? 1 : 0;
    if (isRetryTopic(h.topic)) {
      const group = h.topic.slice('%RETRY%'.length);
      const sub = ctx.groups.findOrCreate(group);
      if (sub !== undefined) tc = ctx.topics.ensure(h.topic, sub.retryQueueNums, PermName.PERM_READ | PermName.PERM_WRITE);
    } else {
      tc = ctx.topics.createFromTemplate(h.topic, h.defaultTopic, h.defaultTopicQueueNums, sysFlag);
    }
    if (tc !== undefined) ctx.registerBrokerAll();
    else return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
  }
  if (!isWriteable(tc.perm)) return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] sending message is forbidden`);
  const max = Math.max(tc.writeQueueNums, tc.readQueueNums);
  if (h.queueId >= max) {
    return fail(
      ResponseCode.SYSTEM_ERROR,
      `request queueId[${h.queueId}] is illegal, ${JSON.stringify(tc)} Producer: ${brokerAddr}`,
    );
  }
  return tc;
}

/** PutMessageResult → response (SendMessageProcessor.handlePutMessageResult). */
function mapPutResult(r: PutMessageResult, queueId: number): Reply {
  switch (r.status) {
    case 'PUT_OK':
    case 'FLUSH_DISK_TIMEOUT': {
      const header = SendMessageResponseHeader.encode({
        msgId: r.appendResult.msgIds.join(','),
        queueId,
        queueOffset: r.appendResult.logicsOffset,
      });
      return { code: r.status === 'PUT_OK' ? ResponseCode.SUCCESS : ResponseCode.FLUSH_DISK_TIMEOUT, remark: undefined, header };
    }
    case 'FLUSH_SLAVE_TIMEOUT':
      return fail(ResponseCode.FLUSH_SLAVE_TIMEOUT, 'flush slave timeout');
    case 'SLAVE_NOT_AVAILABLE':
      return fail(ResponseCode.SLAVE_NOT_AVAILABLE, 'slave not available');
    case 'CREATE_MAPEDFILE_FAILED':
      return fail(ResponseCode.SYSTEM_ERROR, 'create mapped file failed, server is busy or broken.');
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return fail(ResponseCode.MESSAGE_ILLEGAL, `the message is illegal, maybe msg body or properties length not matched: ${r.reason}`);
    case 'SERVICE_NOT_AVAILABLE':
      return fail(ResponseCode.SERVICE_NOT_AVAILABLE, `service not available now: ${r.reason}`);
    case 'OS_PAGECACHE_BUSY':
      return fail(ResponseCode.SYSTEM_ERROR, '[PC_SYNCHRONIZED]broker busy, start flow control for a while');
    case 'UNKNOWN_ERROR':
      return fail(ResponseCode.SYSTEM_ERROR, `UNKNOWN_ERROR: ${r.reason}`);
  }
}

/** The property string with CLUSTER added when missing, without parsing it. */
function withCluster(ctx: BrokerContext, raw: string): string {
  if (findProperty(raw, MessageConst.PROPERTY_CLUSTER) !== undefined) return raw;
  const trimmed = raw.endsWith('\u0002') ? raw.slice(0, -1) : raw;
  return `${trimmed}${trimmed.length > 0 ? '\u0002' : ''}${MessageConst.PROPERTY_CLUSTER}\u0001${ctx.config.brokerClusterName}`;
}

/** The stored property string: the client's properties plus CLUSTER (4.9 SendMessageProcessor). */
function storedProperties(ctx: BrokerContext, raw: string | undefined): { props: Map<string, string>; text: string } {
  const props = decodeProperties(raw ?? '');
  props.set(MessageConst.PROPERTY_CLUSTER, ctx.config.brokerClusterName);
  return { props, text: encodeProperties(props) };
}

async function handleSend(ctx: BrokerContext, request: RemotingCommand, rc: RequestContext): Promise<Reply> {
  const h = decodeSendMessageRequestHeaderFor(request.code, request.extFields);
  const tcOrReply = msgCheck(ctx, h, ctx.brokerAddr);
  if ('code' in tcOrReply) return tcOrReply;
  const tc = tcOrReply;
  const queueId = h.queueId < 0 ? Math.floor(Math.random() * tc.writeQueueNums) : h.queueId;
  const bornHost = safeHost(rc.channel.remoteAddress);
  const base = {
    topic: h.topic,
    queueId,
    bornTimestamp: h.bornTimestamp,
    bornHost,
    storeHost: ctx.storeHost,
    reconsumeTimes: h.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
  };
  if (request.code === RequestCode.SEND_BATCH_MESSAGE) {
    if (isRetryTopic(h.topic)) return fail(ResponseCode.MESSAGE_ILLEGAL, `batch request does not support retry group ${h.topic}`);
    let items;
    try {
      items = decodeBatchBody(request.body ?? Buffer.alloc(0));
    } catch (err: unknown) {
      return fail(ResponseCode.MESSAGE_ILLEGAL, `the batch body is malformed: ${getErrorMessage(err)}`);
    }
    if (items.length === 0) return fail(ResponseCode.MESSAGE_ILLEGAL, 'the batch is empty');
    const msgs: MessageInput[] = [];
    const sysFlag = h.sysFlag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    for (const it of items) {
      // The hot path of batched sends: look at the property string, re-encode nothing.
      if (Number(findProperty(it.properties, MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? '0') > 0) {
        return fail(ResponseCode.MESSAGE_ILLEGAL, 'a batch cannot hold delayed messages');
      }
      msgs.push({ ...base, flag: it.flag, body: it.body, properties: withCluster(ctx, it.properties), sysFlag });
    }
    const wait = findProperty(items[0]?.properties ?? '', MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== 'false';
    return mapPutResult(await ctx.store.putMessages(msgs, { waitStoreMsgOK: wait }), queueId);
  }

  const { props, text } = storedProperties(ctx, h.properties);
  let msg: MessageInput = { ...base, flag: h.flag, body: request.body ?? Buffer.alloc(0), properties: text, sysFlag: h.sysFlag };
  // A message re-sent by a consumer to its retry topic goes to the DLQ after the group's maximum (handleRetryAndDLQ).
  let delayLevel = Number.parseInt(props.get(MessageConst.PROPERTY_DELAY_TIME_LEVEL) ?? '0', 10) || 0;
  if (isRetryTopic(h.topic)) {
    const group = ctx.groups.findOrCreate(h.topic.slice('%RETRY%'.length));
    if (group === undefined) return fail(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${h.topic}`);
    const max = request.version >= V3_4_9 && h.maxReconsumeTimes !== undefined ? h.maxReconsumeTimes : group.retryMaxTimes;
    if ((h.reconsumeTimes ?? 0) >= max) {
      const target = retryTarget(ctx, group, h.reconsumeTimes ?? 0, -1, max);
      props.delete(MessageConst.PROPERTY_DELAY_TIME_LEVEL);
      delayLevel = 0;
      msg = { ...msg, topic: target.topic, queueId: target.queueId, properties: encodeProperties(props) };
    }
  }
  if (transactionType(h.sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE || props.get(MessageConst.PROPERTY_TRANSACTION_PREPARED) === 'true') {
    // A half message: parked in RMQ_SYS_TRANS_HALF_TOPIC until END_TRANSACTION or the check-back resolves it.
    msg = ctx.transactions.toHalf(msg, props);
  } else if (delayLevel > 0) {
    msg = toScheduleTopic(msg, props, delayLevel, ctx.schedule.maxLevel);
  } else {
    let deliverMs: number | undefined;
    try {
      deliverMs = requestedDeliveryTime(props, ctx.clock.now());
    } catch (err: unknown) {
      return fail(ResponseCode.MESSAGE_ILLEGAL, getErrorMessage(err));
    }
    if (deliverMs !== undefined) {
      if (deliverMs - ctx.clock.now() > ctx.timers.maxDelayMs) {
        return fail(ResponseCode.MESSAGE_ILLEGAL, `delivery time is more than ${ctx.timers.maxDelayMs / 1000} s away (timerMaxDelaySec)`);
      }
      if (deliverMs > ctx.clock.now()) msg = ctx.timers.park(msg, props, deliverMs);
    }
  }
  const wait = props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== 'false';
  return mapPutResult(await ctx.store.putMessage(msg, { waitStoreMsgOK: wait }), queueId);
}

function safeHost(addr: string): ReturnType<typeof parseHostAddress> {
  try {
    return parseHostAddress(addr);
  } catch {
    return { address: Uint8Array.of(127, 0, 0, 1), port: 0 };
  }
}

export function registerSendProcessors(ctx: BrokerContext): void {
  const processor = async (request: RemotingCommand, rc: RequestContext): Promise<RemotingCommand> => {
    const reply = await handleSend(ctx, request, rc);
    const extFields: Record<string, string> = {
      ...(reply.remark === undefined ? reply.header : {}),
      MSG_REGION: ctx.config.regionId,
      TRACE_ON: String(ctx.config.traceOn),
    };
    return createResponseFor(request, reply.code, reply.remark, { extFields });
  };
  ctx.server.registerProcessor(RequestCode.SEND_MESSAGE, processor);
  ctx.server.registerProcessor(RequestCode.SEND_MESSAGE_V2, processor);
  ctx.server.registerProcessor(RequestCode.SEND_BATCH_MESSAGE, processor);
}
