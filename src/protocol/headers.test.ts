import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../common/index.js';
import {
  SendMessageRequestHeader, SendMessageResponseHeader, decodeSendMessageRequestHeaderFor,
  decodeSendMessageRequestHeaderV2, encodeSendMessageRequestHeaderV2,
} from './headers/send-message.js';
import { PullMessageRequestHeader } from './headers/pull-message.js';
import { QueryConsumerOffsetRequestHeader, UpdateConsumerOffsetRequestHeader } from './headers/consumer-offset.js';
import { GetRouteInfoRequestHeader, RegisterBrokerRequestHeader } from './headers/namesrv.js';
import { RequestCode } from './request-code.js';
import { responseCodeName, responseToError, ResponseCode } from './response-code.js';
import { ResponseError } from './errors.js';

const send: SendMessageRequestHeader = {
  producerGroup: 'PG', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 2,
  sysFlag: 0, bornTimestamp: 1_700_000_000_123, flag: 0, properties: 'UNIQ_KEY\u0001abc\u0002', batch: false,
};

void test('send header v1 round trip', () => {
  const ext = SendMessageRequestHeader.encode(send);
  assert.equal(ext.bornTimestamp, '1700000000123');
  assert.equal(ext.batch, 'false');
  assert.deepEqual(SendMessageRequestHeader.decode(ext), send);
});

void test('send header V2 uses single-letter keys a..n', () => {
  const ext = encodeSendMessageRequestHeaderV2({ ...send, bname: 'b1', unitMode: true, reconsumeTimes: 1, maxReconsumeTimes: 16 });
  assert.deepEqual(ext, {
    a: 'PG', b: 'T', c: 'TBW102', d: '4', e: '2', f: '0', g: '1700000000123', h: '0',
    i: 'UNIQ_KEY\u0001abc\u0002', j: '1', k: 'true', l: '16', m: 'false', n: 'b1',
  });
  assert.equal(decodeSendMessageRequestHeaderV2(ext).bname, 'b1');
  assert.deepEqual(decodeSendMessageRequestHeaderFor(RequestCode.SEND_BATCH_MESSAGE, ext).topic, 'T');
});

void test('send header V2 from ali-ons: a..l only, coerced scalars', () => {
  const h = decodeSendMessageRequestHeaderFor(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG', b: 'T', c: 'TBW102', d: '4', e: '0', f: '0', g: '1', h: '0', i: '', j: '0', k: 'false', l: '16',
  });
  assert.equal(h.batch, undefined);
  assert.equal(h.unitMode, false);
  assert.equal(h.maxReconsumeTimes, 16);
});

void test('missing required fields are named', () => {
  const { topic: _t, ...noTopic } = SendMessageRequestHeader.encode(send);
  assert.throws(() => SendMessageRequestHeader.decode(noTopic), /SendMessageRequestHeader: missing required field topic/);
  assert.throws(() => decodeSendMessageRequestHeaderV2({ a: 'x' }), /missing required field b/);
  assert.throws(() => QueryConsumerOffsetRequestHeader.decode({ topic: 'T', queueId: '1' }), InvalidArgumentError);
});

void test('bad numbers are named and range-checked', () => {
  const ext = { consumerGroup: 'G', topic: 'T', queueId: '1' };
  assert.throws(() => QueryConsumerOffsetRequestHeader.decode({ ...ext, queueId: '2147483648' }), /queueId is not a valid Integer/);
  assert.throws(() => QueryConsumerOffsetRequestHeader.decode({ ...ext, queueId: '1.0' }), /queueId/);
  assert.throws(() => QueryConsumerOffsetRequestHeader.decode({ ...ext, queueId: ' 1' }), /queueId/);
  assert.throws(
    () => UpdateConsumerOffsetRequestHeader.decode({ ...ext, commitOffset: '9007199254740993' }),
    /commitOffset is not a valid Long/,
  );
  assert.equal(UpdateConsumerOffsetRequestHeader.decode({ ...ext, commitOffset: '-1' }).commitOffset, -1);
  assert.throws(
    () => UpdateConsumerOffsetRequestHeader.encode({ consumerGroup: 'G', topic: 'T', queueId: 1, commitOffset: 2 ** 60 }),
    InvalidArgumentError,
  );
  assert.throws(
    () => QueryConsumerOffsetRequestHeader.encode({ consumerGroup: 'G', topic: 'T', queueId: 2 ** 31 }),
    /out of Integer range/,
  );
});

void test('booleans parse like Boolean.parseBoolean', () => {
  assert.equal(GetRouteInfoRequestHeader.decode({ topic: 'T', acceptStandardJsonOnly: 'TRUE' }).acceptStandardJsonOnly, true);
  assert.equal(GetRouteInfoRequestHeader.decode({ topic: 'T', acceptStandardJsonOnly: 'yes' }).acceptStandardJsonOnly, false);
  assert.equal(GetRouteInfoRequestHeader.decode({ topic: 'T' }).acceptStandardJsonOnly, undefined);
});

void test('pull, register broker and send response round trips', () => {
  const pull: PullMessageRequestHeader = {
    consumerGroup: 'G', topic: 'T', queueId: 0, queueOffset: 10, maxMsgNums: 32, sysFlag: 6,
    commitOffset: 0, suspendTimeoutMillis: 15000, subscription: 'TagA || TagB', subVersion: 1, expressionType: 'TAG',
  };
  assert.deepEqual(PullMessageRequestHeader.decode(PullMessageRequestHeader.encode(pull)), pull);
  const reg: RegisterBrokerRequestHeader = {
    brokerName: 'b', brokerAddr: '127.0.0.1:10911', clusterName: 'C', haServerAddr: '127.0.0.1:10912',
    brokerId: 0, compressed: false, bodyCrc32: 12345,
  };
  assert.deepEqual(RegisterBrokerRequestHeader.decode(RegisterBrokerRequestHeader.encode(reg)), reg);
  const resp: SendMessageResponseHeader = {
    msgId: '7F00000100002A9F0000000000000000', queueId: 1, queueOffset: 5, MSG_REGION: 'DefaultRegion', TRACE_ON: 'true',
  };
  assert.deepEqual(SendMessageResponseHeader.decode(SendMessageResponseHeader.encode(resp)), resp);
});

void test('encode into an existing extFields map keeps other keys', () => {
  const ext: Record<string, string> = { AccessKey: 'ak' };
  GetRouteInfoRequestHeader.encode({ topic: 'T' }, ext);
  assert.deepEqual(ext, { AccessKey: 'ak', topic: 'T' });
});

void test('response codes map to typed errors', () => {
  const err = responseToError(ResponseCode.TOPIC_NOT_EXIST, 'No topic route info');
  assert.ok(err instanceof ResponseError);
  assert.equal(err.code, 'TOPIC_NOT_EXIST');
  assert.equal(err.responseCode, 17);
  assert.equal(err.remark, 'No topic route info');
  assert.equal(err.retriable, true);
  assert.equal(err.message, 'TOPIC_NOT_EXIST (17): No topic route info');
  assert.equal(responseToError(ResponseCode.MESSAGE_ILLEGAL).retriable, false);
  assert.equal(responseToError(9999).code, 'RESPONSE_9999');
  assert.equal(responseCodeName(209), 'UPDATE_AND_CREATE_ACL_CONFIG_FAILED');
});

void test('request code table: unique values, names resolve', async () => {
  const { RequestCode, requestCodeName } = await import('./request-code.js');
  const values = Object.values(RequestCode);
  assert.equal(new Set(values).size, values.length);
  assert.equal(requestCodeName(310), 'SEND_MESSAGE_V2');
  assert.equal(requestCodeName(318), 'UPDATE_NAMESRV_CONFIG');
  assert.equal(requestCodeName(1), undefined);
});
