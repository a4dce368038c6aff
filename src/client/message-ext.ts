/**
 * Received messages: `MessageExt` and the decoder of PULL_MESSAGE /
 * QUERY_MESSAGE / CHECK_TRANSACTION_STATE bodies (concatenated stored records,
 * message-format.md §1; Java MessageDecoder.decodes), inflating bodies that
 * carry COMPRESSED_FLAG (§5).
 */
import { inflateSync } from 'node:zlib';
import {
  MessageConst, MessageSysFlag, OffsetMessageIdEncoder, ProtocolError, RECORD_FIELD_COUNT, RecordField, decodePropertyRecord, formatHostAddress,
  getErrorMessage, locateRecordFields, readHost, readInt64BE, storedMessageLength,
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
const MIN_RECORD = storedMessageLength(0, 0, 0, 0);
/** `keys` of every message without KEYS (shared: one less allocation per message). */
const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * Per-body memo of the strings that repeat from record to record (topic,
 * hosts, the offset-id prefix of a store host), so a batch of records from
 * one producer and broker formats each of them once.
 */
class RecordStrings {
  private topicAt = -1;
  private topicLen = -1;
  private topic = '';
  private bornIp = -1;
  private bornPort = -1;
  private born = '';
  private storeIp = -1;
  private storePort = -1;
  private store = '';
  private ids: OffsetMessageIdEncoder | undefined;

  constructor(private readonly buf: Buffer) {}

  topicOf(at: number, len: number): string {
    const buf = this.buf;
    if (len === this.topicLen && buf.compare(buf, this.topicAt, this.topicAt + len, at, at + len) === 0) return this.topic;
    this.topicAt = at;
    this.topicLen = len;
    this.topic = buf.toString('utf8', at, at + len);
    return this.topic;
  }

  bornHost(at: number, v6: boolean): string {
    if (v6) return formatHostAddress(readHost(this.buf, at, true));
    const ip = this.buf.readUInt32BE(at);
    const port = this.buf.readInt32BE(at + 4);
    if (ip !== this.bornIp || port !== this.bornPort) {
      this.bornIp = ip;
      this.bornPort = port;
      this.born = formatHostAddress(readHost(this.buf, at, false));
    }
    return this.born;
  }

  /** The store host string; sets `offsetIds` for it. */
  storeHost(at: number, v6: boolean): string {
    if (v6) {
      const h = readHost(this.buf, at, true);
      this.storeIp = -1;
      this.ids = new OffsetMessageIdEncoder(h);
      return formatHostAddress(h);
    }
    const ip = this.buf.readUInt32BE(at);
    const port = this.buf.readInt32BE(at + 4);
    if (ip !== this.storeIp || port !== this.storePort || this.ids === undefined) {
      this.storeIp = ip;
      this.storePort = port;
      const h = readHost(this.buf, at, false);
      this.store = formatHostAddress(h);
      this.ids = new OffsetMessageIdEncoder(h);
    }
    return this.store;
  }

  offsetMsgId(commitLogOffset: number): string {
    if (this.ids === undefined) throw new ProtocolError('store host not decoded');
    return this.ids.encode(commitLogOffset);
  }
}

/**
 * Decodes every record of `body`; throws ProtocolError on malformed data.
 * Message bodies are views into `body` (not copies) unless inflated.
 */
export function decodeMessages(body: Buffer, brokerName: string): MessageExt[] {
  const out: MessageExt[] = [];
  const strings = new RecordStrings(body);
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < 8) throw new ProtocolError(`truncated message record at ${pos}`);
    const size = body.readInt32BE(pos);
    if (size < MIN_RECORD || pos + size > body.length) throw new ProtocolError(`bad message record size ${size} at ${pos}`);
    out.push(decodeRecord(body, pos, pos + size, brokerName, strings));
    pos += size;
  }
  return out;
}

/** Decodes one stored record (exactly `record.length` bytes); its body is a view into `record` unless inflated. */
export function decodeMessage(record: Buffer, brokerName: string): MessageExt {
  if (record.length < MIN_RECORD) throw new ProtocolError(`malformed message record: ${record.length} bytes`);
  return decodeRecord(record, 0, record.length, brokerName, new RecordStrings(record));
}

const fields = new Int32Array(RECORD_FIELD_COUNT);

/** The record in `buf[pos, end)` (MessageDecoder.decode; layout in common/stored-message.ts). */
function decodeRecord(buf: Buffer, pos: number, end: number, brokerName: string, strings: RecordStrings): MessageExt {
  locateRecordFields(buf, pos, end, fields);
  const sysFlag = fields[RecordField.SYS_FLAG] ?? 0;
  const bornHost = strings.bornHost(fields[RecordField.BORN_HOST] ?? 0, (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0);
  const storeTimestamp = readInt64BE(buf, fields[RecordField.STORE_TIMESTAMP] ?? 0);
  const storeHost = strings.storeHost(fields[RecordField.STORE_HOST] ?? 0, (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0);
  const reconsumeAt = fields[RecordField.RECONSUME_TIMES] ?? 0;
  const reconsumeTimes = buf.readInt32BE(reconsumeAt);
  const preparedTransactionOffset = readInt64BE(buf, reconsumeAt + 4);
  const bodyAt = fields[RecordField.BODY] ?? 0;
  let body = buf.subarray(bodyAt, bodyAt + (fields[RecordField.BODY_LENGTH] ?? 0));
  const topic = strings.topicOf(fields[RecordField.TOPIC] ?? 0, fields[RecordField.TOPIC_LENGTH] ?? 0);
  const propertiesAt = fields[RecordField.PROPERTIES] ?? 0;
  const propertiesLength = fields[RecordField.PROPERTIES_LENGTH] ?? 0;
  const props = propertiesLength === 0 ? {} : decodePropertyRecord(buf.toString('utf8', propertiesAt, propertiesAt + propertiesLength));
  if ((sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) {
    const type = sysFlag & COMPRESSION_TYPE_MASK;
    if (type !== 0 && type !== COMPRESSION_ZLIB) {
      throw new ProtocolError(`unsupported compression type 0x${type.toString(16)} (only zlib)`);
    }
    try {
      body = inflateSync(body);
    } catch (err: unknown) {
      throw new ProtocolError(`cannot inflate compressed body: ${getErrorMessage(err)}`, { cause: err });
    }
  }
  const commitLogOffset = readInt64BE(buf, pos + 28);
  const offsetMsgId = strings.offsetMsgId(commitLogOffset);
  const keys = props[MessageConst.PROPERTY_KEYS];
  return {
    msgId: props[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] ?? offsetMsgId,
    offsetMsgId,
    topic,
    brokerName,
    queueId: buf.readInt32BE(pos + 12),
    queueOffset: readInt64BE(buf, pos + 20),
    commitLogOffset,
    body,
    tags: props[MessageConst.PROPERTY_TAGS],
    keys: keys === undefined ? NO_KEYS : keys.split(MessageConst.KEY_SEPARATOR).filter((k) => k.length > 0),
    properties: props,
    flag: buf.readInt32BE(pos + 16),
    reconsumeTimes,
    bornTimestamp: readInt64BE(buf, pos + 40),
    storeTimestamp,
    bornHost,
    storeHost,
    sysFlag,
    bodyCrc: buf.readInt32BE(pos + 8),
    storeSize: buf.readInt32BE(pos),
    preparedTransactionOffset,
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
