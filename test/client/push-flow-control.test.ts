/**
 * consumeConcurrentlyMaxSpan: while one slow message holds a queue's commit
 * offset back, the push consumer stops pulling that queue once the newest
 * pulled message is more than the span ahead of it, and resumes when the
 * slow one is done (DefaultMQPushConsumerImpl's flow control).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { newConsumer, newProducer } from './fixtures/push-support.js';

test('a message stuck in the listener pauses pulling past consumeConcurrentlyMaxSpan; everything arrives once it is done', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_span');
  await cluster.createTopic(topic, 1);
  const p = await newProducer(cluster);
  for (let i = 0; i < 60; i++) await p.send({ topic, body: `m${i}` });

  let release: () => void = () => undefined;
  const stuck = new Promise<void>((r) => {
    release = r;
  });
  const seen = new Set<number>();
  const c = newConsumer(cluster, { group: unique('CG_span'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', pullBatchSize: 4, consumeConcurrentlyMaxSpan: 10 });
  c.subscribe(topic).onMessage(async ([m]): Promise<'SUCCESS'> => {
    if (m === undefined) return 'SUCCESS';
    seen.add(m.queueOffset);
    if (m.queueOffset === 0) await stuck;
    return 'SUCCESS';
  });
  await c.start();
  try {
    await waitFor(() => seen.size >= 11, { what: 'the first span of messages', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const highest = Math.max(...seen);
    // Pulls stop once the newest pulled offset is more than 10 past offset 0; one pull (4 messages) may be in flight.
    assert.ok(highest <= 10 + 4, `pulled up to offset ${highest} while offset 0 was stuck`);
    assert.ok(seen.size < 60);
  } finally {
    release(); // else the consumer's shutdown would wait for the stuck listener forever
  }
  await waitFor(() => seen.size === 60, { what: 'all 60 messages after the slow one finished', timeoutMs: 15_000 });
});
