/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320)
 * (broker/processor/SendMessageProcessor.java and AbstractSendMessageProcessor.msgCheck,
 * 4.9.8): validation, automatic topic creation, store, response mapping.
 */
import type { HostAddress, MessageInput } from '../../common/index.js';
import {
  BATCH_LAYOUT_STRIDE,
  BatchLayout,
  MessageConst,
  MessageSysFlag,
  bytesAt,
  decodeProperties,
  encodeProperties,
  findPropertyValue,
  getErrorMessage,
  parseHostAddress,
  propertyValueEnd,
  transactionType,
} from '../../common/index.js';
import type { RemotingCommand, SendMessageRequestHeader } from '../../protocol/index.js';
import { RequestCode, ResponseCode, SendMessageResponseHeader, createResponseFor, decodeSendMessageRequestHeaderFor, scanBatchBody } from '../../protocol/index.js';
import type { RequestContext } from '../../remoting/index.js';
import type { PutMessageResult } from '../../store/index.js';
import type { BrokerContext } from '../broker-context.js';
import { PermName, isWriteable } from '../../common/index.js';
import type { TopicConfig } from '../topic-config-manager.js';
import { V3_4_9, retryTarget } from '../retry-policy.js';
import { toScheduleTopic } from '../schedule-message-service.js';
import { TimerProperty, requestedDeliveryTime } from '../timer/timer-message-service.js';
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
    if (tc !== undefined) ctx.registerTopic(tc);
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

/** The stored property string: the client's properties plus CLUSTER (4.9 SendMessageProcessor). */
function storedProperties(ctx: BrokerContext, raw: string | undefined): { props: Map<string, string>; text: string } {
  const props = decodeProperties(raw ?? '');
  props.set(MessageConst.PROPERTY_CLUSTER, ctx.config.brokerClusterName);
  return { props, text: encodeProperties(props) };
}

/** Properties whose presence sends a single message down the full path (DLQ, transaction, delay, timer). */
const SPECIAL_PROPERTIES: ReadonlySet<string> = new Set([
  MessageConst.PROPERTY_CLUSTER,
  MessageConst.PROPERTY_DELAY_TIME_LEVEL,
  MessageConst.PROPERTY_TRANSACTION_PREPARED,
  TimerProperty.TIMER_DELIVER_MS,
  TimerProperty.START_DELIVER_TIME,
  TimerProperty.TIMER_DELAY_SEC,
  TimerProperty.TIMER_DELAY_MS,
]);
const MAX_FAST_PROPERTIES = 16;

/**
 * storedProperties for the common single message, without building a map:
 * when every pair is well formed, names are distinct and none is special,
 * decode + set CLUSTER + encode is the string itself (less a trailing
 * separator) plus CLUSTER. Undefined when that does not hold.
 */
export function plainStoredProperties(raw: string, cluster: string): { text: string; wait: boolean } | undefined {
  let wait = true;
  const names: string[] = [];
  let end = raw.length;
  if (end > 0 && raw.charCodeAt(end - 1) === 2) end--;
  // Another separator there ends in an empty pair, which the map path drops.
  if (end > 0 && raw.charCodeAt(end - 1) === 2) return undefined;
  for (let s = 0; s < end; ) {
    let e = raw.indexOf('\u0002', s);
    if (e < 0 || e > end) e = end;
    const sep = raw.indexOf('\u0001', s);
    if (sep <= s || sep >= e - 1 || names.length >= MAX_FAST_PROPERTIES) return undefined;
    const name = raw.slice(s, sep);
    if (SPECIAL_PROPERTIES.has(name) || names.includes(name)) return undefined;
    names.push(name);
    if (name === MessageConst.PROPERTY_WAIT_STORE_MSG_OK) wait = raw.slice(sep + 1, e) !== 'false';
    s = e + 1;
  }
  const trimmed = end === raw.length ? raw : raw.slice(0, end);
  const text = `${trimmed}${trimmed.length > 0 ? '\u0002' : ''}${MessageConst.PROPERTY_CLUSTER}\u0001${cluster}`;
  return { text, wait };
}

/**
 * Batch layouts are views of this scratch: handleBatch hands the layout to
 * putMessageBatch before its first await, and the store reads it only during
 * that call.
 */
let layoutScratch = new Int32Array(256 * BATCH_LAYOUT_STRIDE);
const MAX_SCRATCH = 4096 * BATCH_LAYOUT_STRIDE;

/** The CLUSTER property as bytes to append to a batch message's properties: [with a leading separator, without]. */
let clusterSuffix: { readonly cluster: string; readonly bytes: readonly Uint8Array[] } | undefined;

function clusterSuffixes(cluster: string): readonly Uint8Array[] {
  if (clusterSuffix?.cluster !== cluster) {
    const pair = `${MessageConst.PROPERTY_CLUSTER}\u0001${cluster}`;
    clusterSuffix = { cluster, bytes: [Buffer.from(`\u0002${pair}`, 'utf8'), Buffer.from(pair, 'utf8')] };
  }
  return clusterSuffix.bytes;
}

const CLUSTER_NAME = Buffer.from(MessageConst.PROPERTY_CLUSTER, 'latin1');
const DELAY_NAME = Buffer.from(MessageConst.PROPERTY_DELAY_TIME_LEVEL, 'latin1');
const WAIT_NAME = Buffer.from(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'latin1');
const EMPTY = Buffer.alloc(0);

/** Exported for tests. */
export const HAS_CLUSTER = 1;
const HAS_DELAY = 2;

/**
 * One pass over the pairs of data[start, end): HAS_CLUSTER when findProperty
 * would find a CLUSTER value, HAS_DELAY when a DELAY pair may have one (the
 * caller reads it with propertyIn, as rare as delayed batch messages are).
 */
export function clusterAndDelay(data: Buffer, start: number, end: number): number {
  let found = 0;
  let clusterSeen = false;
  for (let s = start; s < end; ) {
    let e = s;
    while (e < end && data[e] !== 2) e++;
    // Name then 0x01: CLUSTER is 7 letters, DELAY 5. As findProperty, only
    // the first CLUSTER pair counts, and only with a non-empty value.
    if (!clusterSeen && s + 7 < end && data[s + 7] === 1 && data[s] === 0x43 && bytesAt(data, s, CLUSTER_NAME)) {
      clusterSeen = true;
      if (e > s + 8) found |= HAS_CLUSTER;
    } else if (e > s + 6 && data[s + 5] === 1 && data[s] === 0x44 && bytesAt(data, s, DELAY_NAME)) {
      found |= HAS_DELAY;
    }
    s = e + 1;
  }
  return found;
}

/** The value of a property in data[start, end), decoded; undefined when absent or empty (findProperty). */
function propertyIn(data: Buffer, start: number, end: number, name: Uint8Array): string | undefined {
  const v = findPropertyValue(data, start, end, name);
  return v < 0 ? undefined : data.toString('utf8', v, propertyValueEnd(data, v, end));
}

/**
 * SEND_BATCH_MESSAGE: the body's messages go to the store as byte ranges of
 * the request body; each one's properties get CLUSTER appended when missing,
 * as bytes (no property string is decoded or built).
 */
async function handleBatch(ctx: BrokerContext, h: SendMessageRequestHeader, request: RemotingCommand, queueId: number, bornHost: HostAddress): Promise<Reply> {
  if (isRetryTopic(h.topic)) return fail(ResponseCode.MESSAGE_ILLEGAL, `batch request does not support retry group ${h.topic}`);
  const data = request.body ?? EMPTY;
  let layout: Int32Array;
  try {
    layout = scanBatchBody(data, undefined, layoutScratch);
  } catch (err: unknown) {
    return fail(ResponseCode.MESSAGE_ILLEGAL, `the batch body is malformed: ${getErrorMessage(err)}`);
  }
  const count = layout.length / BATCH_LAYOUT_STRIDE;
  if (count === 0) return fail(ResponseCode.MESSAGE_ILLEGAL, 'the batch is empty');
  if (layout.length > layoutScratch.length) layoutScratch = new Int32Array(Math.min(layout.length * 2, MAX_SCRATCH));
  const firstStart = layout[BatchLayout.PROPERTIES_START] ?? 0;
  const wait = propertyIn(data, firstStart, firstStart + (layout[BatchLayout.PROPERTIES_LENGTH] ?? 0), WAIT_NAME) !== 'false';
  for (let o = 0; o < layout.length; o += BATCH_LAYOUT_STRIDE) {
    const start = layout[o + BatchLayout.PROPERTIES_START] ?? 0;
    const length = layout[o + BatchLayout.PROPERTIES_LENGTH] ?? 0;
    const end = start + length;
    const found = clusterAndDelay(data, start, end);
    if ((found & HAS_DELAY) !== 0 && Number(propertyIn(data, start, end, DELAY_NAME) ?? '0') > 0) {
      return fail(ResponseCode.MESSAGE_ILLEGAL, 'a batch cannot hold delayed messages');
    }
    if ((found & HAS_CLUSTER) === 0) {
      // As `${raw less one trailing separator}${separator if non-empty}CLUSTER\u0001name`.
      const own = length > 0 && data[end - 1] === 2 ? length - 1 : length;
      layout[o + BatchLayout.PROPERTIES_LENGTH] = own;
      layout[o + BatchLayout.SUFFIX] = own > 0 ? 0 : 1;
    }
  }
  const r = await ctx.store.putMessageBatch(
    {
      topic: h.topic,
      queueId,
      sysFlag: h.sysFlag & ~MessageSysFlag.TRANSACTION_ROLLBACK_TYPE,
      bornTimestamp: h.bornTimestamp,
      bornHost,
      storeHost: ctx.storeHost,
      reconsumeTimes: h.reconsumeTimes ?? 0,
      data,
      layout,
      count,
      suffixes: clusterSuffixes(ctx.config.brokerClusterName),
    },
    { waitStoreMsgOK: wait },
  );
  return mapPutResult(r, queueId);
}

async function handleSend(ctx: BrokerContext, request: RemotingCommand, rc: RequestContext): Promise<Reply> {
  const h = decodeSendMessageRequestHeaderFor(request.code, request.extFields);
  const tcOrReply = msgCheck(ctx, h, ctx.brokerAddr);
  if ('code' in tcOrReply) return tcOrReply;
  const tc = tcOrReply;
  const queueId = h.queueId < 0 ? Math.floor(Math.random() * tc.writeQueueNums) : h.queueId;
  const bornHost = safeHost(rc.channel.remoteAddress);
  if (request.code === RequestCode.SEND_BATCH_MESSAGE) return handleBatch(ctx, h, request, queueId, bornHost);
  const base = {
    topic: h.topic,
    queueId,
    bornTimestamp: h.bornTimestamp,
    bornHost,
    storeHost: ctx.storeHost,
    reconsumeTimes: h.reconsumeTimes ?? 0,
    preparedTransactionOffset: 0,
  };
  const body = request.body ?? EMPTY;
  if (!isRetryTopic(h.topic) && transactionType(h.sysFlag) !== MessageSysFlag.TRANSACTION_PREPARED_TYPE) {
    const plain = plainStoredProperties(h.properties ?? '', ctx.config.brokerClusterName);
    if (plain !== undefined) {
      const msg: MessageInput = { ...base, flag: h.flag, body, properties: plain.text, sysFlag: h.sysFlag };
      return mapPutResult(await ctx.store.putMessage(msg, { waitStoreMsgOK: plain.wait }), queueId);
    }
  }

  const { props, text } = storedProperties(ctx, h.properties);
  let msg: MessageInput = { ...base, flag: h.flag, body, properties: text, sysFlag: h.sysFlag };
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

/** Parsed client addresses: a connection sends many requests. */
const hostCache = new Map<string, HostAddress>();

function safeHost(addr: string): HostAddress {
  let host = hostCache.get(addr);
  if (host === undefined) {
    try {
      host = parseHostAddress(addr);
    } catch {
      host = { address: Uint8Array.of(127, 0, 0, 1), port: 0 };
    }
    if (hostCache.size >= 4096) hostCache.clear();
    hostCache.set(addr, host);
  }
  return host;
}

export function registerSendProcessors(ctx: BrokerContext): void {
  const processor = async (request: RemotingCommand, rc: RequestContext): Promise<RemotingCommand> => {
    const reply = await handleSend(ctx, request, rc);
    const extFields: Record<string, string> = reply.remark === undefined ? reply.header : {};
    extFields.MSG_REGION = ctx.config.regionId;
    extFields.TRACE_ON = String(ctx.config.traceOn);
    return createResponseFor(request, reply.code, reply.remark, { extFields });
  };
  ctx.server.registerProcessor(RequestCode.SEND_MESSAGE, processor);
  ctx.server.registerProcessor(RequestCode.SEND_MESSAGE_V2, processor);
  ctx.server.registerProcessor(RequestCode.SEND_BATCH_MESSAGE, processor);
}
