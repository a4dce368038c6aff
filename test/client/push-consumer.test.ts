/**
 * PushConsumer against a real OrbitMQ: clustering delivery across queues and
 * members, tag filtering, offsets committed at shutdown, consume-from-where
 * for a new group.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageExt, RebalanceChange } from '../../src/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { bodies, newConsumer, newProducer } from './fixtures/push-support.js';

test('clustering: two members split 4 queues and together get every message once', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_push');
  const group = unique('CG_push');
  await cluster.createTopic(topic, 4);
  const p = await newProducer(cluster);
  const got: MessageExt[][] = [[], []];
  const changes: RebalanceChange[] = [];
  const cs = [0, 1].map((i) => {
    const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    c.subscribe(topic, '*').onMessage((msgs) => void got[i]?.push(...msgs));
    c.on('rebalance', (ch) => changes.push(ch));
    return c;
  });
  for (const c of cs) await c.start();
  await waitFor(() => cs.every((c) => c.assignedQueues.filter((q) => q.topic === topic).length === 2), { what: 'a 2/2 split', timeoutMs: 15_000 });
  const owned = cs.flatMap((c) => c.assignedQueues.filter((q) => q.topic === topic).map((q) => q.queueId)).sort();
  assert.deepEqual(owned, [0, 1, 2, 3]);
  const n = 80;
  for (let i = 0; i < n; i++) await p.send({ topic, body: `m-${i}`, tags: 'A', keys: [`k-${i}`], properties: { idx: String(i) } });
  await waitFor(() => (got[0]?.length ?? 0) + (got[1]?.length ?? 0) >= n, { what: 'all messages', timeoutMs: 20_000 });
  const all = [...(got[0] ?? []), ...(got[1] ?? [])];
  assert.equal(new Set(bodies(all)).size, n);
  assert.ok((got[0]?.length ?? 0) > 0 && (got[1]?.length ?? 0) > 0, 'both members consumed');
  assert.equal(new Set(all.map((m) => m.queueId)).size, 4, 'every queue delivered');
  const m5 = all.find((m) => m.body.toString() === 'm-5');
  assert.equal(m5?.tags, 'A');
  assert.deepEqual(m5?.keys, ['k-5']);
  assert.equal(m5?.properties.idx, '5');
  assert.ok(changes.some((ch) => ch.topic === topic && ch.added.length > 0), 'rebalance events');
});

test('tag expression: only subscribed tags reach the listener', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_tags');
  await cluster.createTopic(topic, 2);
  const p = await newProducer(cluster);
  const got: MessageExt[] = [];
  const c = newConsumer(cluster, { group: unique('CG_tags'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeBatchMaxSize: 4 });
  c.subscribe(topic, 'A || C').onMessage((msgs) => void got.push(...msgs));
  await c.start();
  for (let i = 0; i < 30; i++) await p.send({ topic, body: `t-${i}`, tags: ['A', 'B', 'C'][i % 3] ?? 'A' });
  await waitFor(() => got.length >= 20, { what: '20 messages', timeoutMs: 15_000 });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, 20);
  assert.ok(got.every((m) => m.tags === 'A' || m.tags === 'C'));
});

test('shutdown commits offsets: the next consumer of the group resumes exactly there', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_resume');
  const group = unique('CG_resume');
  await cluster.createTopic(topic, 4);
  const p = await newProducer(cluster);
  const first: MessageExt[] = [];
  const c1 = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', persistConsumerOffsetIntervalMs: 60_000 });
  c1.subscribe(topic).onMessage(async (msgs) => {
    await new Promise((r) => setTimeout(r, 5));
    first.push(...msgs);
  });
  await c1.start();
  for (let i = 0; i < 40; i++) await p.send({ topic, body: `a-${i}` });
  await waitFor(() => first.length >= 40, { what: 'first batch', timeoutMs: 15_000 });
  await c1.shutdown();
  for (let i = 0; i < 20; i++) await p.send({ topic, body: `b-${i}` });
  const second: MessageExt[] = [];
  const c2 = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  c2.subscribe(topic).onMessage((msgs) => void second.push(...msgs));
  await c2.start();
  await waitFor(() => second.length >= 20, { what: 'second batch', timeoutMs: 15_000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(bodies(second).sort(), Array.from({ length: 20 }, (_, i) => `b-${i}`).sort());
  assert.equal(new Set(bodies(first)).size, 40);
});

test('consume-from-where for a new group: RocketMQ rule, then LAST / FIRST / TIMESTAMP once the head left memory', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_from');
  await cluster.createTopic(topic, 2);
  const p = await newProducer(cluster);
  for (let i = 0; i < 10; i++) await p.send({ topic, body: `old-${i}` });
  await new Promise((r) => setTimeout(r, 20));
  const mid = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 6; i++) await p.send({ topic, body: `mid-${i}` });

  const run = async (from: 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP'): Promise<string[]> => {
    const got: MessageExt[] = [];
    const c = newConsumer(cluster, { group: unique('CG_from'), consumeFromWhere: from, consumeTimestamp: mid });
    c.subscribe(topic).onMessage((msgs) => void got.push(...msgs));
    await c.start();
    await waitFor(() => c.assignedQueues.filter((q) => q.topic === topic).length === 2, { what: 'queues' });
    // The start offsets are computed just after the assignment: resend the marker until one arrives.
    const marker = `new-${from}`;
    await waitFor(async () => {
      await p.send({ topic, body: marker });
      return got.some((m) => m.body.toString() === marker);
    }, { what: `marker for ${from}`, timeoutMs: 15_000, intervalMs: 300 });
    await new Promise((r) => setTimeout(r, 200));
    await c.shutdown();
    return bodies(got);
  };

  // The broker answers a brand-new group with offset 0 while the queue's first message is in memory (RocketMQ's rule).
  const inMemory = await run('CONSUME_FROM_LAST_OFFSET');
  assert.ok(inMemory.includes('old-0'), 'new group starts at 0 while the head is in memory');

  // Simulate a queue whose head left the page cache: the broker now says QUERY_NOT_FOUND and the client applies its policy.
  const store = cluster.brokers[0]?.context.store;
  assert.ok(store);
  t.mock.method(store, 'checkInDiskByConsumeOffset', () => true);
  const last = await run('CONSUME_FROM_LAST_OFFSET');
  assert.ok(!last.some((b) => b.startsWith('old-') || b.startsWith('mid-')), `LAST got ${last.join(',')}`);
  const first = await run('CONSUME_FROM_FIRST_OFFSET');
  assert.ok(first.includes('old-0') && first.includes('mid-5'));
  const ts = await run('CONSUME_FROM_TIMESTAMP');
  assert.ok(!ts.some((b) => b.startsWith('old-')), `TIMESTAMP got ${ts.join(',')}`);
  assert.ok(Array.from({ length: 6 }, (_, i) => `mid-${i}`).every((b) => ts.includes(b)));
});
