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

test('64 concurrent sends with autoBatch: own ids, consecutive offsets, two requests of 32', async (t) => {
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
  assert.equal(batchRequests, 2, 'sends made in one turn travel as batches of at most 32 (the default cap)');
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

test('autoBatch: a send aborted before its batch leaves is not stored; the batch takes the shortest per-call timeout', async (t) => {
  const cluster = await startCluster(t);
  await cluster.createTopic('BatchedAbort', 1);
  const broker = cluster.brokers[0];
  assert.ok(broker);
  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: 'PG_batch_abort', instanceName: `batch-abort-${process.pid}`, autoBatch: true });
  await producer.start();
  cluster.track(() => producer.shutdown());
  const ac = new AbortController();
  const kept = producer.send({ topic: 'BatchedAbort', body: 'kept' });
  const aborted = producer.send({ topic: 'BatchedAbort', body: 'aborted' }, { signal: ac.signal });
  ac.abort();
  await assert.rejects(aborted, (err: unknown) => err instanceof Error && err.name === 'AbortError');
  const r = await kept;
  assert.equal(r.status, 'SEND_OK');
  assert.equal(broker.context.store.getMaxOffsetInQueue('BatchedAbort', 0), 1, 'only the kept message is stored');

  // The broker holds every send request for 300 ms: a batch with a 100 ms send in it times out, one without does not.
  const server = broker.context.server as unknown as { processors: { dispatch: (ch: unknown, req: { code: number }) => void } };
  const original = server.processors.dispatch.bind(server.processors);
  server.processors.dispatch = (ch, req) => {
    if (req.code === RequestCode.SEND_BATCH_MESSAGE) setTimeout(() => original(ch, req), 300);
    else original(ch, req);
  };
  const slow = [producer.send({ topic: 'BatchedAbort', body: 'a' }), producer.send({ topic: 'BatchedAbort', body: 'b' }, { timeoutMs: 100 })];
  const settled = await Promise.allSettled(slow);
  for (const s of settled) assert.equal(s.status, 'rejected', 'the whole batch waited at most 100 ms');
  const patient = await Promise.all([producer.send({ topic: 'BatchedAbort', body: 'c' }), producer.send({ topic: 'BatchedAbort', body: 'd' }, { timeoutMs: 2000 })]);
  for (const p of patient) assert.equal(p.status, 'SEND_OK');
});
