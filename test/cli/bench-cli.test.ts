/**
 * `orbit bench producer|consumer` as subprocesses with tiny durations, so the
 * load tools cannot silently rot. No timing assertions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCluster } from '../support/cluster.js';
import { assertError, orbit, orbitHuman } from './support.js';

test('orbit bench producer and consumer print per-second lines and a summary', async (t) => {
  const c = await startCluster(t);
  const ns = ['-n', c.namesrvAddr];
  const topic = `CliBench_${process.pid}`;
  await c.createTopic(topic, 4);
  const [consumer, producer] = await Promise.all([
    orbit(['bench', 'consumer', '-t', topic, '--duration', '4', '--json', ...ns], { timeoutMs: 60_000 }),
    orbitHuman(['bench', 'producer', '-t', topic, '--duration', '2', '--size', '128', '--threads', '8', '--auto-batch', ...ns]),
  ]);
  assert.match(producer.stdout, /Send TPS: \d+ Max RT\(ms\): [\d.]+ Average RT\(ms\): [\d.-]+ Send Failed: 0/);
  const sent = /sent (\d+) messages of 128 B in 2 s: \d+ msg\/s/.exec(producer.stdout);
  assert.ok(sent !== null, producer.stdout);
  // The summaries count every acknowledged send and every handled message,
  // also those after the last per-second line (sends still in flight when the
  // duration ends): they match what the broker stored.
  const store = c.brokers[0]?.context.store;
  assert.ok(store !== undefined);
  let stored = 0;
  for (let q = 0; q < 4; q++) stored += store.getMaxOffsetInQueue(topic, q);
  assert.ok(stored > 0);
  assert.equal(Number(sent[1]), stored);
  assert.equal(consumer.code, 0, consumer.stderr);
  const doc: unknown = JSON.parse(consumer.stdout);
  assert.ok(typeof doc === 'object' && doc !== null && 'samples' in doc && Array.isArray(doc.samples), consumer.stdout);
  assert.ok('consumed' in doc, consumer.stdout);
  assert.equal(doc.consumed, stored);
  assert.ok(doc.samples.length >= 2);
  for (const sample of doc.samples as unknown[]) assert.ok(typeof sample === 'object' && sample !== null && 'consumeTps' in sample);
  assertError(await orbit(['bench', 'producer', '-t', 'NoSuchTopic', '--duration', '1', ...ns]), 2, /NoSuchTopic/);
  assertError(await orbit(['bench', 'producer', '-t', topic, '--threads', '0', ...ns]), 64, /--threads/);
});
