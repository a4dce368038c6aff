import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FastJsonMap, RequestCode, ResponseCode, parseFastJson, parseRocketMQJson } from '../../src/protocol/index.js';
import { bodyText, startBroker, waitFor } from './admin-harness.js';

const createHeader = (topic: string, queues = 4): Record<string, string> => ({
  topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues), perm: '6', topicFilterType: 'SINGLE_TAG', order: 'false',
});

void test('UPDATE_AND_CREATE_TOPIC creates, GET_ALL_TOPIC_CONFIG lists, DELETE_TOPIC_IN_BROKER removes', async (t) => {
  const h = await startBroker(t);
  const created = await h.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createHeader('AdminT1', 3));
  assert.equal(created.code, ResponseCode.SUCCESS, created.remark);
  assert.equal(h.ctx.topics.get('AdminT1')?.writeQueueNums, 3);

  const all = await h.call(RequestCode.GET_ALL_TOPIC_CONFIG);
  assert.equal(all.code, ResponseCode.SUCCESS);
  const text = bodyText(all);
  assert.ok(text.startsWith('{"dataVersion":{"counter":'), text.slice(0, 40));
  const json = parseRocketMQJson(text);
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json));
  const table = json.topicConfigTable;
  assert.ok(typeof table === 'object' && table !== null && !Array.isArray(table));
  assert.deepEqual(table.AdminT1, { order: false, perm: 6, readQueueNums: 3, topicFilterType: 'SINGLE_TAG', topicName: 'AdminT1', topicSysFlag: 0, writeQueueNums: 3 });

  await h.put('AdminT1', 0, 'x');
  h.ctx.offsets.commitOffset('G1', 'AdminT1', 0, 1);
  const del = await h.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'AdminT1' });
  assert.equal(del.code, ResponseCode.SUCCESS);
  assert.equal(h.ctx.topics.get('AdminT1'), undefined);
  assert.equal(h.ctx.store.getMaxOffsetInQueue('AdminT1', 0), 0);
  assert.equal(h.ctx.offsets.queryOffset('G1', 'AdminT1', 0), -1);
});

void test('UPDATE_AND_CREATE_TOPIC refuses bad names and system topics with 4.9.8 remarks', async (t) => {
  const h = await startBroker(t);
  const cases: [string, string][] = [
    ['bad topic!', 'The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$'],
    ['x'.repeat(128), 'The specified topic is longer than topic max length.'],
    ['TBW102', 'The topic[TBW102] is conflict with system topic.'],
    ['rmq_sys_any', 'The topic[rmq_sys_any] is conflict with system topic.'],
    ['ClusterT', 'The topic[ClusterT] is conflict with system topic.'],
    ['broker-t', 'The topic[broker-t] is conflict with system topic.'],
  ];
  for (const [topic, remark] of cases) {
    const r = await h.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createHeader(topic));
    assert.equal(r.code, ResponseCode.SYSTEM_ERROR, topic);
    assert.equal(r.remark, remark);
  }
  const del = await h.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'SCHEDULE_TOPIC_XXXX' });
  assert.equal(del.code, ResponseCode.SYSTEM_ERROR);
  assert.ok(h.ctx.topics.get('TBW102') !== undefined);
  const missing = await h.call(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'T' });
  assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
});

void test('GET_TOPIC_STATS_INFO: TopicStatsTable with MessageQueue keys; TOPIC_NOT_EXIST when unknown', async (t) => {
  const h = await startBroker(t);
  assert.equal((await h.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createHeader('StatsT', 2))).code, ResponseCode.SUCCESS);
  await h.put('StatsT', 1, 'a');
  await h.put('StatsT', 1, 'b');
  await waitFor(() => h.ctx.store.getMaxOffsetInQueue('StatsT', 1) === 2);

  const r = await h.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'StatsT' });
  assert.equal(r.code, ResponseCode.SUCCESS);
  assert.ok(bodyText(r).startsWith('{"offsetTable":{{"brokerName":"broker-t","queueId":0,"topic":"StatsT"}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}'));
  const json = parseFastJson(bodyText(r));
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json) && !(json instanceof FastJsonMap));
  const table = json.offsetTable;
  assert.ok(table instanceof FastJsonMap);
  assert.equal(table.size, 2);
  const q1 = table.get({ brokerName: 'broker-t', queueId: 1, topic: 'StatsT' });
  assert.ok(typeof q1 === 'object' && q1 !== null && !Array.isArray(q1) && !(q1 instanceof FastJsonMap));
  assert.equal(q1.maxOffset, 2);
  assert.equal(q1.minOffset, 0);
  assert.ok(typeof q1.lastUpdateTimestamp === 'number' && q1.lastUpdateTimestamp > 0);

  const none = await h.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'NoSuchTopic' });
  assert.equal(none.code, ResponseCode.TOPIC_NOT_EXIST);
  assert.equal(none.remark, 'topic[NoSuchTopic] not exist');
});

void test('subscription groups: create, list, delete; removeOffset refused', async (t) => {
  const h = await startBroker(t);
  const body = Buffer.from(JSON.stringify({ groupName: 'GA', retryMaxTimes: 3, consumeBroadcastEnable: false }));
  assert.equal((await h.call(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, body)).code, ResponseCode.SUCCESS);
  assert.equal(h.ctx.groups.get('GA')?.retryMaxTimes, 3);
  assert.equal(h.ctx.groups.get('GA')?.retryQueueNums, 1);

  const all = await h.call(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG);
  const json = parseRocketMQJson(bodyText(all));
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json));
  const table = json.subscriptionGroupTable;
  assert.ok(typeof table === 'object' && table !== null && !Array.isArray(table));
  assert.deepEqual(Object.keys(table.GA ?? {}), [
    'brokerId', 'consumeBroadcastEnable', 'consumeEnable', 'consumeFromMinEnable', 'groupName', 'notifyConsumerIdsChangedEnable',
    'retryMaxTimes', 'retryQueueNums', 'whichBrokerWhenConsumeSlowly',
  ]);

  const refused = await h.call(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'GA', removeOffset: 'true' });
  assert.equal(refused.code, ResponseCode.SYSTEM_ERROR);
  assert.ok(h.ctx.groups.get('GA') !== undefined);
  assert.equal((await h.call(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'GA' })).code, ResponseCode.SUCCESS);
  assert.equal(h.ctx.groups.get('GA'), undefined);
});

void test('GET_SYSTEM_TOPIC_LIST_FROM_BROKER lists the 4.9.8 system topics', async (t) => {
  const h = await startBroker(t);
  const json = parseRocketMQJson(bodyText(await h.call(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER)));
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json) && Array.isArray(json.topicList));
  for (const name of ['TBW102', 'SCHEDULE_TOPIC_XXXX', 'ClusterT', 'broker-t', 'ClusterT_REPLY_TOPIC']) assert.ok(json.topicList.includes(name), name);
});
