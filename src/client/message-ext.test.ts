import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import {
  MessageConst, MessageSysFlag, ProtocolError, createOffsetMessageId, decodeProperties, decodePropertyRecord, decodeStoredMessage,
  encodeParts, encodeProperties, formatHostAddress, makeHostAddress, writeStoredMessage, type MessageInput,
} from '../common/index.js';
import { decodeMessage, decodeMessages, type MessageExt } from './message-ext.js';

function record(over: Partial<MessageInput>, queueOffset: number, physicalOffset: number): Buffer {
  const msg: MessageInput = {
    topic: 'Orders',
    queueId: 3,
    flag: 5,
    body: Buffer.from('hello'),
    properties: encodeProperties({ TAGS: 'tagA', KEYS: 'k1  k2', UNIQ_KEY: 'ABC' }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_123,
    bornHost: makeHostAddress('10.0.0.7', 50001),
    storeHost: makeHostAddress('192.168.1.2', 10911),
    reconsumeTimes: 2,
    preparedTransactionOffset: 0,
    ...over,
  };
  const parts = encodeParts(msg);
  const buf = Buffer.alloc(parts.length);
  writeStoredMessage(buf, 0, msg, parts, queueOffset, physicalOffset, 1_700_000_000_456);
  return buf;
}

/** The straightforward decoding (stored-message codec + property map) the fast path must equal. */
function reference(rec: Buffer, brokerName: string): Omit<MessageExt, 'body'> & { body: string } {
  const m = decodeStoredMessage(rec, 0);
  const props = Object.fromEntries(decodeProperties(m.properties)) as Record<string, string>;
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
    body: m.body.toString('latin1'),
    tags: props[MessageConst.PROPERTY_TAGS],
    keys: keys === undefined ? [] : keys.split(' ').filter((k) => k.length > 0),
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

function plain(m: MessageExt): Omit<MessageExt, 'body'> & { body: string } {
  return { ...m, body: m.body.toString('latin1') };
}

void test('decodeMessages equals the field-by-field decoding across hosts, topics and property sets', () => {
  const recs = [
    record({}, 0, 0),
    record({ properties: '' }, 1, 4096),
    record({ topic: 'Other', body: Buffer.alloc(0) }, 2, 2 ** 40 + 17),
    record({ bornHost: makeHostAddress('::1', 7), storeHost: makeHostAddress('fe80::1:2', 10911) }, 3, 8192),
    record({ storeHost: makeHostAddress('192.168.1.3', 10911), properties: encodeProperties({ a: 'b', KEYS: 'solo' }) }, 4, 9000),
    record({ topic: 'Orderz' }, 5, 9100),
    record({ properties: 'x\u0001\u0002\u0001y\u0002ok\u0001v\u0001w\u0002' }, 6, 9200),
  ];
  const body = Buffer.concat(recs);
  const got = decodeMessages(body, 'broker-a');
  assert.deepEqual(got.map(plain), recs.map((r) => reference(r, 'broker-a')));
  assert.equal(got[0]?.msgId, 'ABC');
  assert.deepEqual(got[0]?.keys, ['k1', 'k2']);
  assert.equal(got[1]?.msgId, got[1]?.offsetMsgId);
  assert.deepEqual(plain(decodeMessage(recs[3] ?? Buffer.alloc(0), 'b')), reference(recs[3] ?? Buffer.alloc(0), 'b'));
});

void test('a compressed body is inflated; others are views of the response body', () => {
  const raw = Buffer.from('compressible '.repeat(50));
  const body = Buffer.concat([record({ body: deflateSync(raw), sysFlag: MessageSysFlag.COMPRESSED_FLAG }, 0, 0), record({}, 1, 100)]);
  const [zipped, plainMsg] = decodeMessages(body, 'b');
  assert.deepEqual(zipped?.body, raw);
  assert.equal(plainMsg?.body.buffer, body.buffer);
});

void test('malformed records are ProtocolErrors', () => {
  const rec = record({}, 0, 0);
  assert.throws(() => decodeMessages(rec.subarray(0, rec.length - 1), 'b'), ProtocolError);
  const badBody = Buffer.from(rec);
  const bodyLenAt = rec.indexOf(Buffer.from('hello')) - 4;
  badBody.writeInt32BE(10_000, bodyLenAt);
  assert.throws(() => decodeMessages(badBody, 'b'), /bad body length/);
  badBody.writeInt32BE(-1, bodyLenAt);
  assert.throws(() => decodeMessage(badBody, 'b'), ProtocolError);
  const badProps = Buffer.from(rec);
  badProps.writeInt16BE(2000, rec.length - encodeProperties({ TAGS: 'tagA', KEYS: 'k1  k2', UNIQ_KEY: 'ABC' }).length - 2);
  assert.throws(() => decodeMessages(badProps, 'b'), /bad properties length/);
  assert.throws(() => decodeMessage(Buffer.alloc(10), 'b'), ProtocolError);
});

void test('decodePropertyRecord parses as decodeProperties does', () => {
  const cases = [
    '', 'a\u0001b', 'a\u0001b\u0002', '\u0001b\u0002c\u0001', 'ab\u0002c\u0001d', 'k\u0001v\u0001w', 'k\u00011\u0002k\u00012',
    '__proto__\u0001x\u0002toString\u0001y', 'x\u0002\u0002y\u0001z', 'ab', 'a\u0001',
  ];
  for (const c of cases) assert.deepEqual(decodePropertyRecord(c), Object.fromEntries(decodeProperties(c)), JSON.stringify(c));
  const proto = decodePropertyRecord('__proto__\u0001x');
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(proto['__proto__'], 'x');
});
