/**
 * Producer robustness with two brokers: sends keep succeeding when a broker
 * dies (retry on the other broker, then latency fault avoidance), and routes
 * are refreshed on the poll interval.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer } from '../../src/index.js';
import { makeTopicConfig } from '../../src/broker/topic-config-manager.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';

test('sends continue on the surviving broker when one of two is closed mid-stream', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { brokers: 2 });
  const topic = unique('T_failover');
  await cluster.createTopic(topic, 4);
  const p = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('fg'), instanceName: unique('f'), sendTimeoutMs: 5_000 });
  cluster.track(() => p.shutdown());
  await p.start();
  const byBroker = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    if (i === 10) await cluster.brokers[0]?.close(0);
    const r = await p.send({ topic, body: `m${i}` });
    assert.equal(r.status, 'SEND_OK');
    if (i >= 10) assert.equal(r.messageQueue.brokerName, 'broker-b', `send ${i} went to ${r.messageQueue.brokerName}`);
    byBroker.set(r.messageQueue.brokerName, (byBroker.get(r.messageQueue.brokerName) ?? 0) + 1);
  }
  assert.ok((byBroker.get('broker-a') ?? 0) > 0, 'broker-a took sends before it was closed');
  assert.ok((byBroker.get('broker-b') ?? 0) >= 30);
});

test('routes are refreshed: a broker added later receives sends', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { brokers: 1 });
  const topic = unique('T_refresh');
  await cluster.createTopic(topic, 2);
  const p = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('rg'), instanceName: unique('r'), pollNameServerIntervalMs: 100 });
  cluster.track(() => p.shutdown());
  await p.start();
  assert.deepEqual(new Set((await p.fetchPublishMessageQueues(topic)).map((q) => q.brokerName)), new Set(['broker-a']));
  const b = await cluster.startBroker('broker-z');
  b.context.topics.update(makeTopicConfig(topic, 2));
  await b.registerBrokerAll();
  await waitFor(async () => (await p.fetchPublishMessageQueues(topic)).some((q) => q.brokerName === 'broker-z'), { what: 'broker-z in the route' });
  const brokers = new Set<string>();
  for (let i = 0; i < 8; i++) brokers.add((await p.send({ topic, body: `r${i}` })).messageQueue.brokerName);
  assert.ok(brokers.has('broker-z'));
});
