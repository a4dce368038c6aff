/**
 * Send and pull over the wire: long polling wakes on arrival and times out
 * with PULL_NOT_FOUND, offset statuses follow RocketMQ, a brand-new group
 * starts at 0, tag filtering happens on the broker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStoredMessage, encodeProperties } from '../../src/common/index.js';
import type { RemotingCommand } from '../../src/protocol/index.js';
import { PullSysFlag, RequestCode, ResponseCode, encodeSendMessageRequestHeaderV2 } from '../../src/protocol/index.js';
import { startBroker } from './admin-harness.js';
import type { AdminHarness } from './admin-harness.js';

function send(h: AdminHarness, topic: string, queueId: number, body: string, props: Record<string, string> = {}): Promise<RemotingCommand> {
  const ext = encodeSendMessageRequestHeaderV2({
    producerGroup: 'PG', topic, defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId, sysFlag: 0,
    bornTimestamp: Date.now(), flag: 0, properties: encodeProperties(props),
  });
  return h.call(RequestCode.SEND_MESSAGE_V2, ext, Buffer.from(body));
}

function pull(h: AdminHarness, topic: string, queueOffset: number, opts: { suspendMs?: number; sub?: string } = {}): Promise<RemotingCommand> {
  const suspend = opts.suspendMs !== undefined;
  return h.call(RequestCode.PULL_MESSAGE, {
    consumerGroup: 'CG', topic, queueId: '0', queueOffset: String(queueOffset), maxMsgNums: '32',
    sysFlag: String((suspend ? PullSysFlag.FLAG_SUSPEND : 0) | PullSysFlag.FLAG_SUBSCRIPTION),
    commitOffset: '0', suspendTimeoutMillis: String(opts.suspendMs ?? 0), subscription: opts.sub ?? '*', subVersion: '0',
  });
}

test('a send auto-creates the topic from TBW102 and answers with ids and offsets', async (t) => {
  const h = await startBroker(t);
  const r = await send(h, 'Auto', 0, 'one');
  assert.equal(r.code, ResponseCode.SUCCESS);
  assert.equal(r.extFields.queueId, '0');
  assert.equal(r.extFields.queueOffset, '0');
  assert.match(r.extFields.msgId ?? '', /^[0-9A-F]{32}$/);
  assert.equal(r.extFields.MSG_REGION, 'DefaultRegion');
  assert.equal(h.ctx.topics.get('Auto')?.writeQueueNums, 4, 'min(client 4, template 8) queues');
});

test('long polling: a held pull is answered as soon as a message arrives', async (t) => {
  const h = await startBroker(t);
  await send(h, 'LP', 0, 'first');
  const held = pull(h, 'LP', 1, { suspendMs: 20_000 });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await send(h, 'LP', 0, 'second');
  const res = await held;
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.ok(Date.now() - started < 5_000, 'answered on arrival, not at the suspend timeout');
  assert.equal(decodeStoredMessage(res.body ?? Buffer.alloc(0)).body.toString(), 'second');
  assert.equal(res.extFields.nextBeginOffset, '2');
});

test('long polling: the woken pull is answered before the send that woke it (one connection)', async (t) => {
  // The held pull runs as soon as the store has dispatched the write-out, not a
  // turn of the event loop later behind whatever I/O came in meanwhile: on one
  // connection its response is written ahead of the producer's acknowledgement.
  const h = await startBroker(t);
  await send(h, 'Order', 0, 'first');
  const order: string[] = [];
  const held = pull(h, 'Order', 1, { suspendMs: 20_000 }).then((r) => {
    order.push('pull');
    return r;
  });
  await new Promise((r) => setTimeout(r, 100));
  const sent = await send(h, 'Order', 0, 'second');
  order.push('send');
  assert.equal(sent.code, ResponseCode.SUCCESS);
  const res = await held;
  assert.equal(res.code, ResponseCode.SUCCESS);
  assert.equal(decodeStoredMessage(res.body ?? Buffer.alloc(0)).body.toString(), 'second');
  assert.deepEqual(order, ['pull', 'send']);
});

test('long polling: nothing arrives → PULL_NOT_FOUND after the suspend time', async (t) => {
  const h = await startBroker(t);
  await send(h, 'Quiet', 0, 'x');
  const res = await pull(h, 'Quiet', 1, { suspendMs: 300 });
  assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
  assert.equal(res.extFields.nextBeginOffset, '1');
});

test('offset statuses, tag filtering on the broker, and a new group starting at 0', async (t) => {
  const h = await startBroker(t);
  for (let i = 0; i < 6; i++) await send(h, 'Filt', 0, `m${i}`, { TAGS: i % 2 === 0 ? 'even' : 'odd' });
  const moved = await pull(h, 'Filt', 100);
  assert.equal(moved.code, ResponseCode.PULL_OFFSET_MOVED);
  const odd = await pull(h, 'Filt', 0, { sub: 'odd' });
  assert.equal(odd.code, ResponseCode.SUCCESS);
  const bodies: string[] = [];
  for (let p = 0, buf = odd.body ?? Buffer.alloc(0); p < buf.length; ) {
    const m = decodeStoredMessage(buf, p);
    bodies.push(m.body.toString());
    p += m.storeSize;
  }
  assert.deepEqual(bodies, ['m1', 'm3', 'm5']);
  const missingTopic = await pull(h, 'NoSuchTopic', 0);
  assert.equal(missingTopic.code, ResponseCode.TOPIC_NOT_EXIST);
  const q = await h.call(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'Fresh', topic: 'Filt', queueId: '0' });
  assert.equal(q.code, ResponseCode.SUCCESS);
  assert.equal(q.extFields.offset, '0');
  await h.call(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'Fresh', topic: 'Filt', queueId: '0', commitOffset: '4' });
  const q2 = await h.call(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'Fresh', topic: 'Filt', queueId: '0' });
  assert.equal(q2.extFields.offset, '4');
  const max = await h.call(RequestCode.GET_MAX_OFFSET, { topic: 'Filt', queueId: '0' });
  assert.equal(max.extFields.offset, '6');
  const byTime = await h.call(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic: 'Filt', queueId: '0', timestamp: String(Date.now() + 60_000) });
  assert.equal(byTime.extFields.offset, '6');
});
