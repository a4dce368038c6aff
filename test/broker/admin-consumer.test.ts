import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastJsonMap, RequestCode, ResponseCode, parseFastJson, parseRocketMQJson } from '../../src/protocol/index.js';
import type { FastJsonValue } from '../../src/protocol/index.js';
import { bodyText, startBroker, waitFor } from './admin-harness.js';

function heartbeat(group: string, topic: string): Buffer {
  return Buffer.from(JSON.stringify({
    clientID: '127.0.0.1@test',
    producerDataSet: [],
    consumerDataSet: [{
      groupName: group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', unitMode: false,
      subscriptionDataSet: [{ topic, subString: '*', tagsSet: [], codeSet: [], subVersion: 1, expressionType: 'TAG', classFilterMode: false }],
    }],
  }));
}

function record(v: FastJsonValue | undefined): Record<string, FastJsonValue> {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FastJsonMap));
  return v;
}

void test('GET_CONSUMER_CONNECTION_LIST: CONSUMER_NOT_ONLINE, then the connection after a heartbeat', async (t) => {
  const h = await startBroker(t);
  const offline = await h.call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'CG1' });
  assert.equal(offline.code, ResponseCode.CONSUMER_NOT_ONLINE);
  assert.equal(offline.remark, 'the consumer group[CG1] not online');

  assert.equal((await h.call(RequestCode.HEART_BEAT, {}, heartbeat('CG1', 'ConnT'))).code, ResponseCode.SUCCESS);
  const r = await h.call(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'CG1' });
  assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  const json = record(parseFastJson(bodyText(r)));
  assert.deepEqual(Object.keys(json), ['connectionSet', 'consumeFromWhere', 'consumeType', 'messageModel', 'subscriptionTable']);
  assert.equal(json.consumeType, 'CONSUME_PASSIVELY');
  assert.ok(Array.isArray(json.connectionSet) && json.connectionSet.length === 1);
  const conn = record(json.connectionSet[0]);
  assert.equal(conn.clientId, '127.0.0.1@test');
  assert.equal(conn.language, 'JAVA');
  assert.equal(record(record(json.subscriptionTable).ConnT).subString, '*');

  const byWho = await h.call(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: 'ConnT' });
  assert.deepEqual(parseRocketMQJson(bodyText(byWho)), { groupList: ['CG1'] });
});

void test('GET_CONSUME_STATS: broker/consumer offsets and last consumed time per queue', async (t) => {
  const h = await startBroker(t);
  h.ctx.topics.update({ topicName: 'CsT', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
  for (let i = 0; i < 3; i++) await h.put('CsT', 0, `m${i}`);
  await waitFor(() => h.ctx.store.getMaxOffsetInQueue('CsT', 0) === 3);
  h.ctx.offsets.commitOffset('CsG', 'CsT', 0, 2);

  const r = await h.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'CsG' });
  assert.equal(r.code, ResponseCode.SUCCESS);
  assert.ok(bodyText(r).startsWith('{"consumeTps":0,"offsetTable":{{"brokerName":"broker-t","queueId":0,"topic":"CsT"}:{"brokerOffset":3,"consumerOffset":2,"lastTimestamp":'));
  const table = record(parseFastJson(bodyText(r))).offsetTable;
  assert.ok(table instanceof FastJsonMap);
  const q0 = record(table.get({ brokerName: 'broker-t', queueId: 0, topic: 'CsT' }));
  assert.ok(typeof q0.lastTimestamp === 'number' && q0.lastTimestamp > 0);
  assert.deepEqual(table.get({ brokerName: 'broker-t', queueId: 1, topic: 'CsT' }), { brokerOffset: 0, consumerOffset: 0, lastTimestamp: 0 });

  const other = await h.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'CsG', topic: 'NoTopic' });
  assert.equal(bodyText(other), '{"consumeTps":0,"offsetTable":{}}');

  const all = await h.call(RequestCode.GET_ALL_CONSUMER_OFFSET);
  assert.equal(all.code, ResponseCode.SUCCESS);
  assert.ok(bodyText(all).includes('"CsT@CsG":{0:2}'), bodyText(all));

  const topics = await h.call(343, { group: 'CsG' });
  assert.deepEqual(parseRocketMQJson(bodyText(topics)), { brokerAddr: h.ctx.brokerAddr, topicList: ['CsT'] });
});

void test('QUERY_CONSUME_QUEUE: units from an index; remarks for a missing queue or index', async (t) => {
  const h = await startBroker(t);
  const off = await h.put('CqT', 0, 'x', { TAGS: 'TagA' });
  await waitFor(() => h.ctx.store.getMaxOffsetInQueue('CqT', 0) === 1);
  const r = await h.call(RequestCode.QUERY_CONSUME_QUEUE, { topic: 'CqT', queueId: '0', index: '0', count: '10' });
  assert.equal(r.code, ResponseCode.SUCCESS);
  const json = record(parseFastJson(bodyText(r)));
  assert.equal(json.maxQueueIndex, 1);
  assert.ok(Array.isArray(json.queueData) && json.queueData.length === 1);
  const unit = record(json.queueData[0]);
  assert.equal(unit.physicOffset, off);
  assert.equal(unit.tagsCode, 2598919);

  const noQueue = await h.call(RequestCode.QUERY_CONSUME_QUEUE, { topic: 'CqT', queueId: '5', index: '0', count: '1' });
  assert.equal(noQueue.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(noQueue.remark, '5@CqT is not exist!');
  const noIndex = await h.call(RequestCode.QUERY_CONSUME_QUEUE, { topic: 'CqT', queueId: '0', index: '7', count: '1' });
  assert.equal(noIndex.code, ResponseCode.SUCCESS);
  assert.equal(noIndex.remark, 'Index 7 of 0@CqT is not exist!');
});
