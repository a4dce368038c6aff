/**
 * autoBatch: concurrent single sends travel as one batch request, yet each
 * caller gets its own result, and every message is stored on its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer } from '../../src/client/index.js';
import { decodeOffsetMessageId, decodeStoredMessage, findProperty } from '../../src/common/index.js';
import { RequestCode } from '../../src/protocol/index.js';
import { startCluster } from '../support/cluster.js';

test('64 concurrent sends with autoBatch: own ids, consecutive offsets, few requests', async (t) => {
  const cluster = await startCluster(t);
  await cluster.createTopic('Batched', 1);
  const broker = cluster.brokers[0];
  assert.ok(broker);
  let batchRequests = 0;
  let singleRequests = 0;
  const server = broker.context.server as unknown as { processors: { dispatch: (ch: unknown, req: { code: number }) => void } };
  const original = server.processors.dispatch.bind(server.processors);
  server.processors.dispatch = (ch, req) => {
    if (req.code === RequestCode.SEND_BATCH_MESSAGE) batchRequests++;
    if (req.code === RequestCode.SEND_MESSAGE_V2) singleRequests++;
    original(ch, req);
  };
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: 'PG_batch', instanceName: `batch-${process.pid}`, autoBatch: true });
  await producer.start();
  cluster.track(() => producer.shutdown());
  const results = await Promise.all(Array.from({ length: 64 }, (_, i) => producer.send({ topic: 'Batched', body: `m${i}`, keys: [`k${i}`], tags: 'T' })));
  assert.ok(batchRequests >= 1 && batchRequests <= 4, `${batchRequests} batch requests`);
  assert.equal(singleRequests, 0);
  assert.equal(new Set(results.map((r) => r.msgId)).size, 64, 'each send has its own msgId');
  const offsets = results.map((r) => r.queueOffset).sort((a, b) => a - b);
  assert.deepEqual(offsets, Array.from({ length: 64 }, (_, i) => i));
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 'SEND_OK');
    const rec = broker.context.store.lookMessageByOffset(decodeOffsetMessageId(r.offsetMsgId).commitLogOffset);
    assert.ok(rec);
    const m = decodeStoredMessage(rec);
    assert.equal(m.body.toString(), `m${i}`);
    assert.equal(m.queueOffset, r.queueOffset);
    assert.equal(findProperty(m.properties, 'UNIQ_KEY'), r.msgId);
    assert.equal(findProperty(m.properties, 'KEYS'), `k${i}`);
    assert.equal(findProperty(m.properties, 'CLUSTER'), 'DefaultCluster');
  }
  // A delayed message is never batched.
  const delayed = await producer.send({ topic: 'Batched', body: 'later', delayLevel: 1 });
  assert.equal(delayed.status, 'SEND_OK');
  assert.equal(singleRequests, 1);
});
