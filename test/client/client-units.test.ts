/** Unit tests of the client's pure parts: ids, routes, fault tolerance, selectors, options. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LatencyFaultTolerance, UniqIdGenerator, parseTopicRouteData, resolveClientOptions, selectByHash, toPublishInfo, toSubscribeQueues,
} from '../../src/client/index.js';
import { InvalidArgumentError } from '../../src/index.js';

test('UNIQ_KEY: 32 uppercase hex chars, IP prefix, unique', () => {
  const gen = new UniqIdGenerator('10.1.2.3', { now: () => 1_700_000_000_000 }, 0x12345);
  const a = gen.next();
  const b = gen.next();
  assert.match(a, /^0A0102032345[0-9A-F]{20}$/);
  assert.notEqual(a, b);
  assert.equal(a.slice(0, 28), b.slice(0, 28));
});

test('route JSON with fastjson numeric keys and topicSynFlag parses; publish info keeps writable master queues', () => {
  const body = Buffer.from('{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"b","cluster":"c"},'
    + '{"brokerAddrs":{1:"127.0.0.1:10931"},"brokerName":"slaveonly","cluster":"c"},{"brokerAddrs":{0:"127.0.0.1:10941"},"brokerName":"a","cluster":"c"}],'
    + '"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":2,"topicSynFlag":0,"writeQueueNums":2},'
    + '{"brokerName":"slaveonly","perm":6,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1},'
    + '{"brokerName":"a","perm":4,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1}]}');
  const route = parseTopicRouteData(body);
  assert.equal(route.brokerDatas[0]?.brokerAddrs.get(1), '127.0.0.1:10921');
  const pub = toPublishInfo('T', route);
  assert.deepEqual(pub.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`), ['b:0', 'b:1']);
  assert.deepEqual(toSubscribeQueues('T', route).map((q) => `${q.brokerName}:${q.queueId}`), ['a:0', 'b:0', 'b:1', 'slaveonly:0']);
});

test('latency fault tolerance isolates a failed broker and recovers after the period', () => {
  let now = 1_000;
  const f = new LatencyFaultTolerance({ now: () => now });
  f.update('a', 10, false);
  assert.ok(f.isAvailable('a'));
  f.update('a', 600, false);
  assert.ok(!f.isAvailable('a'));
  now += 30_000;
  assert.ok(f.isAvailable('a'));
  f.update('b', 0, true);
  now += 599_999;
  assert.ok(!f.isAvailable('b'));
  now += 1;
  assert.ok(f.isAvailable('b'));
});

test('selectByHash mirrors Java: |hashCode % n|', () => {
  const qs = Array.from({ length: 7 }, (_, i) => ({ topic: 'T', brokerName: 'b', queueId: i }));
  const msg = { topic: 'T', body: 'x' };
  // "TagA".hashCode() = 2598919; 2598919 % 7 = 2598919 - 7*371274 = 1
  assert.equal(selectByHash('TagA')(qs, msg).queueId, 1);
  // negative hash: "polygenelubricants".hashCode() = -2147483648 (Integer.MIN_VALUE); % 7 = -2 → 2
  assert.equal(selectByHash('polygenelubricants')(qs, msg).queueId, 2);
});

test('client options: defaults, DEFAULT instance name, validation', () => {
  const o = resolveClientOptions({ namesrvAddr: '127.0.0.1:9876;127.0.0.2:9876', clientIP: '10.0.0.1' });
  assert.deepEqual(o.namesrvAddrs, ['127.0.0.1:9876', '127.0.0.2:9876']);
  assert.match(o.clientId, new RegExp(`^10\\.0\\.0\\.1@${process.pid}#\\d+$`));
  assert.equal(o.requestTimeoutMs, 3000);
  assert.equal(resolveClientOptions({ namesrvAddr: ['h:1'], instanceName: 'x', clientIP: '1.2.3.4' }).clientId, '1.2.3.4@x');
  assert.throws(() => resolveClientOptions({ namesrvAddr: '' }), InvalidArgumentError);
  assert.throws(() => resolveClientOptions({ namesrvAddr: 'nohost' }), InvalidArgumentError);
  assert.throws(() => resolveClientOptions({ namesrvAddr: 'h:1', requestTimeoutMs: 0 }), InvalidArgumentError);
});
