/**
 * The HEART_BEAT (34) body and the per-connection client record built from it
 * (common/protocol/heartbeat/HeartbeatData.java, ConsumerData.java,
 * ProducerData.java, ConsumeType.java, MessageModel.java,
 * common/consumer/ConsumeFromWhere.java and broker/client/ClientChannelInfo.java,
 * 4.9.8; remoting.md §7).
 *
 * Java writes the body with fastjson (keys sorted, nulls omitted, enums by
 * name); ali-ons 3.12 writes the same keys in its own order and leaves out
 * `expressionType` in SubscriptionData. Every field is narrowed here; anything
 * of the wrong type throws InvalidArgumentError, which the remoting layer turns
 * into SYSTEM_ERROR.
 */
import { InvalidArgumentError, OrbitError } from '../../common/index.js';
import { parseRocketMQJson } from '../../protocol/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import { arr, asRecord, bool, str } from '../json-narrow.js';
import { parseSubscriptionData, type SubscriptionData } from '../subscription-data.js';

/** common/protocol/heartbeat/ConsumeType.java (CONSUME_POP is 5.x). */
export const ConsumeType = {
  CONSUME_ACTIVELY: 'CONSUME_ACTIVELY',
  CONSUME_PASSIVELY: 'CONSUME_PASSIVELY',
  CONSUME_POP: 'CONSUME_POP',
} as const;
export type ConsumeType = (typeof ConsumeType)[keyof typeof ConsumeType];

/** common/protocol/heartbeat/MessageModel.java. */
export const MessageModel = {
  BROADCASTING: 'BROADCASTING',
  CLUSTERING: 'CLUSTERING',
} as const;
export type MessageModel = (typeof MessageModel)[keyof typeof MessageModel];

/** common/consumer/ConsumeFromWhere.java (three values are deprecated but still sent by old clients). */
export const ConsumeFromWhere = {
  CONSUME_FROM_LAST_OFFSET: 'CONSUME_FROM_LAST_OFFSET',
  CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST: 'CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST',
  CONSUME_FROM_MIN_OFFSET: 'CONSUME_FROM_MIN_OFFSET',
  CONSUME_FROM_MAX_OFFSET: 'CONSUME_FROM_MAX_OFFSET',
  CONSUME_FROM_FIRST_OFFSET: 'CONSUME_FROM_FIRST_OFFSET',
  CONSUME_FROM_TIMESTAMP: 'CONSUME_FROM_TIMESTAMP',
} as const;
export type ConsumeFromWhere = (typeof ConsumeFromWhere)[keyof typeof ConsumeFromWhere];

/** ProducerData.java. */
export interface ProducerData {
  groupName: string;
}

/** ConsumerData.java. */
export interface ConsumerData {
  groupName: string;
  consumeType: ConsumeType;
  messageModel: MessageModel;
  consumeFromWhere: ConsumeFromWhere;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

/** HeartbeatData.java (4.9.8; the 5.x keys heartbeatFingerprint / withoutSub are ignored). */
export interface HeartbeatData {
  /** `{clientIP}@{instanceName}[@{unitName}]` for Java clients. */
  clientID: string;
  producerDataSet: ProducerData[];
  consumerDataSet: ConsumerData[];
}

/**
 * One client connection as the broker tracks it (ClientChannelInfo.java):
 * the channel, the heartbeat's clientID and the request header's language
 * name (e.g. `JAVA`) and version ordinal.
 */
export interface ClientChannelInfo {
  readonly channel: RemotingChannel;
  readonly clientId: string;
  readonly language: string;
  readonly version: number;
  /** Time of the latest heartbeat (ms). */
  lastUpdateTimestamp: number;
}

/** What a caller supplies to register a client; the manager stamps the time. */
export type ClientChannelInit = Omit<ClientChannelInfo, 'lastUpdateTimestamp'>;

/** body/Connection.java as admin bodies (ConsumerConnection, ProducerConnection) carry it. */
export interface ConnectionJson {
  clientAddr: string;
  clientId: string;
  language: string;
  version: number;
}

export function toConnection(info: ClientChannelInfo): ConnectionJson {
  return { clientAddr: info.channel.remoteAddress, clientId: info.clientId, language: info.language, version: info.version };
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, values: Readonly<Record<string, T>>, fallback: T): T {
  const v = o[key] === null ? fallback : str(o, key, fallback);
  for (const allowed of Object.values(values)) if (allowed === v) return allowed;
  throw new InvalidArgumentError(`field ${key} has unknown value ${JSON.stringify(v)}`);
}

function nonEmpty(o: Record<string, unknown>, key: string, what: string): string {
  const v = str(o, key);
  if (v.length === 0) throw new InvalidArgumentError(`${what}.${key} must not be empty`);
  return v;
}

export function parseProducerData(u: unknown): ProducerData {
  return { groupName: nonEmpty(asRecord(u, 'ProducerData'), 'groupName', 'ProducerData') };
}

/**
 * ConsumerData. Missing or null enums default as a Java DefaultMQPushConsumer
 * would (push, clustering, from last offset); unknown names are errors.
 */
export function parseConsumerData(u: unknown): ConsumerData {
  const o = asRecord(u, 'ConsumerData');
  return {
    groupName: nonEmpty(o, 'groupName', 'ConsumerData'),
    consumeType: oneOf(o, 'consumeType', ConsumeType, ConsumeType.CONSUME_PASSIVELY),
    messageModel: oneOf(o, 'messageModel', MessageModel, MessageModel.CLUSTERING),
    consumeFromWhere: oneOf(o, 'consumeFromWhere', ConsumeFromWhere, ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET),
    subscriptionDataSet: arr(o, 'subscriptionDataSet').map(parseSubscriptionData),
    unitMode: bool(o, 'unitMode', false),
  };
}

export function parseHeartbeatData(u: unknown): HeartbeatData {
  const o = asRecord(u, 'HeartbeatData');
  return {
    clientID: nonEmpty(o, 'clientID', 'HeartbeatData'),
    producerDataSet: arr(o, 'producerDataSet').map(parseProducerData),
    consumerDataSet: arr(o, 'consumerDataSet').map(parseConsumerData),
  };
}

/**
 * Parses a request body as (fastjson-tolerant) JSON. An absent or empty body
 * and malformed JSON throw InvalidArgumentError naming `what`.
 */
export function parseJsonBody(body: Buffer | undefined, what: string): unknown {
  if (body === undefined || body.length === 0) throw new InvalidArgumentError(`${what}: request body is empty`);
  try {
    return parseRocketMQJson(body.toString('utf8'));
  } catch (err: unknown) {
    if (err instanceof OrbitError) throw new InvalidArgumentError(`${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** HeartbeatData.decode(request.getBody(), HeartbeatData.class). */
export function decodeHeartbeatBody(body: Buffer | undefined): HeartbeatData {
  return parseHeartbeatData(parseJsonBody(body, 'HeartbeatData'));
}
