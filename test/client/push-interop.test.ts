/**
 * Interop: messages produced by ali-ons 3.12 (a RocketMQ 4.x client written
 * by others) are consumed by the SDK PushConsumer with body, keys, tags and
 * user properties intact, over several queues and with a tag filter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Message, Producer as OnsProducer } from 'ali-ons';
import { userProperties, type MessageExt } from '../../src/index.js';
import { ONS_FAST_TIMERS, onsOptions, trackOnsInnerProducer } from '../support/ali-ons.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { newConsumer } from './fixtures/push-support.js';


test('the PushConsumer receives what ali-ons sends, keys, tags and properties intact', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  trackOnsInnerProducer(cluster);
  const topic = unique('T_onsin');
  await cluster.createTopic(topic, 4);
  const producer = new OnsProducer({
    ...onsOptions(cluster, unique('ons')),
    producerGroup: unique('PG_ons'),
    ...ONS_FAST_TIMERS,
  });
  await producer.ready();
  cluster.track(() => producer.close());

  const got: MessageExt[] = [];
  const c = newConsumer(cluster, { group: unique('CG_onsin'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  c.subscribe(topic, 'TagA || TagB').onMessage((msgs) => void got.push(...msgs));
  await c.start();

  const n = 30;
  const queues = new Set<number>();
  for (let i = 0; i < n; i++) {
    const m = new Message(topic, ['TagA', 'TagB', 'TagC'][i % 3] ?? 'TagA', `ons-${i} ✓`);
    m.keys = [`key-${i}`, `alt-${i}`];
    m.properties.color = i % 2 === 0 ? 'red' : 'blue';
    m.properties.idx = String(i);
    const r = await producer.send(m);
    assert.equal(r.sendStatus, 'SEND_OK');
    queues.add(r.messageQueue.queueId);
  }
  assert.ok(queues.size > 1, 'ali-ons spread the messages over several queues');
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 2);
  await waitFor(() => got.length >= expected.length, { what: `${expected.length} messages`, timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(got.length, expected.length, 'TagC filtered out, nothing twice');
  for (const i of expected) {
    const m = got.find((x) => x.body.toString() === `ons-${i} ✓`);
    assert.ok(m, `ons-${i}`);
    assert.equal(m.topic, topic);
    assert.equal(m.tags, i % 3 === 0 ? 'TagA' : 'TagB');
    assert.deepEqual(m.keys, [`key-${i}`, `alt-${i}`]);
    assert.deepEqual(userProperties(m), { color: i % 2 === 0 ? 'red' : 'blue', idx: String(i) });
  }
});
