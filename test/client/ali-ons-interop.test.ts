/**
 * Interop: messages sent by the SDK are received by ali-ons 3.12 (a RocketMQ
 * 4.x client written by others) with body, tags, keys and properties intact,
 * including a compressed body and a batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Consumer } from 'ali-ons';
import { Producer } from '../../src/index.js';
import { onsOptions, trackOnsInnerProducer } from '../support/ali-ons.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';


interface Got {
  body: Buffer;
  tags: string | null;
  keys: string;
  props: Record<string, string>;
  msgId: string;
}

test('ali-ons receives what the SDK sends, keys, tags and properties intact', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  trackOnsInnerProducer(cluster);
  const topic = unique('T_interop');
  await cluster.createTopic(topic, 4);
  const got: Got[] = [];
  const c = new Consumer({
    ...onsOptions(cluster, unique('ons')),
    consumerGroup: unique('CG_interop'),
    persistConsumerOffsetInterval: 200,
    rebalanceInterval: 300,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  c.on('error', () => undefined);
  c.subscribe(topic, '*', async (msg) => {
    got.push({
      body: msg.body,
      tags: msg.tags,
      keys: Array.isArray(msg.keys) ? msg.keys.join(' ') : String(msg.keys ?? ''),
      props: msg.properties,
      msgId: msg.msgId,
    });
  });
  await c.ready();
  cluster.track(() => c.close());

  const p = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('PG_interop'), instanceName: unique('sdk') });
  cluster.track(() => p.shutdown());
  await p.start();
  const ids = new Map<string, string>();
  for (let i = 0; i < 10; i++) {
    const r = await p.send({ topic, body: `hello-${i}`, tags: 'TagA', keys: [`key-${i}`, `alt-${i}`], properties: { color: i % 2 ? 'red' : 'blue' } });
    ids.set(`hello-${i}`, r.msgId);
  }
  const big = Buffer.alloc(8192, 'z');
  await p.send({ topic, body: big, tags: 'Big' });
  await p.sendBatch([{ topic, body: 'batch-1', tags: 'B' }, { topic, body: 'batch-2', tags: 'B' }]);

  await waitFor(() => got.length >= 13, { timeoutMs: 60_000, what: '13 messages at ali-ons' });
  const seven = got.find((g) => g.body.toString() === 'hello-7');
  assert.ok(seven);
  assert.equal(seven.tags, 'TagA');
  assert.equal(seven.keys, 'key-7 alt-7');
  assert.equal(seven.props.color, 'red');
  assert.equal(seven.props.UNIQ_KEY, ids.get('hello-7'));
  const bigGot = got.find((g) => g.tags === 'Big');
  assert.ok(bigGot?.body.equals(big), 'the compressed body arrives inflated');
  assert.deepEqual(got.filter((g) => g.tags === 'B').map((g) => g.body.toString()).sort(), ['batch-1', 'batch-2']);
});
