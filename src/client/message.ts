/**
 * What a producer sends: the `Message` input type, its validation
 * (Java `Validators.checkMessage`), the property string it travels with
 * (message-format.md §3/§4), body compression (§5) and the batch body (§6).
 */
import { deflateSync } from 'node:zlib';
import {
  MAX_PROPERTIES_LENGTH, MessageConst, MessageSysFlag, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, encodeProperties, utf8LongerThan,
} from '../common/index.js';
import { encodeBatchBody as encodeBatchItems, type BatchItem } from '../protocol/index.js';
import { InvalidMessageError, MessageTooLargeError } from './errors.js';

/** A message to send. Only `topic` and `body` are required. */
export interface Message {
  /** Topic: `[%|a-zA-Z0-9_-]`, at most 127 characters. */
  readonly topic: string;
  /** Payload; a string is sent as UTF-8. Must not be empty. */
  readonly body: Buffer | Uint8Array | string;
  /** One tag (property `TAGS`); consumers filter on it. */
  readonly tags?: string;
  /** Business keys (property `KEYS`, space-separated on the wire); brokers index them. */
  readonly keys?: string | readonly string[];
  /** User properties. Names RocketMQ reserves (KEYS, TAGS, UNIQ_KEY, ...) are refused. */
  readonly properties?: Readonly<Record<string, string>>;
  /** User flag (`Message.flag`), an int32. */
  readonly flag?: number;
  /** Delay level 1..18 of a 4.x broker's `messageDelayLevel` (property `DELAY`). */
  readonly delayLevel?: number;
  /**
   * Deliver at this time (epoch ms or Date): properties `TIMER_DELIVER_MS`
   * (RocketMQ 5.x timer messages) and `__STARTDELIVERTIME` (Aliyun style).
   * OrbitMQ's broker holds the message until then (1 s precision or better);
   * an Apache RocketMQ 4.x broker ignores both and delivers at once.
   */
  readonly deliverAt?: number | Date;
  /** Relative form of `deliverAt`: deliver this many ms after sending. */
  readonly delayMs?: number;
  /** Ordered send: messages with the same key go to the same queue (hash over the topic's queues). */
  readonly shardingKey?: string;
  /** Property `WAIT`: wait for flush/replication before the broker answers (default true). */
  readonly waitStoreMsgOK?: boolean;
}

/** Timer properties of RocketMQ 5.x (message-format.md §4). */
export const TIMER_DELIVER_MS = 'TIMER_DELIVER_MS';
export const START_DELIVER_TIME = '__STARTDELIVERTIME';

const TOPIC_RE = /^[%|a-zA-Z0-9_-]+$/;
const NOT_ALLOWED_SEND_TOPICS = new Set([
  'SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC', 'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT',
]);
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  ...Object.values(MessageConst).filter((v) => v !== MessageConst.KEY_SEPARATOR),
  TIMER_DELIVER_MS, START_DELIVER_TIME, 'TIMER_DELAY_SEC', 'TIMER_DELAY_MS', 'MSG_REGION', 'TRACE_ON',
]);

/** Topics that passed `checkTopic` (a producer sends to few): checked once, not per message. Bounded. */
const VALID_TOPICS = new Set<string>();
const MAX_VALID_TOPICS = 1024;

/** Topic name check (TopicValidator / Validators.checkTopic). */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0) throw new InvalidMessageError('topic is required');
  if (VALID_TOPICS.has(topic)) return topic;
  if (topic.length > 127) throw new InvalidMessageError(`topic "${topic.slice(0, 20)}..." is longer than 127 characters`);
  if (!TOPIC_RE.test(topic)) throw new InvalidMessageError(`topic "${topic}" has characters outside [%|a-zA-Z0-9_-]`);
  if (NOT_ALLOWED_SEND_TOPICS.has(topic)) throw new InvalidMessageError(`sending to system topic ${topic} is forbidden`);
  if (VALID_TOPICS.size >= MAX_VALID_TOPICS) VALID_TOPICS.clear();
  VALID_TOPICS.add(topic);
  return topic;
}

function checkText(what: string, s: string): void {
  if (s.includes('\u0001') || s.includes('\u0002')) throw new InvalidMessageError(`${what} must not contain \\u0001 or \\u0002`);
}

/** A message turned into wire form, before compression. */
export interface EncodedMessage {
  readonly topic: string;
  readonly body: Buffer;
  readonly flag: number;
  /** Properties including the system ones (TAGS, KEYS, WAIT, UNIQ_KEY, ...). */
  readonly properties: Map<string, string>;
}

/** Body as bytes. */
export function bodyBytes(body: Buffer | Uint8Array | string): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new InvalidMessageError('body must be a Buffer, Uint8Array or string');
}

/** Where `addProperties` puts properties, in order: a Map, or a property string being built. */
interface PropertySink {
  set(name: string, value: string): unknown;
}

/** The checks of a message's topic, body and flag (Validators.checkMessage). */
function checkedBody(msg: Message, maxMessageSize: number): Buffer {
  if (typeof msg !== 'object' || msg === null) throw new InvalidMessageError('message is required');
  checkTopic(msg.topic);
  const body = bodyBytes(msg.body);
  if (body.length === 0) throw new InvalidMessageError('message body length is zero');
  if (body.length > maxMessageSize) throw new MessageTooLargeError(body.length, maxMessageSize);
  return body;
}

function checkedFlag(msg: Message): number {
  const flag = msg.flag ?? 0;
  if (!Number.isInteger(flag) || flag < -0x80000000 || flag > 0x7fffffff) throw new InvalidMessageError('flag must be an int32');
  return flag;
}

/** The properties of `msg` (user ones first, then the system ones, UNIQ_KEY last), validated, into `props`. */
function addProperties(msg: Message, uniqId: string, now: number, props: PropertySink): void {
  if (msg.properties !== undefined) {
    for (const [k, v] of Object.entries(msg.properties)) {
      if (typeof v !== 'string') throw new InvalidMessageError(`property ${k} must be a string`);
      if (k.length === 0) throw new InvalidMessageError('property names must not be empty');
      if (RESERVED_PROPERTIES.has(k)) throw new InvalidMessageError(`property name ${k} is reserved by RocketMQ`);
      checkText(`property ${k}`, k);
      checkText(`property ${k}`, v);
      props.set(k, v);
    }
  }
  if (msg.tags !== undefined && msg.tags.length > 0) {
    checkText('tags', msg.tags);
    props.set(MessageConst.PROPERTY_TAGS, msg.tags);
  }
  if (msg.keys !== undefined) {
    const keys = typeof msg.keys === 'string' ? [msg.keys] : [...msg.keys];
    const keyList = keys.filter((k) => k.length > 0);
    if (keyList.length > 0) {
      for (const k of keyList) checkText('keys', k);
      props.set(MessageConst.PROPERTY_KEYS, keyList.join(MessageConst.KEY_SEPARATOR));
    }
  }
  props.set(MessageConst.PROPERTY_WAIT_STORE_MSG_OK, msg.waitStoreMsgOK === false ? 'false' : 'true');
  if (msg.delayLevel !== undefined && msg.delayLevel !== 0) {
    if (!Number.isInteger(msg.delayLevel) || msg.delayLevel < 0) throw new InvalidMessageError('delayLevel must be a non-negative integer');
    props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(msg.delayLevel));
  }
  let deliverAt: number | undefined;
  if (msg.deliverAt !== undefined) deliverAt = msg.deliverAt instanceof Date ? msg.deliverAt.getTime() : msg.deliverAt;
  else if (msg.delayMs !== undefined) {
    if (!Number.isSafeInteger(msg.delayMs) || msg.delayMs < 0) throw new InvalidMessageError('delayMs must be a non-negative integer');
    deliverAt = now + msg.delayMs;
  }
  if (deliverAt !== undefined) {
    if (!Number.isSafeInteger(deliverAt) || deliverAt < 0) throw new InvalidMessageError('deliverAt must be a valid time');
    props.set(TIMER_DELIVER_MS, String(deliverAt));
    props.set(START_DELIVER_TIME, String(deliverAt));
  }
  props.set(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, uniqId);
}

/**
 * Validates `msg` and builds its wire form (Validators.checkMessage plus the
 * property setters of Java `Message`). `uniqId` becomes `UNIQ_KEY`.
 */
export function encodeMessage(msg: Message, uniqId: string, maxMessageSize: number, now: number): EncodedMessage {
  const body = checkedBody(msg, maxMessageSize);
  const flag = checkedFlag(msg);
  const props = new Map<string, string>();
  addProperties(msg, uniqId, now, props);
  return { topic: msg.topic, body, flag, properties: props };
}

/**
 * The property string `encodeProperties` makes of a Map filled in order.
 * The names `addProperties` writes are distinct (user names cannot be the
 * reserved system ones, an object's own names are unique), so appending
 * gives the Map's string without the Map.
 */
class PropertyStringSink implements PropertySink {
  s = '';
  set(name: string, value: string): void {
    this.s = this.s.length === 0 ? name + NAME_VALUE_SEPARATOR + value : this.s + PROPERTY_SEPARATOR + name + NAME_VALUE_SEPARATOR + value;
  }
}
const stringSink = new PropertyStringSink();
const WAIT_TRUE_UNIQ = `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}${NAME_VALUE_SEPARATOR}true${PROPERTY_SEPARATOR}${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}${NAME_VALUE_SEPARATOR}`;
const WAIT_FALSE_UNIQ = `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}${NAME_VALUE_SEPARATOR}false${PROPERTY_SEPARATOR}${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}${NAME_VALUE_SEPARATOR}`;

/**
 * `encodeMessage` for a batch item: the same checks and the same property
 * string as `propertiesString(encodeMessage(...).properties)`, without the Map.
 */
export function encodeBatchItem(msg: Message, uniqId: string, maxMessageSize: number, now: number): BatchItem {
  const body = checkedBody(msg, maxMessageSize);
  const flag = checkedFlag(msg);
  if (msg.properties === undefined && (msg.tags === undefined || msg.tags.length === 0) && msg.keys === undefined &&
    (msg.delayLevel === undefined || msg.delayLevel === 0) && msg.deliverAt === undefined && msg.delayMs === undefined) {
    // What addProperties writes for such a message: WAIT, then UNIQ_KEY.
    return { flag, body, properties: (msg.waitStoreMsgOK === false ? WAIT_FALSE_UNIQ : WAIT_TRUE_UNIQ) + uniqId };
  }
  stringSink.s = '';
  let properties: string;
  try {
    addProperties(msg, uniqId, now, stringSink);
  } finally {
    properties = stringSink.s;
    stringSink.s = '';
  }
  return { flag, body, properties: checkedPropertiesLength(properties) };
}

/** The property string, checked against the 32767-byte limit of the stored record. */
export function propertiesString(props: ReadonlyMap<string, string>): string {
  return checkedPropertiesLength(encodeProperties(props));
}

/** `s` when its UTF-8 form fits the stored record's properties (32767 bytes). */
function checkedPropertiesLength(s: string): string {
  if (utf8LongerThan(s, MAX_PROPERTIES_LENGTH)) {
    throw new InvalidMessageError(`message properties exceed ${MAX_PROPERTIES_LENGTH} bytes`);
  }
  return s;
}

/**
 * Java `DefaultMQProducerImpl.tryToCompressMessage`: zlib level 5 when the
 * body is at least `threshold` bytes. Returns the body to send and the
 * sys-flag bits to add (COMPRESSED_FLAG; compression type bits 0 = zlib).
 */
export function maybeCompress(body: Buffer, threshold: number, level = 5): { body: Buffer; sysFlag: number } {
  if (body.length < threshold) return { body, sysFlag: 0 };
  return { body: deflateSync(body, { level }), sysFlag: MessageSysFlag.COMPRESSED_FLAG };
}

/**
 * The SEND_BATCH_MESSAGE body (MessageDecoder.encodeMessages, message-format.md §6):
 * per message TOTALSIZE, MAGICCODE 0, BODYCRC 0, FLAG, BODY, PROPERTIES.
 */
export function encodeBatchBody(items: readonly EncodedMessage[]): Buffer {
  return encodeBatchItems(items.map((it) => ({ flag: it.flag, body: it.body, properties: propertiesString(it.properties) })));
}
