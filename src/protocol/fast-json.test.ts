import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../common/index.js';
import { parseRocketMQJson, stringifyRocketMQJson } from './fast-json.js';

void test('unquoted numeric keys (BrokerData.brokerAddrs, pre-4.9.4 route JSON)', () => {
  const v = parseRocketMQJson('{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"b"}]}');
  assert.deepEqual(v, { brokerDatas: [{ brokerAddrs: { 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' }, brokerName: 'b' }] });
});

void test('object keys (Map<MessageQueue, Long>)', () => {
  const v = parseRocketMQJson('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:42, {"brokerName":"b","queueId":1,"topic":"T"}:7}}');
  assert.deepEqual(v, {
    offsetTable: {
      '{"brokerName":"b","queueId":0,"topic":"T"}': 42,
      '{"brokerName":"b","queueId":1,"topic":"T"}': 7,
    },
  });
});

void test('standard JSON parses like JSON.parse', () => {
  const text = '{"a":[1,-2.5e3,true,false,null,"x\\"y\\u00e9"],"b":{},"c":[], "d" : "ü"}';
  assert.deepEqual(parseRocketMQJson(text), JSON.parse(text));
});

void test('malformed input is a ProtocolError', () => {
  for (const bad of ['', '{', '{"a":}', '[1,]', '{"a" 1}', '"abc', '{"a":1}x', '{:1}', '-', '[' .repeat(300) + ']'.repeat(300)]) {
    assert.throws(() => parseRocketMQJson(bad), ProtocolError, bad);
  }
});

void test('__proto__ keys stay plain data', () => {
  const v = parseRocketMQJson('{"__proto__":{"polluted":1}}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(v ?? {}), ['__proto__']);
});

void test('stringify writes Maps with fastjson keys and round-trips', () => {
  const mq = { brokerName: 'b', queueId: 0, topic: 'T' };
  const text = stringifyRocketMQJson({
    offsetTable: new Map([[mq, 42]]),
    brokerAddrs: new Map([[0, 'h:1']]),
    names: new Map([['k', 'v']]),
    skip: undefined,
  });
  assert.equal(text, '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:42},"brokerAddrs":{0:"h:1"},"names":{"k":"v"}}');
  assert.deepEqual(parseRocketMQJson(text), {
    offsetTable: { [JSON.stringify(mq)]: 42 },
    brokerAddrs: { 0: 'h:1' },
    names: { k: 'v' },
  });
});
