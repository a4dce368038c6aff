/**
 * Orderly push consumption: 4 consumers over 8 queues, members joining while
 * keyed messages flow. Per key the sequence is strictly increasing in the
 * order the listeners saw it, and no key is ever in two listener calls at
 * once (broker locks; a queue changes hands only after its owner finished its
 * call, committed and unlocked).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PushConsumer } from '../../src/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { newConsumer, newProducer } from './fixtures/push-support.js';

test('orderly: per-key order over 8 queues with 4 consumers, one consumer per key at a time', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_order');
  const group = unique('CG_order');
  await cluster.createTopic(topic, 8);
  const p = await newProducer(cluster);
  const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
  const perKey = 40;
  const seen: { key: string; seq: number; consumer: number }[] = [];
  const active = new Map<string, number>();
  const overlaps: string[] = [];
  const consumers: PushConsumer[] = [];
  const startConsumer = async (idx: number): Promise<void> => {
    const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
    c.subscribe(topic).onMessageOrderly(async (msgs) => {
      for (const m of msgs) {
        const [key = '', seq = '-1'] = m.body.toString().split(':');
        const holder = active.get(key);
        if (holder !== undefined) overlaps.push(`${key} in ${holder} and ${idx}`);
        active.set(key, idx);
        await new Promise((r) => setTimeout(r, 1));
        seen.push({ key, seq: Number(seq), consumer: idx });
        active.delete(key);
      }
    });
    await c.start();
    consumers.push(c);
  };
  await startConsumer(0);
  let sent = 0;
  const send = async (upTo: number): Promise<void> => {
    for (; sent < upTo; sent++) {
      const key = keys[sent % keys.length] ?? 'key-0';
      const seq = Math.floor(sent / keys.length);
      await p.send({ topic, body: `${key}:${seq}`, keys: [key] }, { shardingKey: key });
    }
  };
  const total = keys.length * perKey;
  await send(total / 4);
  await startConsumer(1);
  await send(total / 2);
  await startConsumer(2);
  await send((3 * total) / 4);
  await startConsumer(3);
  await send(total);
  await waitFor(() => new Set(seen.map((s) => `${s.key}:${s.seq}`)).size >= total, { what: 'every keyed message', timeoutMs: 60_000 });
  await waitFor(
    () => consumers.every((c) => c.assignedQueues.filter((q) => q.topic === topic).length === 2),
    { what: 'a 2-queue share each', timeoutMs: 20_000 },
  );
  assert.deepEqual(overlaps, []);
  for (const key of keys) {
    const seqs = seen.filter((s) => s.key === key).map((s) => s.seq);
    for (let i = 1; i < seqs.length; i++) {
      assert.ok((seqs[i] ?? 0) > (seqs[i - 1] ?? 0), `${key}: ${seqs.join(',')}`);
    }
    assert.equal(seqs.length, perKey, `${key} delivered once each`);
  }
  assert.ok(new Set(seen.map((s) => s.consumer)).size >= 2, 'several consumers took part');
  const handedOver = keys.filter((k) => new Set(seen.filter((s) => s.key === k).map((s) => s.consumer)).size > 1);
  assert.ok(handedOver.length > 0, 'some keys changed hands mid-stream');
});

test('orderly: SUSPEND_CURRENT_QUEUE_A_MOMENT retries the same message locally before the next; hooks see every call', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_suspend');
  await cluster.createTopic(topic, 1);
  const p = await newProducer(cluster);
  const calls: { body: string; reconsumeTimes: number }[] = [];
  const hookCalls: string[] = [];
  const c = newConsumer(cluster, {
    group: unique('CG_suspend'),
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    hooks: {
      beforeConsume: (ctx) => void hookCalls.push(`before:${ctx.messages.length}:${String(ctx.orderly)}`),
      afterConsume: (_ctx, outcome) => void hookCalls.push(`after:${outcome.status}`),
    },
  });
  c.subscribe(topic).onMessageOrderly((msgs) => {
    const m = msgs[0];
    if (m === undefined) return 'SUCCESS';
    calls.push({ body: m.body.toString(), reconsumeTimes: m.reconsumeTimes });
    if (m.body.toString() === 'first' && m.reconsumeTimes < 2) {
      if (m.reconsumeTimes === 1) throw new Error('still not ready');
      return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
    }
    return 'SUCCESS';
  });
  await c.start();
  await p.send({ topic, body: 'first' });
  await p.send({ topic, body: 'second' });
  await waitFor(() => calls.some((x) => x.body === 'second'), { what: 'second', timeoutMs: 15_000 });
  assert.deepEqual(calls, [
    { body: 'first', reconsumeTimes: 0 }, { body: 'first', reconsumeTimes: 1 }, { body: 'first', reconsumeTimes: 2 }, { body: 'second', reconsumeTimes: 0 },
  ]);
  assert.deepEqual(hookCalls, [
    'before:1:true', 'after:SUSPEND_CURRENT_QUEUE_A_MOMENT', 'before:1:true', 'after:SUSPEND_CURRENT_QUEUE_A_MOMENT',
    'before:1:true', 'after:SUCCESS', 'before:1:true', 'after:SUCCESS',
  ]);
});
