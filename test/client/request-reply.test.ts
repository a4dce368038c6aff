/**
 * Request-reply over the queue against an in-process OrbitMQ: a replier (push
 * consumer + producer) answers each request with createReplyMessage, sent as
 * SEND_REPLY_MESSAGE_V2 and pushed by the broker to the requester
 * (PUSH_REPLY_MESSAGE_TO_CLIENT); timeouts, aborts and cleanup of the table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError } from '../../src/common/index.js';
import {
  AbortError, ClientStateError, MQClientInstance, Producer, RequestFutureTable, createReplyMessage, type MessageExt,
} from '../../src/client/index.js';
import { startCluster } from '../support/cluster.js';
import { unique } from './helpers.js';
import { newConsumer } from './fixtures/push-support.js';

test('request-reply: replies by correlation id, timeout, abort', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_req');
  const silent = unique('T_req_silent');
  await cluster.createTopic(topic, 4);
  await cluster.createTopic(silent, 2);

  const requesterInstance = new MQClientInstance({ namesrvAddr: cluster.namesrvAddr, instanceName: unique('requester') });
  const requester = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('PG_req'), clientInstance: requesterInstance });
  await requester.start();
  cluster.track(async () => {
    await requester.shutdown();
    await requesterInstance.shutdown();
  });
  const replierProducer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('PG_reply'), instanceName: unique('rp') });
  await replierProducer.start();
  cluster.track(() => replierProducer.shutdown());

  const requests: MessageExt[] = [];
  const replier = newConsumer(cluster, { group: unique('CG_replier'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeConcurrency: 4 });
  replier.subscribe(topic).onMessage(async (msgs) => {
    for (const m of msgs) {
      requests.push(m);
      const body = m.body.toString();
      if (body.startsWith('slow')) await new Promise((r) => setTimeout(r, 300));
      await replierProducer.send(createReplyMessage(m, `re:${body}`));
    }
  });
  await replier.start();

  await t.test('a request resolves with its reply', async () => {
    const reply = await requester.request({ topic, body: 'ping', keys: 'k1' }, { timeoutMs: 10_000 });
    assert.equal(reply.body.toString(), 're:ping');
    const req = requests.find((m) => m.body.toString() === 'ping');
    assert.ok(req !== undefined);
    assert.equal(reply.properties.CORRELATION_ID, req.properties.CORRELATION_ID);
    assert.equal(req.properties.REPLY_TO_CLIENT, requester.clientId);
    assert.equal(req.properties.TTL, '10000');
    assert.ok((req.properties.CLUSTER ?? '').length > 0, 'the broker stamps CLUSTER on the request');
    assert.equal(reply.properties.MSG_TYPE, 'reply');
    assert.equal(reply.topic, `${req.properties.CLUSTER}_REPLY_TOPIC`);
    assert.ok(Number(reply.properties.ARRIVE_TIME) > 0);
    assert.equal(requesterInstance.requests.size, 0, 'the table is empty again');
  });

  await t.test('concurrent requests each get their own reply', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `slow-${i}` : `fast-${i}`));
    const replies = await Promise.all(bodies.map((b) => requester.request({ topic, body: b }, { timeoutMs: 10_000 })));
    assert.deepEqual(replies.map((r) => r.body.toString()), bodies.map((b) => `re:${b}`));
    assert.equal(requesterInstance.requests.size, 0);
  });

  await t.test('no replier: TimeoutError within the timeout', async () => {
    const t0 = Date.now();
    await assert.rejects(requester.request({ topic: silent, body: 'anyone?' }, { timeoutMs: 800 }), (err: unknown) => {
      assert.ok(err instanceof TimeoutError, `got ${String(err)}`);
      return true;
    });
    const took = Date.now() - t0;
    assert.ok(took >= 790 && took < 800 + 500, `rejected after ${took} ms`);
    assert.equal(requesterInstance.requests.size, 0);
  });

  await t.test('AbortSignal aborts the wait', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(new Error('user gave up')), 150);
    await assert.rejects(requester.request({ topic: silent, body: 'abort me' }, { timeoutMs: 10_000, signal: ac.signal }), AbortError);
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal(requesterInstance.requests.size, 0);
    await assert.rejects(requester.request({ topic: silent, body: 'already' }, { signal: ac.signal }), AbortError);
    assert.equal(requesterInstance.requests.size, 0);
  });

  await t.test('a request that cannot be sent rejects with the send error and is cleaned up', async () => {
    await assert.rejects(requester.request({ topic, body: '' }), /body length is zero/);
    assert.equal(requesterInstance.requests.size, 0);
  });
});

test('createReplyMessage needs the CLUSTER the broker put on the request', () => {
  const record = (props: Record<string, string>): MessageExt => ({
    ...messageStub(),
    properties: props,
  });
  assert.throws(() => createReplyMessage(record({ CORRELATION_ID: 'c' }), 'x'), /CLUSTER/);
  const r = createReplyMessage(record({ CLUSTER: 'C1', CORRELATION_ID: 'c', REPLY_TO_CLIENT: '1.2.3.4@x', TTL: '100' }), 'x');
  assert.equal(r.topic, 'C1_REPLY_TOPIC');
  assert.equal(r.body, 'x');
});

test('RequestFutureTable: each request settles once and leaves the table', async () => {
  const table = new RequestFutureTable();
  const a = table.register('a', 5_000, undefined, 'request a');
  assert.throws(() => table.register('a', 5_000, undefined, 'again'), /already waiting/);
  const reply = { ...messageStub(), properties: { CORRELATION_ID: 'a' } };
  assert.equal(table.complete('a', reply), true);
  assert.equal(table.complete('a', reply), false, 'settled once');
  assert.equal(await a.promise, reply);
  const b = table.register('b', 20, undefined, 'request b');
  await assert.rejects(b.promise, TimeoutError);
  const c = table.register('c', 5_000, undefined, 'request c');
  c.fail(new Error('send failed'));
  await assert.rejects(c.promise, /send failed/);
  const d = table.register('d', 5_000, undefined, 'request d');
  table.failAll(new ClientStateError('shut down'));
  await assert.rejects(d.promise, ClientStateError);
  assert.equal(table.size, 0);
});

/** A MessageExt with every field filled (values irrelevant here). */
function messageStub(): MessageExt {
  return {
    msgId: 'm', offsetMsgId: '', topic: 't', brokerName: 'b', queueId: 0, queueOffset: 0, commitLogOffset: 0, body: Buffer.from('q'),
    tags: undefined, keys: [], properties: {}, flag: 0, reconsumeTimes: 0, bornTimestamp: 0, storeTimestamp: 0, bornHost: '', storeHost: '',
    sysFlag: 0, bodyCrc: 0, storeSize: 0, preparedTransactionOffset: 0,
  };
}
