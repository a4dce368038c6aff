/**
 * ali-ons 3.12 — a RocketMQ 4.x client written by others — against a real
 * OrbitMQ (name server + broker on loopback), unchanged. One cluster serves
 * the whole file (ali-ons keeps a process-wide inner producer), each test has
 * its own topics and groups.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Consumer, Message, Producer } from 'ali-ons';
import type { ClientOptions } from 'ali-ons';
import { onsOptions, trackOnsInnerProducer } from '../support/ali-ons.js';
import { startCluster, waitFor } from '../support/cluster.js';
import type { TestCluster } from '../support/cluster.js';

let instance = 0;
let cluster: TestCluster;

interface Hook {
  after(fn: () => Promise<void>): void;
}

function options(): ClientOptions {
  return onsOptions(cluster, `orbit-test-${process.pid}-${instance++}`);
}

async function producer(t: Hook, group: string): Promise<Producer> {
  const p = new Producer({ ...options(), producerGroup: group });
  await p.ready();
  t.after(() => p.close());
  return p;
}

interface Received {
  body: string;
  tags: string | null;
  keys: string;
  queueId: number;
  props: Record<string, string>;
}

type Handler = (msg: Received) => Promise<symbol | void>;

async function consumer(
  t: Hook | undefined,
  group: string,
  topic: string,
  expr: string,
  sink: Received[],
  extra: { consumeFromWhere?: string; onMessage?: Handler } = {},
): Promise<Consumer> {
  const c = new Consumer({
    ...options(),
    consumerGroup: group,
    persistConsumerOffsetInterval: 200,
    rebalanceInterval: 300,
    consumeFromWhere: extra.consumeFromWhere ?? 'CONSUME_FROM_FIRST_OFFSET',
  });
  c.on('error', () => undefined);
  c.subscribe(topic, expr, async (msg) => {
    const r: Received = {
      body: msg.body.toString(),
      tags: msg.tags,
      keys: Array.isArray(msg.keys) ? msg.keys.join(' ') : String(msg.keys ?? ''),
      queueId: msg.queueId,
      props: msg.properties,
    };
    sink.push(r);
    return extra.onMessage?.(r);
  });
  await c.ready();
  t?.after(() => c.close());
  return c;
}

describe('ali-ons against OrbitMQ', { timeout: 180_000 }, () => {
  const teardown: (() => void | Promise<void>)[] = [];
  after(async () => {
    for (const fn of teardown) await fn();
  });
  before(async () => {
    cluster = await startCluster({ after: (fn) => void teardown.push(fn) });
    trackOnsInnerProducer(cluster);
  });

  test('produces and consumes across several queues, keys and properties intact', async (t) => {
    await cluster.createTopic('Basic', 4);
    const p = await producer(t, 'PG_basic');
    const got: Received[] = [];
    await consumer(t, 'CG_basic', 'Basic', '*', got);
    const queues = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const m = new Message('Basic', 'TagA', `hello-${i}`);
      m.keys = [`key-${i}`];
      m.properties.color = i % 2 ? 'red' : 'blue';
      const r = await p.send(m);
      assert.equal(r.sendStatus, 'SEND_OK');
      queues.add(r.messageQueue.queueId);
    }
    assert.ok(queues.size >= 2, 'messages were spread over several queues');
    await waitFor(() => got.length >= 40, { timeoutMs: 30_000, what: '40 messages' });
    assert.deepEqual(new Set(got.map((g) => g.body)), new Set(Array.from({ length: 40 }, (_, i) => `hello-${i}`)));
    assert.ok(got.every((g) => g.tags === 'TagA'));
    const seven = got.find((g) => g.body === 'hello-7');
    assert.equal(seven?.keys, 'key-7');
    assert.equal(seven?.props.color, 'red');
  });

  test('a tag subscription with || receives only the chosen tags', async (t) => {
    await cluster.createTopic('Tagged', 4);
    const p = await producer(t, 'PG_tags');
    const got: Received[] = [];
    await consumer(t, 'CG_tags', 'Tagged', 'TagA || TagC', got);
    for (let i = 0; i < 30; i++) await p.send(new Message('Tagged', ['TagA', 'TagB', 'TagC'][i % 3] ?? 'TagA', `m-${i}`));
    await waitFor(() => got.length >= 20, { timeoutMs: 30_000, what: 'the TagA and TagC messages' });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(got.length, 20);
    assert.ok(got.every((g) => g.tags === 'TagA' || g.tags === 'TagC'));
  });

  test('two consumers of a group share the queues while a second group receives everything', async (t) => {
    await cluster.createTopic('Shared', 8);
    const p = await producer(t, 'PG_shared');
    const a: Received[] = [];
    const b: Received[] = [];
    const other: Received[] = [];
    await consumer(t, 'CG_shared', 'Shared', '*', a);
    await consumer(t, 'CG_shared', 'Shared', '*', b);
    await consumer(t, 'CG_other', 'Shared', '*', other);
    // Wait until the group has rebalanced: both members hold queues.
    const ctx = cluster.brokers[0]?.context;
    await waitFor(() => (ctx?.consumers.getConsumerGroupInfo('CG_shared')?.allClientIds().length ?? 0) === 2, { what: 'two members' });
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 80; i++) await p.send(new Message('Shared', 'T', `s-${i}`));
    await waitFor(() => a.length + b.length >= 80 && other.length >= 80, { timeoutMs: 30_000, what: 'all messages in both groups' });
    assert.ok(a.length > 0 && b.length > 0, `both members consumed (${a.length} / ${b.length})`);
    const qa = new Set(a.map((m) => m.queueId));
    const qb = new Set(b.map((m) => m.queueId));
    assert.ok([...qa].every((q) => !qb.has(q)), 'no queue is consumed by both members');
    assert.equal(new Set([...a, ...b].map((m) => m.body)).size, 80);
    assert.equal(new Set(other.map((m) => m.body)).size, 80);
  });

  test('a restarted consumer resumes from its committed offset', async (t) => {
    await cluster.createTopic('Resume', 2);
    const p = await producer(t, 'PG_resume');
    const first: Received[] = [];
    const c1 = await consumer(undefined, 'CG_resume', 'Resume', '*', first);
    for (let i = 0; i < 20; i++) await p.send(new Message('Resume', 'T', `r-${i}`));
    await waitFor(() => first.length >= 20, { timeoutMs: 30_000, what: 'the first 20' });
    await c1.close(); // persists offsets to the broker
    for (let i = 20; i < 30; i++) await p.send(new Message('Resume', 'T', `r-${i}`));
    const second: Received[] = [];
    await consumer(t, 'CG_resume', 'Resume', '*', second, { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    await waitFor(() => second.length >= 10, { timeoutMs: 30_000, what: 'the 10 new messages' });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(second.map((m) => m.body).sort(), Array.from({ length: 10 }, (_, i) => `r-${i + 20}`).sort());
  });

  test('messages with the same sharding key arrive in order', async (t) => {
    await cluster.createTopic('Ordered', 4);
    const p = await producer(t, 'PG_order');
    const got: Received[] = [];
    await consumer(t, 'CG_order', 'Ordered', '*', got);
    // ali-ons 3.12 maps a key whose md5 lands on queue 0 to round robin
    // (`queueIds[i] || ''` in topic_publish_info.js): a client bug, so the keys avoid it.
    const keys = Array.from({ length: 40 }, (_, i) => `order-${i}`)
      .filter((k) => createHash('md5').update(k).digest().readUInt32BE() % 4 !== 0)
      .slice(0, 5);
    for (let seq = 0; seq < 20; seq++) {
      for (const k of keys) {
        const m = new Message('Ordered', 'T', `${k}:${seq}`);
        m.shardingKey = k;
        await p.send(m);
      }
    }
    await waitFor(() => got.length >= 100, { timeoutMs: 30_000, what: '100 ordered messages' });
    for (const k of keys) {
      const seqs = got.filter((g) => g.body.startsWith(`${k}:`)).map((g) => Number(g.body.split(':')[1]));
      assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i), `key ${k} in order`);
      assert.equal(new Set(got.filter((g) => g.body.startsWith(`${k}:`)).map((g) => g.queueId)).size, 1, `key ${k} on one queue`);
    }
  });
});
