/**
 * Membership changes under a steady stream: a consumer joins and another
 * leaves while messages flow; the union of what the members consumed covers
 * everything sent (at least once), proven by SequenceStamper / LossDetector.
 * Also: RESET_CONSUMER_CLIENT_OFFSET semantics through the handle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LossDetector, MQClientInstance, SequenceStamper, type MessageExt, type PushConsumer } from '../../src/index.js';
import { RequestCode, ResetOffsetRequestHeader, createRequest } from '../../src/protocol/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { bodies, newConsumer, newProducer } from './fixtures/push-support.js';

test('a consumer joining and one leaving during a steady stream lose nothing', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t, { brokers: 2 });
  const topic = unique('T_churn');
  const group = unique('CG_churn');
  await cluster.createTopic(topic, 4);
  const p = await newProducer(cluster);
  const stamper = new SequenceStamper('churn');
  const det = new LossDetector();
  const counts = new Map<string, number>();
  const start = async (name: string): Promise<PushConsumer> => {
    const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeConcurrency: 4 });
    c.subscribe(topic).onMessage(async (msgs) => {
      await new Promise((r) => setTimeout(r, 1));
      for (const m of msgs) det.observe(m.properties, m);
      counts.set(name, (counts.get(name) ?? 0) + msgs.length);
    });
    await c.start();
    return c;
  };
  const a = await start('a');
  const b = await start('b');
  const n = 600;
  let stop = false;
  const sending = (async () => {
    for (let i = 0; i < n && !stop; i++) {
      await p.send({ topic, body: `c-${i}`, properties: stamper.stamp() });
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
  })();
  t.after(() => {
    stop = true;
  });
  await waitFor(() => stamper.sent >= n / 4, { what: 'a quarter sent', timeoutMs: 30_000 });
  const c = await start('c');
  await waitFor(() => stamper.sent >= n / 2, { what: 'half sent', timeoutMs: 30_000 });
  await a.shutdown();
  await waitFor(() => stamper.sent >= (3 * n) / 4, { what: 'three quarters sent', timeoutMs: 30_000 });
  await sending;
  await waitFor(() => det.isComplete({ churn: stamper.sent }), {
    what: `everything consumed: ${JSON.stringify(det.report({ churn: stamper.sent })[0]?.gaps.slice(0, 5))}`, timeoutMs: 60_000,
  });
  const report = det.report({ churn: stamper.sent })[0];
  assert.equal(report?.missing, 0);
  assert.equal(report?.received, n);
  assert.ok((counts.get('c') ?? 0) > 0, 'the joiner consumed');
  // 8 queues over the two survivors.
  await waitFor(() => [b, c].every((x) => x.assignedQueues.filter((q) => q.topic === topic).length === 4), { what: '4 + 4', timeoutMs: 15_000 });
  t.diagnostic(`counts ${JSON.stringify(Object.fromEntries(counts))}, duplicates ${report?.duplicates ?? 0}`);
});

test('RESET_CONSUMER_CLIENT_OFFSET moves a running consumer back', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_reset');
  const group = unique('CG_reset');
  await cluster.createTopic(topic, 1);
  const p = await newProducer(cluster);
  const got: MessageExt[] = [];
  const c = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  c.subscribe(topic).onMessage((msgs) => void got.push(...msgs));
  await c.start();
  for (let i = 0; i < 10; i++) await p.send({ topic, body: `r-${i}` });
  await waitFor(() => got.length >= 10, { what: 'first pass' });
  // What a broker sends for an admin reset (Broker2Client.resetOffset): oneway, offsets keyed by MessageQueue objects (fastjson).
  const mq = c.assignedQueues.find((q) => q.topic === topic);
  assert.ok(mq);
  const channel = cluster.brokers[0]?.context.consumers.getConsumerGroupInfo(group)?.allChannels()[0];
  assert.ok(channel);
  const body = `{"offsetTable":{{"brokerName":"${mq.brokerName}","queueId":0,"topic":"${topic}"}:6}}`;
  channel.invokeOneway(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
    extFields: ResetOffsetRequestHeader.encode({ topic, group, timestamp: 0, isForce: true }), body: Buffer.from(body), oneway: true,
  }));
  await waitFor(() => got.length >= 14, { what: 'replay from 6' });
  assert.deepEqual(bodies(got.slice(10)), ['r-6', 'r-7', 'r-8', 'r-9']);
  const inspect = new MQClientInstance({ namesrvAddr: cluster.namesrvAddr, instanceName: unique('insp') });
  t.after(() => inspect.shutdown());
  await c.shutdown();
  await inspect.updateTopicRoute(topic);
  const addr = inspect.findBrokerAddressInSubscribe(mq.brokerName)?.addr ?? '';
  assert.equal(await inspect.api.queryConsumerOffset(addr, { consumerGroup: group, topic, queueId: 0 }), 10);
});
