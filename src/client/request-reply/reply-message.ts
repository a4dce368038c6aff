/**
 * Request-reply messages (Java MessageUtil.createReplyMessage,
 * DefaultMQProducerImpl.prepareSendRequest, ClientRemotingProcessor.receiveReplyMessage,
 * ReplyMessageRequestHeader; rocketmq-all-4.9.8):
 * - a request carries CORRELATION_ID (a fresh UUID), REPLY_TO_CLIENT (the
 *   requester's client id) and TTL (its timeout, ms); the broker adds CLUSTER;
 * - a reply goes to `{CLUSTER}_REPLY_TOPIC` with MSG_TYPE=reply and the
 *   request's CORRELATION_ID, REPLY_TO_CLIENT and TTL, sent with
 *   SEND_REPLY_MESSAGE_V2; the broker pushes it to the requester
 *   (PUSH_REPLY_MESSAGE_TO_CLIENT, extFields = ReplyMessageRequestHeader).
 */
import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { MessageConst, MessageSysFlag, ProtocolError, decodeProperties, getErrorMessage } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { InvalidMessageError } from '../errors.js';
import type { Message } from '../message.js';
import type { MessageExt } from '../message-ext.js';

/** MixAll.REPLY_MESSAGE_FLAG: the MSG_TYPE of replies. */
export const REPLY_MESSAGE_FLAG = 'reply';
/** MixAll.REPLY_TOPIC_POSTFIX. */
export const REPLY_TOPIC_POSTFIX = 'REPLY_TOPIC';
/** MessageConst.PROPERTY_REPLY_MESSAGE_ARRIVE_TIME, set on a received reply. */
export const REPLY_ARRIVE_TIME = 'ARRIVE_TIME';
/** Where a reply message keeps its system properties (copied by object spread). */
export const REPLY_PROPERTIES: unique symbol = Symbol('orbitmq.replyProperties');

/** A reply built by createReplyMessage; send it with `producer.send`. */
export interface ReplyMessage extends Message {
  readonly [REPLY_PROPERTIES]: Readonly<Record<string, string>>;
}

/** MixAll.getReplyTopic. */
export function replyTopic(cluster: string): string {
  return `${cluster}_${REPLY_TOPIC_POSTFIX}`;
}

/** The reply to `request` (a received request message), with `body`. */
export function createReplyMessage(request: MessageExt, body: Buffer | Uint8Array | string): ReplyMessage {
  const p = request.properties;
  const cluster = p[MessageConst.PROPERTY_CLUSTER];
  if (cluster === undefined || cluster.length === 0) {
    throw new InvalidMessageError(`create reply message fail, requestMessage error, property[${MessageConst.PROPERTY_CLUSTER}] is null.`);
  }
  const props: Record<string, string> = { [MessageConst.PROPERTY_MESSAGE_TYPE]: REPLY_MESSAGE_FLAG };
  for (const k of [MessageConst.PROPERTY_CORRELATION_ID, MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT, MessageConst.PROPERTY_MESSAGE_TTL]) {
    const v = p[k];
    if (v !== undefined) props[k] = v;
  }
  return { topic: replyTopic(cluster), body, [REPLY_PROPERTIES]: props };
}

/** The system properties a reply adds when sent (undefined for other messages). */
export function replyProperties(message: Message): ReadonlyMap<string, string> | undefined {
  const props = (message as Partial<ReplyMessage>)[REPLY_PROPERTIES];
  return props === undefined ? undefined : new Map(Object.entries(props));
}

/** True when a property string marks a reply (MSG_TYPE=reply): MQClientAPIImpl sends it with SEND_REPLY_MESSAGE_V2. */
export function isReplyProperties(properties: string | undefined): boolean {
  if (properties === undefined || !properties.includes(`${MessageConst.PROPERTY_MESSAGE_TYPE}\u0001`)) return false;
  return decodeProperties(properties).get(MessageConst.PROPERTY_MESSAGE_TYPE) === REPLY_MESSAGE_FLAG;
}

/** The properties of a request: a fresh CORRELATION_ID, REPLY_TO_CLIENT and TTL. */
export function requestProperties(clientId: string, timeoutMs: number): { correlationId: string; props: Map<string, string> } {
  const correlationId = randomUUID();
  return {
    correlationId,
    props: new Map([
      [MessageConst.PROPERTY_CORRELATION_ID, correlationId],
      [MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT, clientId],
      [MessageConst.PROPERTY_MESSAGE_TTL, String(timeoutMs)],
    ]),
  };
}

function int(ext: Record<string, string>, k: string, fallback: number): number {
  const v = ext[k];
  if (v === undefined || v === '' || v === 'null') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ProtocolError(`bad ${k} in a reply push: ${v}`);
  return n;
}

/** A PUSH_REPLY_MESSAGE_TO_CLIENT request as the reply message (receiveReplyMessage). */
export function decodeReplyPush(req: RemotingCommand, now: number, brokerName = ''): MessageExt {
  const ext = req.extFields;
  const topic = ext.topic;
  if (topic === undefined) throw new ProtocolError('reply push without a topic');
  const sysFlag = int(ext, 'sysFlag', 0);
  let body = req.body ?? Buffer.alloc(0);
  if ((sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) {
    try {
      body = inflateSync(body);
    } catch (err: unknown) {
      throw new ProtocolError(`cannot inflate a reply body: ${getErrorMessage(err)}`, { cause: err });
    }
  }
  const props = Object.fromEntries(decodeProperties(ext.properties ?? '')) as Record<string, string>;
  props[REPLY_ARRIVE_TIME] = String(now);
  const keys = props[MessageConst.PROPERTY_KEYS];
  return {
    msgId: props[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? '',
    offsetMsgId: '',
    topic,
    brokerName,
    queueId: int(ext, 'queueId', 0),
    queueOffset: -1,
    commitLogOffset: -1,
    body,
    tags: props[MessageConst.PROPERTY_TAGS],
    keys: keys === undefined ? [] : keys.split(MessageConst.KEY_SEPARATOR).filter((k) => k.length > 0),
    properties: props,
    flag: int(ext, 'flag', 0),
    reconsumeTimes: int(ext, 'reconsumeTimes', 0),
    bornTimestamp: int(ext, 'bornTimestamp', 0),
    storeTimestamp: int(ext, 'storeTimestamp', 0),
    bornHost: ext.bornHost ?? '',
    storeHost: ext.storeHost ?? '',
    sysFlag,
    bodyCrc: 0,
    storeSize: 0,
    preparedTransactionOffset: 0,
  };
}

/** The CORRELATION_ID of a reply, if any. */
export function correlationIdOf(msg: MessageExt): string | undefined {
  return msg.properties[MessageConst.PROPERTY_CORRELATION_ID];
}
