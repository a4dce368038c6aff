/**
 * Message trace against an in-process OrbitMQ: a traced producer and a traced
 * push consumer; one message consumed at once, one after RECONSUME_LATER.
 * queryTrace (QUERY_MESSAGE on RMQ_SYS_TRACE_TOPIC by msgId) gives the whole
 * path, and `orbit message trace <msgId> --json` prints the same timeline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdminClient } from '../../src/client/admin/index.js';
import {
  TRACE_CLIENT_PROPERTY, TRACE_TOPIC, decodeTraceData, queryTrace, type MessageExt,
} from '../../src/client/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { arr, orbitJson, rec } from '../cli/support.js';
import { unique } from './helpers.js';
import { newConsumer } from './fixtures/push-support.js';
import { assertConsumedOnce, startTracedProducer, traceReader } from './fixtures/trace-support.js';

test('trace: Pub + SubBefore/SubAfter per group and client, retries, queryTrace and the CLI', { timeout: 90_000 }, async (t) => {
  const cluster = await startCluster(t, { store: { messageDelayLevel: '1s 1s 1s 1s' } });
  const broker = cluster.brokers[0];
  assert.ok(broker !== undefined);
  const topic = unique('T_trace');
  const group = unique('CG_trace');
  await cluster.createTopic(topic, 2);

  const producer = await startTracedProducer(cluster, 'trace');
  const seen: MessageExt[] = [];
  const consumer = newConsumer(cluster, { group, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', trace: true });
  consumer.subscribe(topic).onMessage((msgs) => {
    seen.push(...msgs);
    return msgs.some((m) => m.body.toString() === 'retry-me' && m.reconsumeTimes === 0) ? 'RECONSUME_LATER' : 'SUCCESS';
  });
  await consumer.start();

  const okSent = await producer.send({ topic, body: 'fine', tags: 'TagA', keys: ['order-1'] });
  const retrySent = await producer.send({ topic, body: 'retry-me' });
  await waitFor(() => seen.filter((m) => m.body.toString() === 'retry-me').length >= 2, { what: 'the retry', timeoutMs: 20_000 });
  assert.equal(seen.filter((m) => m.body.toString() === 'fine').length, 1);

  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  cluster.track(() => admin.close());
  const traceOf = traceReader(cluster);

  await t.test('the message consumed once', async () => {
    const tr = await waitFor(() => traceOf(okSent.msgId, 1), { what: 'the trace of the first message', timeoutMs: 15_000 });
    assert.equal(tr.msgId, okSent.msgId);
    assert.equal(tr.traceTopic, TRACE_TOPIC);
    const [pub] = tr.publish;
    assert.ok(pub !== undefined);
    assert.equal(pub.producerGroup, producer.group);
    assert.equal(pub.clientId, producer.clientId);
    assert.match(pub.clientHost, /^[\d.]+:\d+$/);
    assert.equal(pub.topic, topic);
    assert.equal(pub.tags, 'TagA');
    assert.deepEqual(pub.keys, ['order-1']);
    assert.equal(pub.storeHost, broker.brokerAddr);
    assert.equal(pub.offsetMsgId, okSent.offsetMsgId);
    assert.equal(pub.success, true);
    assert.equal(pub.msgType, 'Normal_Msg');
    assert.equal(pub.bodyLength, 4);
    assert.ok(pub.costMs >= 0 && pub.timestamp > 0);
    assert.equal(pub.regionId, 'DefaultRegion');
    assert.equal(tr.consumes.length, 1);
    const [c] = tr.consumes;
    assertConsumedOnce(c, group, consumer.clientId);
    assert.equal(c.status, 'success');
    assert.ok(c.timestamp >= pub.timestamp);
    assert.ok(c.endTimestamp !== undefined && c.endTimestamp >= c.timestamp);
    assert.deepEqual(tr.groups, [{ consumerGroup: group, attempts: 1, retries: 0, consumed: true, clients: [consumer.clientId] }]);
  });

  await t.test('the message consumed after RECONSUME_LATER', async () => {
    const tr = await waitFor(() => traceOf(retrySent.msgId, 2), { what: 'the trace of the retried message', timeoutMs: 15_000 });
    assert.equal(tr.publish[0]?.offsetMsgId, retrySent.offsetMsgId);
    assert.equal(tr.publish[0]?.tags, undefined);
    assert.deepEqual(tr.publish[0]?.keys, []);
    assert.deepEqual(tr.consumes.map((c) => [c.consumerGroup, c.clientId, c.retryTimes, c.success, c.returnType]), [
      [group, consumer.clientId, 0, false, 'FAILED'],
      [group, consumer.clientId, 1, true, 'SUCCESS'],
    ]);
    assert.deepEqual(tr.groups, [{ consumerGroup: group, attempts: 2, retries: 1, consumed: true, clients: [consumer.clientId] }]);
    const again = await queryTrace({ namesrvAddr: cluster.namesrvAddr }, retrySent.msgId);
    assert.deepEqual(again.consumes.map((c) => c.requestId), tr.consumes.map((c) => c.requestId), 'a one-off admin client finds the same');
  });

  await t.test('the trace messages: Java text format, keyed by msgId, never traced themselves', async () => {
    const masters = await admin.topicMasters(TRACE_TOPIC);
    const msgs = (await Promise.all(masters.map((b) => admin.queryMessage(b.addr, b.brokerName, TRACE_TOPIC, okSent.msgId)))).flat();
    assert.ok(msgs.length >= 2, 'a Pub batch from the producer and a Sub batch from the consumer');
    for (const m of msgs) {
      assert.ok(m.keys.includes(okSent.msgId));
      assert.ok([producer.clientId, consumer.clientId].includes(m.properties[TRACE_CLIENT_PROPERTY] ?? ''));
      const text = m.body.toString('utf8');
      assert.ok(text.endsWith('\u0002'));
      for (const r of decodeTraceData(text)) {
        assert.ok(['Pub', 'SubBefore', 'SubAfter'].includes(r.type));
        if (r.type === 'Pub') assert.notEqual(r.topic, TRACE_TOPIC);
      }
    }
    const pubLine = msgs.map((m) => m.body.toString('utf8')).flatMap((s) => s.split('\u0002')).find((l) => l.startsWith('Pub\u0001') && l.includes(okSent.msgId));
    assert.ok(pubLine !== undefined);
    const f = pubLine.split('\u0001');
    assert.equal(f.length, 14, 'Pub has the 14 fields of TraceDataEncoder');
    assert.deepEqual([f[3], f[4], f[5], f[6], f[7], f[11], f[12], f[13]], [producer.group, topic, okSent.msgId, 'TagA', 'order-1', '0', okSent.offsetMsgId, 'true']);
  });

  await t.test('orbit message trace <msgId> --json prints the timeline', async () => {
    const doc = rec((await orbitJson(['message', 'trace', retrySent.msgId, '-n', cluster.namesrvAddr])).trace);
    assert.equal(doc.msgId, retrySent.msgId);
    const pub = rec(arr(doc.publish)[0]);
    assert.equal(pub.producerGroup, producer.group);
    assert.equal(pub.offsetMsgId, retrySent.offsetMsgId);
    assert.deepEqual(arr(doc.consumes).map((c) => [c.consumerGroup, c.clientId, c.retryTimes, c.success]), [
      [group, consumer.clientId, 0, false],
      [group, consumer.clientId, 1, true],
    ]);
    const g = rec(arr(doc.groups)[0]);
    assert.equal(g.retries, 1);
    assert.equal(g.consumed, true);
  });
});
