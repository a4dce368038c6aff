/**
 * The SDK producer against a real in-process OrbitMQ (one name server, one
 * broker for the whole file; unique topics per test).
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, test } from 'node:test';
import {
  AbortError, ClientStateError, MessageTooLargeError, Producer, ResponseError, ResponseCode, TransactionProducer,
  type SendContext, type SendOutcome,
} from '../../src/index.js';
import type { MQClientInstance } from '../../src/client/index.js';
import { MessageSysFlag, decodeOffsetMessageId, formatHostAddress } from '../../src/common/index.js';
import { startCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { inspector, pullAll, pullTopic, unique } from './helpers.js';

let cluster: TestCluster;
let inst: MQClientInstance;
let producer: Producer;
const BROKER = 'broker-a';

function brokerAddr(): string {
  const b = cluster.brokers[0];
  assert.ok(b);
  return b.brokerAddr;
}

const teardown: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const fn of teardown) await fn();
});
before(async () => {
  cluster = await startCluster({ after: (fn) => void teardown.push(fn) });
  inst = inspector({ after: (fn) => cluster.track(fn) }, cluster.namesrvAddr);
  producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('pg'), instanceName: unique('p') });
  cluster.track(() => producer.shutdown());
  await producer.start();
});

describe('Producer', () => {
  test('send resolves to a SendResult whose ids point at the stored message', async () => {
    const topic = unique('T_send');
    await cluster.createTopic(topic, 4);
    const r = await producer.send({ topic, body: 'hello' });
    assert.equal(r.status, 'SEND_OK');
    assert.match(r.msgId, /^[0-9A-F]{32}$/);
    assert.equal(r.messageQueue.topic, topic);
    assert.equal(r.messageQueue.brokerName, BROKER);
    assert.ok(r.messageQueue.queueId >= 0 && r.messageQueue.queueId < 4);
    assert.equal(r.queueOffset, 0);
    const id = decodeOffsetMessageId(r.offsetMsgId);
    assert.equal(formatHostAddress(id.storeHost), brokerAddr());
    const [m] = await pullAll(inst, brokerAddr(), BROKER, topic, r.messageQueue.queueId);
    assert.ok(m);
    assert.equal(m.msgId, r.msgId);
    assert.equal(m.offsetMsgId, r.offsetMsgId);
    assert.equal(m.commitLogOffset, id.commitLogOffset);
    assert.equal(m.body.toString(), 'hello');
  });

  test('oneway send lands', async () => {
    const topic = unique('T_oneway');
    await cluster.createTopic(topic, 2);
    await producer.sendOneway({ topic, body: 'fire-and-forget' });
    const msgs = await waitFor(async () => {
      const all = await pullTopic(inst, brokerAddr(), BROKER, topic, 2);
      return all.length > 0 ? all : undefined;
    });
    assert.equal(msgs[0]?.body.toString(), 'fire-and-forget');
  });

  test('batch send stores each message with its own UNIQ_KEY', async () => {
    const topic = unique('T_batch');
    await cluster.createTopic(topic, 1);
    const r = await producer.sendBatch([1, 2, 3].map((i) => ({ topic, body: `b${i}`, keys: `k${i}`, tags: 'B' })));
    assert.equal(r.status, 'SEND_OK');
    const ids = r.msgId.split(',');
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    assert.equal(r.offsetMsgId.split(',').length, 3);
    const msgs = await pullAll(inst, brokerAddr(), BROKER, topic, 0);
    assert.deepEqual(msgs.map((m) => m.msgId), ids);
    assert.deepEqual(msgs.map((m) => m.body.toString()), ['b1', 'b2', 'b3']);
    assert.deepEqual(msgs.map((m) => m.keys), [['k1'], ['k2'], ['k3']]);
  });

  test('ordered send: one sharding key, one queue; a custom selector picks the queue', async () => {
    const topic = unique('T_order');
    await cluster.createTopic(topic, 8);
    const queues = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const r = await producer.send({ topic, body: `o${i}`, shardingKey: 'order-42' });
      queues.add(r.messageQueue.queueId);
    }
    assert.equal(queues.size, 1);
    const viaOption = await producer.send({ topic, body: 'x' }, { shardingKey: 'order-42' });
    assert.ok(queues.has(viaOption.messageQueue.queueId));
    const msgs = await pullAll(inst, brokerAddr(), BROKER, topic, viaOption.messageQueue.queueId);
    assert.deepEqual(msgs.map((m) => m.body.toString()), [...Array.from({ length: 10 }, (_, i) => `o${i}`), 'x']);
    const picked = await producer.send({ topic, body: 'sel' }, { selector: (qs) => qs.find((q) => q.queueId === 5) ?? qs[0]! });
    assert.equal(picked.messageQueue.queueId, 5);
  });

  test('tags, keys and user properties round-trip', async () => {
    const topic = unique('T_props');
    await cluster.createTopic(topic, 1);
    const r = await producer.send({
      topic, body: Buffer.from([0, 1, 2, 255]), tags: 'TagA', keys: ['k1', 'k2'], properties: { color: 'blue', 'x-trace': 'abc 123' },
    });
    const [m] = await pullAll(inst, brokerAddr(), BROKER, topic, 0);
    assert.ok(m);
    assert.equal(m.msgId, r.msgId);
    assert.deepEqual([...m.body], [0, 1, 2, 255]);
    assert.equal(m.tags, 'TagA');
    assert.deepEqual(m.keys, ['k1', 'k2']);
    assert.equal(m.properties.color, 'blue');
    assert.equal(m.properties['x-trace'], 'abc 123');
    assert.equal(m.properties.WAIT, 'true');
    assert.equal(m.properties.UNIQ_KEY, r.msgId);
  });

  test('bodies of 4 KiB and more are zlib-compressed on the wire and arrive inflated', async () => {
    const topic = unique('T_zip');
    await cluster.createTopic(topic, 1);
    const body = Buffer.alloc(10 * 1024, 'abcdefgh');
    await producer.send({ topic, body });
    await producer.send({ topic, body: 'small' });
    const [big, small] = await pullAll(inst, brokerAddr(), BROKER, topic, 0);
    assert.ok(big && small);
    assert.ok(big.body.equals(body));
    assert.notEqual(big.sysFlag & MessageSysFlag.COMPRESSED_FLAG, 0);
    assert.ok(big.storeSize < 2048, `stored ${big.storeSize} bytes`);
    assert.equal(small.sysFlag & MessageSysFlag.COMPRESSED_FLAG, 0);
  });

  test('an unknown topic is auto-created through the TBW102 route', async () => {
    const topic = unique('T_auto');
    const r = await producer.send({ topic, body: 'auto' });
    assert.equal(r.status, 'SEND_OK');
    const queues = await waitFor(async () => {
      const qs = await inst.fetchSubscribeMessageQueues(topic);
      return qs.length > 0 ? qs : undefined;
    });
    assert.ok(queues.length <= 4);
    const [m] = await pullAll(inst, brokerAddr(), BROKER, topic, r.messageQueue.queueId);
    assert.equal(m?.body.toString(), 'auto');
  });

  test('AbortSignal aborts a send, before and during the call', async () => {
    const topic = unique('T_abort');
    await cluster.createTopic(topic, 1);
    await assert.rejects(producer.send({ topic, body: 'x' }, { signal: AbortSignal.abort() }), (err: unknown) => err instanceof AbortError && err.code === 'ABORTED');
    const ac = new AbortController();
    const p = producer.send({ topic: unique('T_abort_late'), body: 'x' }, { signal: ac.signal });
    ac.abort(new Error('user gave up'));
    await assert.rejects(p, AbortError);
  });

  test('fifty concurrent sends sharing one AbortSignal: no listener leak warning, one abort listener at most', async () => {
    const topic = unique('T_shared_signal');
    await cluster.createTopic(topic, 4);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === 'MaxListenersExceededWarning') warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      const ac = new AbortController();
      const sends = Array.from({ length: 50 }, (_, i) => producer.send({ topic, body: `m${i}` }, { signal: ac.signal }));
      assert.ok(getEventListeners(ac.signal, 'abort').length <= 1);
      const results = await Promise.all(sends);
      assert.equal(results.filter((r) => r.status === 'SEND_OK').length, 50);
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test('a 5 MiB body is refused locally with MessageTooLargeError', async () => {
    const err = await producer.send({ topic: unique('T_big'), body: Buffer.alloc(5 * 1024 * 1024) }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof MessageTooLargeError);
    assert.equal(err.code, 'MESSAGE_TOO_LARGE');
    assert.equal(err.retriable, false);
  });

  test('broker refusals surface as ResponseError with the response code', async () => {
    const topic = unique('T_refuse');
    await cluster.createTopic(topic, 1);
    // A queue id beyond the topic's queues: the broker answers SYSTEM_ERROR (a fixed queue is never retried elsewhere).
    const err = await producer.send({ topic, body: 'x' }, { queue: { topic, brokerName: BROKER, queueId: 99 } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ResponseError);
    assert.equal(err.responseCode, ResponseCode.SYSTEM_ERROR);
    assert.equal(err.code, 'SYSTEM_ERROR');
  });

  test('transaction producer: COMMIT makes the half message visible, ROLLBACK drops it', async () => {
    const topic = unique('T_tx');
    await cluster.createTopic(topic, 1);
    const tp = new TransactionProducer({
      namesrvAddr: cluster.namesrvAddr, group: unique('txg'), instanceName: unique('tx'), checkListener: () => 'COMMIT',
    });
    await tp.start();
    try {
      const committed = await tp.sendInTransaction({ topic, body: 'tx-commit' }, (_m, r) => {
        assert.equal(r.status, 'SEND_OK');
        return 'COMMIT';
      });
      assert.equal(committed.localTransactionState, 'COMMIT');
      const rolledBack = await tp.sendInTransaction({ topic, body: 'tx-rollback' }, () => 'ROLLBACK');
      assert.equal(rolledBack.localTransactionState, 'ROLLBACK');
      const msgs = await waitFor(async () => {
        const all = await pullAll(inst, brokerAddr(), BROKER, topic, 0);
        return all.length > 0 ? all : undefined;
      });
      assert.deepEqual(msgs.map((m) => m.body.toString()), ['tx-commit']);
      assert.equal(msgs[0]?.msgId, committed.msgId);
    } finally {
      await tp.shutdown();
    }
  });

  test('hooks see every attempt; a throwing hook does not fail the send', async () => {
    const topic = unique('T_hooks');
    await cluster.createTopic(topic, 1);
    const seen: { ctx: SendContext; outcome?: SendOutcome }[] = [];
    const p = new Producer({
      namesrvAddr: cluster.namesrvAddr, group: unique('hg'), instanceName: unique('h'),
      hooks: [{ beforeSend: (ctx) => void seen.push({ ctx }), afterSend: (ctx, outcome) => void seen.push({ ctx, outcome }) }, { beforeSend: () => { throw new Error('boom'); } }],
    });
    await p.start();
    try {
      const r = await p.send({ topic, body: 'h' });
      assert.equal(seen.length, 2);
      assert.equal(seen[0]?.ctx.msgId, r.msgId);
      assert.equal(seen[0]?.ctx.attempt, 1);
      const outcome = seen[1]?.outcome;
      assert.ok(outcome?.ok === true);
      assert.equal(outcome.result?.msgId, r.msgId);
    } finally {
      await p.shutdown();
    }
  });

  test('lifecycle: send before start and after shutdown is a ClientStateError', async () => {
    const p = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('lg'), instanceName: unique('l') });
    await assert.rejects(p.send({ topic: 'T', body: 'x' }), ClientStateError);
    await p.start();
    await p.shutdown();
    await p.shutdown();
    await assert.rejects(p.send({ topic: 'T', body: 'x' }), ClientStateError);
    await assert.rejects(p.start(), ClientStateError);
  });
});
