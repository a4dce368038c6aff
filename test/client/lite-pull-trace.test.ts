/**
 * A traced LitePullConsumer: messages handed out by poll() and by `for await`
 * get SubBefore/SubAfter records (SUCCESS, at hand-out, as the Java lite pull
 * consumer records them), found by queryTrace next to the producer's Pub.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LitePullConsumer } from '../../src/client/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { assertConsumedOnce, startTracedProducer, traceReader } from './fixtures/trace-support.js';

test('lite pull trace: SubBefore/SubAfter per handed-out message, by poll() and by for await', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_lptrace');
  const group = unique('CG_lptrace');
  await cluster.createTopic(topic, 1);
  const producer = await startTracedProducer(cluster, 'lptrace');
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

  const traceOf = traceReader(cluster);
  for (const sent of [first, second]) {
    const tr = await waitFor(() => traceOf(sent.msgId, 1), { what: `the trace of ${sent.msgId}`, timeoutMs: 15_000 });
    assert.equal(tr.consumes.length, 1);
    assertConsumedOnce(tr.consumes[0], group, consumer.clientId);
    assert.deepEqual(tr.groups.map((g) => [g.consumerGroup, g.consumed]), [[group, true]]);
  }
});
