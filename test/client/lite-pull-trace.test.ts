/**
 * A traced LitePullConsumer: messages handed out by poll() and by `for await`
 * get SubBefore/SubAfter records (SUCCESS, at hand-out, as the Java lite pull
 * consumer records them), found by queryTrace next to the producer's Pub.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdminClient } from '../../src/client/admin/index.js';
import { LitePullConsumer, Producer, queryTrace, type MessageTrace } from '../../src/client/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';

test('lite pull trace: SubBefore/SubAfter per handed-out message, by poll() and by for await', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_lptrace');
  const group = unique('CG_lptrace');
  await cluster.createTopic(topic, 1);
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('PG_lptrace'), instanceName: unique('lp'), trace: { flushIntervalMs: 100 } });
  await producer.start();
  cluster.track(() => producer.shutdown());
  const first = await producer.send({ topic, body: 'one' });

  const consumer = new LitePullConsumer({
    namesrvAddr: cluster.namesrvAddr, group, instanceName: unique('lpc'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', trace: { flushIntervalMs: 100 },
  });
  consumer.subscribe(topic);
  await consumer.start();
  cluster.track(() => consumer.shutdown());
  const polled = await waitFor(async () => {
    const got = await consumer.poll({ timeoutMs: 500 });
    return got.length > 0 ? got : undefined;
  }, { what: 'the first message by poll()', timeoutMs: 15_000 });
  assert.deepEqual(polled.map((m) => m.msgId), [first.msgId]);

  const second = await producer.send({ topic, body: 'two' });
  for await (const m of consumer) {
    assert.equal(m.msgId, second.msgId);
    break;
  }

  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  cluster.track(() => admin.close());
  const traceOf = async (msgId: string): Promise<MessageTrace | undefined> => {
    const tr = await queryTrace(admin, msgId).catch(() => undefined);
    return tr !== undefined && tr.publish.length === 1 && tr.consumes.some((c) => c.status !== 'pending') ? tr : undefined;
  };
  for (const sent of [first, second]) {
    const tr = await waitFor(() => traceOf(sent.msgId), { what: `the trace of ${sent.msgId}`, timeoutMs: 15_000 });
    assert.equal(tr.consumes.length, 1);
    const [c] = tr.consumes;
    assert.ok(c !== undefined);
    assert.equal(c.consumerGroup, group);
    assert.equal(c.clientId, consumer.clientId);
    assert.equal(c.retryTimes, 0);
    assert.equal(c.success, true);
    assert.equal(c.returnType, 'SUCCESS');
    assert.deepEqual(tr.groups.map((g) => [g.consumerGroup, g.consumed]), [[group, true]]);
  }
});
