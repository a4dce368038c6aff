/**
 * Received messages: `MessageExt` and the decoder of PULL_MESSAGE /
 * QUERY_MESSAGE / CHECK_TRANSACTION_STATE bodies (concatenated stored records,
 * message-format.md §1; Java MessageDecoder.decodes), inflating bodies that
 * carry COMPRESSED_FLAG (§5).
 */
import { inflateSync } from 'node:zlib';
import {
  MessageConst, MessageSysFlag, ProtocolError, createOffsetMessageId, decodeProperties, decodeStoredMessage,
  formatHostAddress, getErrorMessage, storedMessageLength,
} from '../common/index.js';

/** A message as a consumer receives it (Java `MessageExt`). */
export interface MessageExt {
  /** The id users see: the producer's `UNIQ_KEY`, or `offsetMsgId` when absent. */
  readonly msgId: string;
  /** Broker-assigned id: store host + commit-log offset, hex. */
  readonly offsetMsgId: string;
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  /** The body, decompressed. */
  readonly body: Buffer;
  readonly tags: string | undefined;
  readonly keys: readonly string[];
  /** Every property, user and system (TAGS, KEYS, UNIQ_KEY, WAIT, ...). */
  readonly properties: Readonly<Record<string, string>>;
  readonly flag: number;
  readonly reconsumeTimes: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  /** `ip:port` of the producer as the broker saw it. */
  readonly bornHost: string;
  /** `ip:port` of the broker that stored it. */
  readonly storeHost: string;
  /** Stored sys flag (COMPRESSED_FLAG stays set although `body` is inflated). */
  readonly sysFlag: number;
  readonly bodyCrc: number;
  readonly storeSize: number;
  readonly preparedTransactionOffset: number;
}

const COMPRESSION_TYPE_MASK = 0x700;
const COMPRESSION_ZLIB = 0x300;

/** Decodes every record of `body`; throws ProtocolError on malformed data. */
export function decodeMessages(body: Buffer, brokerName: string): MessageExt[] {
  const out: MessageExt[] = [];
  const min = storedMessageLength(0, 0, 0, 0);
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < 8) throw new ProtocolError(`truncated message record at ${pos}`);
    const size = body.readInt32BE(pos);
    if (size < min || pos + size > body.length) throw new ProtocolError(`bad message record size ${size} at ${pos}`);
    out.push(decodeMessage(body.subarray(pos, pos + size), brokerName));
    pos += size;
  }
  return out;
}

/** Decodes one stored record (exactly `record.length` bytes). */
export function decodeMessage(record: Buffer, brokerName: string): MessageExt {
  let m;
  try {
    m = decodeStoredMessage(record, 0);
  } catch (err: unknown) {
    throw new ProtocolError(`malformed message record: ${getErrorMessage(err)}`, { cause: err });
  }
  const props = Object.fromEntries(decodeProperties(m.properties)) as Record<string, string>;
  let body = m.body;
  if ((m.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) {
    const type = m.sysFlag & COMPRESSION_TYPE_MASK;
    if (type !== 0 && type !== COMPRESSION_ZLIB) {
      throw new ProtocolError(`unsupported compression type 0x${type.toString(16)} (only zlib)`);
    }
    try {
      body = inflateSync(body);
    } catch (err: unknown) {
      throw new ProtocolError(`cannot inflate compressed body: ${getErrorMessage(err)}`, { cause: err });
    }
  }
  const offsetMsgId = createOffsetMessageId(m.storeHost, m.commitLogOffset);
  const keys = props[MessageConst.PROPERTY_KEYS];
  return {
    msgId: props[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? offsetMsgId,
    offsetMsgId,
    topic: m.topic,
    brokerName,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset,
    body,
    tags: props[MessageConst.PROPERTY_TAGS],
    keys: keys === undefined ? [] : keys.split(MessageConst.KEY_SEPARATOR).filter((k) => k.length > 0),
    properties: props,
    flag: m.flag,
    reconsumeTimes: m.reconsumeTimes,
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    bornHost: formatHostAddress(m.bornHost),
    storeHost: formatHostAddress(m.storeHost),
    sysFlag: m.sysFlag,
    bodyCrc: m.bodyCrc,
    storeSize: m.storeSize,
    preparedTransactionOffset: m.preparedTransactionOffset,
  };
}

/** User properties only: `properties` minus the names RocketMQ reserves. */
export function userProperties(msg: MessageExt): Record<string, string> {
  const reserved = new Set<string>(Object.values(MessageConst));
  for (const k of ['MSG_REGION', 'TRACE_ON', 'TIMER_DELIVER_MS', '__STARTDELIVERTIME']) reserved.add(k);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(msg.properties)) if (!reserved.has(k)) out[k] = v;
  return out;
}
