/**
 * Broadcasting (every member gets everything, offsets in local files) and the
 * retry path of clustering: RECONSUME_LATER → %RETRY%group redeliveries with
 * growing reconsumeTimes → %DLQ%group after maxReconsumeTimes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MessageExt } from '../../src/index.js';
import { RequestCode, ResponseCode, createResponseFor } from '../../src/protocol/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { SHORT_DELAYS, bodies, newConsumer, newProducer } from './fixtures/push-support.js';

test('broadcasting: 3 consumers each get every message; offsets live in local files and survive a restart', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-bcast-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const topic = unique('T_bcast');
  const group = unique('CG_bcast');
  await cluster.createTopic(topic, 4);
  const p = await newProducer(cluster);
  const got: MessageExt[][] = [[], [], []];
  const cs = [0, 1, 2].map((i) => {
    const c = newConsumer(cluster, {
      group, messageModel: 'BROADCASTING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', offsetStorePath: join(dir, `c${i}.json`),
    });
    c.subscribe(topic).onMessage((msgs) => void got[i]?.push(...msgs));
    return c;
  });
  for (const c of cs) await c.start();
  await waitFor(() => cs.every((c) => c.assignedQueues.length === 4), { what: 'all queues everywhere' });
  const n = 30;
  for (let i = 0; i < n; i++) await p.send({ topic, body: `b-${i}` });
  await waitFor(() => got.every((g) => new Set(bodies(g)).size >= n), { what: 'everything everywhere', timeoutMs: 15_000 });
  await cs[0]?.shutdown();
  const file = JSON.parse(readFileSync(join(dir, 'c0.json'), 'utf8')) as { offsetTable: { queueId: number; offset: number }[] };
  const total = file.offsetTable.reduce((s, r) => s + r.offset, 0);
  assert.equal(total, n, `offsets in the file: ${JSON.stringify(file.offsetTable)}`);
  // Restarted from its file, the consumer gets only what is new.
  for (let i = n; i < n + 5; i++) await p.send({ topic, body: `b-${i}` });
  const again: MessageExt[] = [];
  const c0 = newConsumer(cluster, {
    group, messageModel: 'BROADCASTING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', offsetStorePath: join(dir, 'c0.json'),
  });
  c0.subscribe(topic).onMessage((msgs) => void again.push(...msgs));
  await c0.start();
  await waitFor(() => again.length >= 5, { what: 'the 5 new messages', timeoutMs: 15_000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(bodies(again).sort(), ['b-30', 'b-31', 'b-32', 'b-33', 'b-34']);
});

test('RECONSUME_LATER: redelivered with reconsumeTimes 1, 2, then parked in %DLQ%group', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { store: SHORT_DELAYS });
  const topic = unique('T_retry');
  const group = unique('CG_retry');
  await cluster.createTopic(topic, 2);
  const p = await newProducer(cluster);
  const attempts: MessageExt[] = [];
  const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', maxReconsumeTimes: 2 });
  c.subscribe(topic).onMessage((msgs) => {
    attempts.push(...msgs);
    if (msgs.some((m) => m.body.toString() === 'boom')) throw new Error('cannot handle it');
    return msgs.some((m) => m.body.toString() === 'bad') ? 'RECONSUME_LATER' : 'SUCCESS';
  });
  await c.start();
  const sent = await p.send({ topic, body: 'bad', tags: 'X', keys: ['bad-key'], properties: { a: '1' } });
  await p.send({ topic, body: 'boom' });
  await p.send({ topic, body: 'good' });
  await waitFor(() => attempts.filter((m) => m.body.toString() === 'bad').length >= 3, { what: '3 attempts of bad', timeoutMs: 30_000 });
  await waitFor(() => attempts.filter((m) => m.body.toString() === 'boom').length >= 3, { what: '3 attempts of boom', timeoutMs: 30_000 });
  const bad = attempts.filter((m) => m.body.toString() === 'bad');
  assert.deepEqual(bad.map((m) => m.reconsumeTimes), [0, 1, 2]);
  for (const m of bad) {
    assert.equal(m.topic, topic, 'retried messages show their original topic');
    assert.equal(m.tags, 'X');
    assert.deepEqual(m.keys, ['bad-key']);
    assert.equal(m.properties.a, '1');
    assert.equal(m.msgId, sent.msgId);
  }
  assert.equal(attempts.filter((m) => m.body.toString() === 'good').length, 1);
  const store = cluster.brokers[0]?.context.store;
  assert.ok(store);
  const dlq = `%DLQ%${group}`;
  await waitFor(() => store.getMaxOffsetInQueue(dlq, 0) >= 2, { what: 'two messages in the DLQ', timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(attempts.filter((m) => m.body.toString() === 'bad').length, 3, 'no fourth attempt');
  assert.equal(store.getMaxOffsetInQueue(dlq, 0), 2);
});

test('RECONSUME_LATER when the broker refuses CONSUMER_SEND_MSG_BACK: the inner producer sends the copy to %RETRY%group', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { store: SHORT_DELAYS });
  const topic = unique('T_retry_fb');
  const group = unique('CG_retry_fb');
  await cluster.createTopic(topic, 1);
  const broker = cluster.brokers[0];
  assert.ok(broker);
  let refused = 0;
  broker.context.server.registerProcessor(RequestCode.CONSUMER_SEND_MSG_BACK, (req) => {
    refused++;
    return Promise.resolve(createResponseFor(req, ResponseCode.SYSTEM_ERROR, 'send-back refused by the test'));
  });
  const p = await newProducer(cluster);
  const attempts: MessageExt[] = [];
  const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', maxReconsumeTimes: 2 });
  c.on('error', () => undefined); // the refused send-backs
  c.subscribe(topic).onMessage((msgs) => {
    attempts.push(...msgs);
    return 'RECONSUME_LATER';
  });
  await c.start();
  const sent = await p.send({ topic, body: 'bad', tags: 'X', keys: ['fb-key'], properties: { a: '1' } });
  await waitFor(() => attempts.length >= 2, { what: 'a redelivery through the retry topic', timeoutMs: 30_000 });
  assert.ok(refused >= 1, 'the broker refused the send-back');
  const [first, second] = attempts;
  assert.ok(first && second);
  assert.equal(first.reconsumeTimes, 0);
  assert.equal(second.reconsumeTimes, 1);
  assert.equal(second.msgId, sent.msgId, 'the copy keeps the msgId (UNIQ_KEY)');
  assert.equal(second.topic, topic, 'the copy shows its original topic');
  assert.equal(second.tags, 'X');
  assert.deepEqual(second.keys, ['fb-key']);
  assert.equal(second.properties.a, '1');
  assert.equal(second.properties.ORIGIN_MESSAGE_ID, sent.msgId);
  // The second copy carries reconsumeTimes 2 = maxReconsumeTimes in its header: the broker parks it in the DLQ
  // (as with Java's fallback, whose copy counts one more than CONSUMER_SEND_MSG_BACK would).
  const store = broker.context.store;
  await waitFor(() => store.getMaxOffsetInQueue(`%DLQ%${group}`, 0) >= 1, { what: 'the copy in the DLQ', timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(attempts.length, 2, 'no third attempt');
});
