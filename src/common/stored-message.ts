/**
 * The stored message record: what the CommitLog holds and what PULL_MESSAGE,
 * QUERY_MESSAGE and VIEW_MESSAGE_BY_ID return. Byte layout (big-endian),
 * mirroring org.apache.rocketmq.common.message.MessageDecoder and
 * store/CommitLog.java (rocketmq-all-4.9.8), magic V1:
 *
 *   0  TOTALSIZE int32        | 4  MAGICCODE int32       | 8  BODYCRC int32
 *   12 QUEUEID int32          | 16 FLAG int32            | 20 QUEUEOFFSET int64
 *   28 PHYSICALOFFSET int64   | 36 SYSFLAG int32         | 40 BORNTIMESTAMP int64
 *   48 BORNHOST 4+4 (16+4 if sysflag 0x10)
 *   .. STORETIMESTAMP int64   | STOREHOST 4+4 (16+4 if sysflag 0x20)
 *   .. RECONSUMETIMES int32   | PREPARED TRANSACTION OFFSET int64
 *   .. BODY int32 len + bytes | TOPIC int8 len + bytes | PROPERTIES int16 len + bytes
 */
import { crc32 } from 'node:zlib';
import type { HostAddress } from './host.js';
import { BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE, MessageSysFlag } from './message-const.js';
import { ProtocolError } from './errors.js';
import { readInt64BE } from './int64.js';

export const QUEUE_OFFSET_POSITION = 20;
export const PHYSICAL_OFFSET_POSITION = 28;
export const SYSFLAG_POSITION = 36;
export const BORN_TIMESTAMP_POSITION = 40;
/** Maximum topic length for the V1 record (1-byte length). */
export const MAX_TOPIC_LENGTH = 127;
export const MAX_PROPERTIES_LENGTH = 32767;

/**
 * Whether the UTF-8 form of `s` is longer than `maxBytes` (the record's
 * topic and properties limits). A UTF-16 code unit is at most 3 UTF-8 bytes,
 * so a short string needs no byte count.
 */
export function utf8LongerThan(s: string, maxBytes: number): boolean {
  return s.length * 3 > maxBytes && Buffer.byteLength(s, 'utf8') > maxBytes;
}

/** A message to be appended; the store assigns offsets, store time and CRC. */
export interface MessageInput {
  readonly topic: string;
  readonly queueId: number;
  readonly flag: number;
  readonly body: Uint8Array;
  /** The encoded property string (see properties.ts). */
  readonly properties: string;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
}

/**
 * A batch whose messages share topic, queue, sys flag, born time and hosts
 * (SEND_BATCH_MESSAGE), with bodies and property strings left as byte ranges
 * of one buffer (the request body), so they are copied into records without
 * being decoded (CommitLog.MessageExtBatchEncoder). Message i is described by
 * `layout[i * BATCH_LAYOUT_STRIDE + k]`, k in BatchLayout. The store reads
 * `data`, `layout` and `suffixes` only during the putMessageBatch call (it
 * copies the bytes), so callers may reuse them once it returns.
 */
export interface MessageBatchInput {
  readonly topic: string;
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly data: Buffer;
  readonly layout: Int32Array;
  readonly count: number;
  /** Property bytes appended after a message's own (BatchLayout.SUFFIX indexes this; -1: none). */
  readonly suffixes: readonly Uint8Array[];
}

/** Fields of one message in MessageBatchInput.layout. */
export const BatchLayout = {
  FLAG: 0,
  BODY_START: 1,
  BODY_LENGTH: 2,
  PROPERTIES_START: 3,
  PROPERTIES_LENGTH: 4,
  SUFFIX: 5,
} as const;
export const BATCH_LAYOUT_STRIDE = 6;

/** A decoded record (MessageExt). */
export interface StoredMessage {
  readonly storeSize: number;
  readonly bodyCrc: number;
  readonly queueId: number;
  readonly flag: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeTimestamp: number;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  readonly body: Buffer;
  readonly topic: string;
  readonly properties: string;
}

function hostBytes(sysFlag: number, v6Flag: number): number {
  return (sysFlag & v6Flag) !== 0 ? 20 : 8;
}

/** The sys flag with the host-width bits set from the actual addresses. */
export function withHostFlags(sysFlag: number, bornHost: HostAddress, storeHost: HostAddress): number {
  if (bornHost.address.length === 4 && storeHost.address.length === 4 && (sysFlag & 0x30) === 0) return sysFlag;
  let f = sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (bornHost.address.length === 16) f |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (storeHost.address.length === 16) f |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  return f;
}

/** Total record length for the given field sizes (CommitLog.calMsgLength). */
export function storedMessageLength(sysFlag: number, bodyLength: number, topicLength: number, propertiesLength: number): number {
  return (
    4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 +
    hostBytes(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG) +
    8 +
    hostBytes(sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) +
    4 + 8 +
    4 + bodyLength +
    1 + topicLength +
    2 + propertiesLength
  );
}

/** CRC32 of the body as RocketMQ stores it (UtilAll.crc32: value & 0x7FFFFFFF). */
export function bodyCrc32(body: Uint8Array): number {
  return crc32(body) & 0x7fffffff;
}

/** The host (4- or 16-byte address, then the port) stored at `pos` of a record. */
export function readHost(buf: Buffer, pos: number, v6: boolean): HostAddress {
  const len = v6 ? 16 : 4;
  return { address: Uint8Array.prototype.slice.call(buf, pos, pos + len), port: buf.readInt32BE(pos + len) };
}

/** Pre-computed parts of a record, computed once per message. */
export interface EncodedParts {
  readonly topic: Buffer;
  /** UTF-8 byte length of the property string (written straight from the string). */
  readonly propertiesLength: number;
  readonly sysFlag: number;
  readonly bodyCrc: number;
  readonly length: number;
}

/** `topicBytes` lets a caller reuse the encoded topic across messages. */
export function encodeParts(msg: MessageInput, topicBytes?: Buffer): EncodedParts {
  const topic = topicBytes ?? Buffer.from(msg.topic, 'utf8');
  const propertiesLength = Buffer.byteLength(msg.properties, 'utf8');
  const sysFlag = withHostFlags(msg.sysFlag, msg.bornHost, msg.storeHost);
  return {
    topic,
    propertiesLength,
    sysFlag,
    bodyCrc: bodyCrc32(msg.body),
    length: storedMessageLength(sysFlag, msg.body.length, topic.length, propertiesLength),
  };
}

const TWO_32 = 4294967296;

/** A DataView over exactly the bytes of `buf` (offsets match). */
export function dataViewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function viewInt64(view: DataView, pos: number, value: number): void {
  view.setInt32(pos, Math.floor(value / TWO_32));
  view.setUint32(pos + 4, value >>> 0);
}

function viewHost(view: DataView, pos: number, host: HostAddress): number {
  const a = host.address;
  for (let i = 0; i < a.length; i++) view.setUint8(pos + i, a[i] ?? 0);
  view.setInt32(pos + a.length, host.port);
  return pos + a.length + 4;
}

/**
 * Writes everything of a record before its BODY field at `pos` of `view`;
 * returns the position of the BODY length field. `sysFlag` must carry the
 * host-width bits (withHostFlags). DataView stores, inlined by the JIT, cost
 * a fraction of Buffer.writeInt32BE's checked calls on this per-record path.
 */
export function writeRecordHead(
  view: DataView,
  pos: number,
  length: number,
  bodyCrc: number,
  queueId: number,
  flag: number,
  queueOffset: number,
  physicalOffset: number,
  sysFlag: number,
  bornTimestamp: number,
  bornHost: HostAddress,
  storeTimestamp: number,
  storeHost: HostAddress,
  reconsumeTimes: number,
  preparedTransactionOffset: number,
): number {
  view.setInt32(pos, length);
  view.setInt32(pos + 4, MESSAGE_MAGIC_CODE);
  view.setInt32(pos + 8, bodyCrc);
  view.setInt32(pos + 12, queueId);
  view.setInt32(pos + 16, flag);
  viewInt64(view, pos + 20, queueOffset);
  viewInt64(view, pos + 28, physicalOffset);
  view.setInt32(pos + 36, sysFlag);
  viewInt64(view, pos + 40, bornTimestamp);
  let p = viewHost(view, pos + 48, bornHost);
  viewInt64(view, p, storeTimestamp);
  p = viewHost(view, p + 8, storeHost);
  view.setInt32(p, reconsumeTimes);
  viewInt64(view, p + 4, preparedTransactionOffset);
  return p + 12;
}

const PROPERTY_SEPARATOR_BYTE = 2;
const NAME_VALUE_SEPARATOR_BYTE = 1;

/**
 * findProperty over the UTF-8 bytes buf[start, end) of a property string:
 * the start of the value of the first `name` (ASCII bytes) found at the start
 * of a pair, or -1 when absent or (as findProperty) when that value is empty.
 * The value ends at propertyValueEnd.
 */
export function findPropertyValue(buf: Uint8Array, start: number, end: number, name: Uint8Array): number {
  const n = name.length;
  let s = start;
  while (s < end) {
    if (s + n < end && buf[s + n] === NAME_VALUE_SEPARATOR_BYTE && bytesAt(buf, s, name)) {
      const v = s + n + 1;
      return v < end && buf[v] !== PROPERTY_SEPARATOR_BYTE ? v : -1;
    }
    while (s < end && buf[s] !== PROPERTY_SEPARATOR_BYTE) s++;
    s++;
  }
  return -1;
}

/** Whether buf holds `name` at `at` (the caller checks the bounds). */
export function bytesAt(buf: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let k = 0; k < name.length; k++) if (buf[at + k] !== name[k]) return false;
  return true;
}

/** End (exclusive) of the property value starting at `from` in buf[.., end). */
export function propertyValueEnd(buf: Uint8Array, from: number, end: number): number {
  let e = from;
  while (e < end && buf[e] !== PROPERTY_SEPARATOR_BYTE) e++;
  return e;
}

/**
 * Writes a record at `pos` (which must have `parts.length` bytes of room);
 * returns the position after it.
 */
export function writeStoredMessage(
  buf: Buffer,
  pos: number,
  msg: MessageInput,
  parts: EncodedParts,
  queueOffset: number,
  physicalOffset: number,
  storeTimestamp: number,
  view: DataView = dataViewOf(buf),
): number {
  let p = writeRecordHead(
    view, pos, parts.length, parts.bodyCrc, msg.queueId, msg.flag, queueOffset, physicalOffset, parts.sysFlag,
    msg.bornTimestamp, msg.bornHost, storeTimestamp, msg.storeHost, msg.reconsumeTimes, msg.preparedTransactionOffset,
  );
  p = writeRecordBodyTopic(view, buf, p, msg.body, parts.topic, parts.propertiesLength);
  if (parts.propertiesLength > 0) buf.write(msg.properties, p, parts.propertiesLength, 'utf8');
  return p + parts.propertiesLength;
}

/**
 * Writes the part of a record after writeRecordHead's: BODY (length and
 * bytes), TOPIC (length and bytes) and the PROPERTIES length; returns where
 * the properties' bytes go (the caller writes them).
 */
export function writeRecordBodyTopic(view: DataView, buf: Uint8Array, pos: number, body: Uint8Array, topic: Uint8Array, propertiesLength: number): number {
  view.setInt32(pos, body.length);
  buf.set(body, pos + 4);
  let p = pos + 4 + body.length;
  view.setUint8(p, topic.length);
  buf.set(topic, p + 1);
  p += 1 + topic.length;
  view.setInt16(p, propertiesLength);
  return p + 2;
}

const readInt64 = readInt64BE;

/**
 * Indexes into the array {@link locateRecordFields} fills: where the fields
 * after BORNTIMESTAMP sit (their positions depend on the host widths and the
 * body and topic lengths). The fixed fields are at fixed positions from the
 * record's start (layout above).
 */
export const RecordField = {
  SYS_FLAG: 0,
  BORN_HOST: 1,
  STORE_TIMESTAMP: 2,
  STORE_HOST: 3,
  /** RECONSUMETIMES; PREPARED TRANSACTION OFFSET follows at +4. */
  RECONSUME_TIMES: 4,
  BODY: 5,
  BODY_LENGTH: 6,
  TOPIC: 7,
  TOPIC_LENGTH: 8,
  PROPERTIES: 9,
  PROPERTIES_LENGTH: 10,
} as const;
export const RECORD_FIELD_COUNT = 11;

/**
 * Finds the fields of the record in `buf[pos, end)` and writes their
 * positions and lengths into `out` (indexed by {@link RecordField}); throws a
 * ProtocolError naming what does not fit. The one parser of the variable part
 * of the layout, for the store-side decoder below and the client's.
 */
export function locateRecordFields(buf: Buffer, pos: number, end: number, out: Int32Array): void {
  if (end - pos < storedMessageLength(0, 0, 0, 0) || end > buf.length) throw malformedRecord(`${end - pos} bytes`);
  const sysFlag = buf.readInt32BE(pos + SYSFLAG_POSITION);
  const bornV6 = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0;
  const storeV6 = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0;
  const storeTimestampAt = pos + 48 + (bornV6 ? 20 : 8);
  const reconsumeAt = storeTimestampAt + 8 + (storeV6 ? 20 : 8);
  let p = reconsumeAt + 12;
  if (p + 4 > end) throw malformedRecord('truncated header');
  const bodyLength = buf.readInt32BE(p);
  p += 4;
  if (bodyLength < 0 || p + bodyLength + 1 > end) throw malformedRecord(`bad body length ${bodyLength}`);
  const bodyAt = p;
  p += bodyLength;
  const topicLength = buf[p] ?? 0;
  p += 1;
  if (p + topicLength + 2 > end) throw malformedRecord(`bad topic length ${topicLength}`);
  const topicAt = p;
  p += topicLength;
  const propertiesLength = buf.readInt16BE(p);
  p += 2;
  if (propertiesLength < 0 || p + propertiesLength > end) throw malformedRecord(`bad properties length ${propertiesLength}`);
  out[RecordField.SYS_FLAG] = sysFlag;
  out[RecordField.BORN_HOST] = pos + 48;
  out[RecordField.STORE_TIMESTAMP] = storeTimestampAt;
  out[RecordField.STORE_HOST] = storeTimestampAt + 8;
  out[RecordField.RECONSUME_TIMES] = reconsumeAt;
  out[RecordField.BODY] = bodyAt;
  out[RecordField.BODY_LENGTH] = bodyLength;
  out[RecordField.TOPIC] = topicAt;
  out[RecordField.TOPIC_LENGTH] = topicLength;
  out[RecordField.PROPERTIES] = p;
  out[RecordField.PROPERTIES_LENGTH] = propertiesLength;
}

function malformedRecord(what: string): ProtocolError {
  return new ProtocolError(`malformed message record: ${what}`);
}

const fields = new Int32Array(RECORD_FIELD_COUNT);

/**
 * Decodes the record starting at `pos` (to its TOTALSIZE, or `end`); the body
 * is copied. Throws a ProtocolError when its lengths do not fit.
 */
export function decodeStoredMessage(buf: Buffer, pos = 0, end = pos + buf.readInt32BE(pos)): StoredMessage {
  locateRecordFields(buf, pos, end, fields);
  const sysFlag = fields[RecordField.SYS_FLAG] ?? 0;
  const storeTimestampAt = fields[RecordField.STORE_TIMESTAMP] ?? 0;
  const reconsumeAt = fields[RecordField.RECONSUME_TIMES] ?? 0;
  const bodyAt = fields[RecordField.BODY] ?? 0;
  const topicAt = fields[RecordField.TOPIC] ?? 0;
  const propertiesAt = fields[RecordField.PROPERTIES] ?? 0;
  return {
    storeSize: buf.readInt32BE(pos),
    bodyCrc: buf.readInt32BE(pos + 8),
    queueId: buf.readInt32BE(pos + 12),
    flag: buf.readInt32BE(pos + 16),
    queueOffset: readInt64(buf, pos + QUEUE_OFFSET_POSITION),
    commitLogOffset: readInt64(buf, pos + PHYSICAL_OFFSET_POSITION),
    sysFlag,
    bornTimestamp: readInt64(buf, pos + BORN_TIMESTAMP_POSITION),
    bornHost: readHost(buf, fields[RecordField.BORN_HOST] ?? 0, (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0),
    storeTimestamp: readInt64(buf, storeTimestampAt),
    storeHost: readHost(buf, fields[RecordField.STORE_HOST] ?? 0, (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0),
    reconsumeTimes: buf.readInt32BE(reconsumeAt),
    preparedTransactionOffset: readInt64(buf, reconsumeAt + 4),
    body: Buffer.from(buf.subarray(bodyAt, bodyAt + (fields[RecordField.BODY_LENGTH] ?? 0))),
    topic: buf.toString('utf8', topicAt, topicAt + (fields[RecordField.TOPIC_LENGTH] ?? 0)),
    properties: buf.toString('utf8', propertiesAt, propertiesAt + (fields[RecordField.PROPERTIES_LENGTH] ?? 0)),
  };
}

/** The outcome of checking the bytes at a position of the commit log. */
export type RecordCheck =
  | { readonly kind: 'message'; readonly size: number }
  | { readonly kind: 'blank'; readonly size: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * Validates the record at `pos` (CommitLog.checkMessageAndReturnSize):
 * magic code, size and internal lengths consistent, body CRC, physical offset.
 * `available` bytes from `pos` are in `buf`; `expectedOffset` is the record's
 * commit-log offset.
 */
export function checkRecord(buf: Buffer, pos: number, available: number, expectedOffset: number, verifyCrc = true): RecordCheck {
  if (available < 8) return available === 0 || isZero(buf, pos, available) ? { kind: 'end' } : { kind: 'corrupt', reason: 'short header' };
  const size = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + 4);
  if (size === 0 && magic === 0) return { kind: 'end' };
  if (magic === BLANK_MAGIC_CODE) {
    return size >= 8 && size <= available ? { kind: 'blank', size } : { kind: 'corrupt', reason: 'bad blank size' };
  }
  if (magic !== MESSAGE_MAGIC_CODE) return { kind: 'corrupt', reason: `bad magic code ${magic}` };
  const minSize = storedMessageLength(0, 0, 0, 0);
  if (size < minSize || size > available) return { kind: 'corrupt', reason: `bad total size ${size}` };
  if (readInt64(buf, pos + PHYSICAL_OFFSET_POSITION) !== expectedOffset) return { kind: 'corrupt', reason: 'physical offset mismatch' };
  const sysFlag = buf.readInt32BE(pos + 36);
  let p = pos + 48 + hostBytes(sysFlag, MessageSysFlag.BORNHOST_V6_FLAG) + 8 + hostBytes(sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) + 12;
  const end = pos + size;
  if (p + 4 > end) return { kind: 'corrupt', reason: 'truncated record' };
  const bodyLength = buf.readInt32BE(p);
  if (bodyLength < 0 || p + 4 + bodyLength + 3 > end) return { kind: 'corrupt', reason: 'bad body length' };
  const bodyStart = p + 4;
  p = bodyStart + bodyLength;
  const topicLength = buf.readUInt8(p);
  p += 1 + topicLength;
  if (p + 2 > end) return { kind: 'corrupt', reason: 'bad topic length' };
  const propertiesLength = buf.readInt16BE(p);
  if (propertiesLength < 0 || p + 2 + propertiesLength !== end) return { kind: 'corrupt', reason: 'lengths do not add up to total size' };
  if (verifyCrc && bodyCrc32(buf.subarray(bodyStart, bodyStart + bodyLength)) !== buf.readInt32BE(pos + 8)) {
    return { kind: 'corrupt', reason: 'body CRC mismatch' };
  }
  return { kind: 'message', size };
}

function isZero(buf: Buffer, pos: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[pos + i] !== 0) return false;
  return true;
}

/** Writes an end-of-file blank record header (TOTALSIZE = remaining, BLANK magic). */
export function writeBlankRecord(buf: Buffer, pos: number, size: number): void {
  buf.writeInt32BE(size, pos);
  buf.writeInt32BE(BLANK_MAGIC_CODE, pos + 4);
}
