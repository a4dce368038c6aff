/**
 * Arbitrary delivery times: TIMER_DELIVER_MS / TIMER_DELAY_SEC /
 * __STARTDELIVERTIME arrive no earlier than asked and within 1 s after,
 * survive a broker restart, and bad values are refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeProperties, decodeStoredMessage, encodeProperties } from '../../src/common/index.js';
import { RequestCode, ResponseCode, encodeSendMessageRequestHeaderV2 } from '../../src/protocol/index.js';
import { PutMessageStatus, type PutMessageResult } from '../../src/store/index.js';
import { waitFor } from '../support/cluster.js';
import { startBroker, type AdminHarness } from './admin-harness.js';
import { pullOne, send } from './wire.js';

test('absolute and relative delivery times arrive on time', async (t) => {
  const h = await startBroker(t);
  h.ctx.topics.ensure('Timed', 1, 6);
  const cases: [string, () => Record<string, string>, number][] = [
    ['deliver-ms', () => ({ TIMER_DELIVER_MS: String(Date.now() + 1500) }), 1500],
    ['delay-sec', () => ({ TIMER_DELAY_SEC: '2' }), 2000],
    ['aliyun', () => ({ __STARTDELIVERTIME: String(Date.now() + 1200) }), 1200],
  ];
  for (const [name, props, delay] of cases) {
    const offset = h.ctx.store.getMaxOffsetInQueue('Timed', 0);
    const sentAt = Date.now();
    await send(h, 'Timed', name, { ...props(), KEYS: name });
    const m = await pullOne(h, 'Timed', offset);
    const elapsed = Date.now() - sentAt;
    assert.equal(m?.body.toString(), name);
    assert.ok(elapsed >= delay - 50, `${name} arrived after ${elapsed} ms, asked ${delay}`);
    assert.ok(elapsed < delay + 1000, `${name} arrived ${elapsed - delay} ms late`);
    const p = decodeProperties(m?.properties ?? '');
    assert.equal(p.get('REAL_TOPIC'), 'Timed');
    assert.equal(p.get('KEYS'), name);
  }
  assert.equal(h.ctx.timers.pending, 0);
});

test('a delivery time in the past is delivered at once; a malformed or too distant one is refused', async (t) => {
  const h = await startBroker(t);
  h.ctx.topics.ensure('Timed2', 1, 6);
  await send(h, 'Timed2', 'past', { TIMER_DELIVER_MS: String(Date.now() - 10_000) });
  assert.equal(h.ctx.store.getMaxOffsetInQueue('Timed2', 0), 1);
  const ext = (props: Record<string, string>): Record<string, string> => encodeSendMessageRequestHeaderV2({
    producerGroup: 'PG', topic: 'Timed2', defaultTopic: 'TBW102', defaultTopicQueueNums: 1, queueId: 0, sysFlag: 0,
    bornTimestamp: Date.now(), flag: 0, properties: encodeProperties(props),
  });
  const bad = await h.call(RequestCode.SEND_MESSAGE_V2, ext({ TIMER_DELAY_SEC: 'soon' }), Buffer.from('x'));
  assert.equal(bad.code, ResponseCode.MESSAGE_ILLEGAL);
  const far = await h.call(RequestCode.SEND_MESSAGE_V2, ext({ TIMER_DELAY_SEC: String(400 * 86_400) }), Buffer.from('x'));
  assert.equal(far.code, ResponseCode.MESSAGE_ILLEGAL);
  assert.match(far.remark ?? '', /timerMaxDelaySec/);
  // Seven days ahead is fine and stays pending.
  await send(h, 'Timed2', 'next-week', { TIMER_DELAY_SEC: String(7 * 86_400) });
  assert.equal(h.ctx.timers.pending, 1);
});

test('pending timers survive a restart and are delivered once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-timer-'));
  const h1 = await startBroker(t, {}, dir);
  h1.ctx.topics.ensure('Later', 1, 6);
  const due = Date.now() + 2500;
  for (let i = 0; i < 5; i++) await send(h1, 'Later', `l${i}`, { TIMER_DELIVER_MS: String(due + i) });
  await send(h1, 'Later', 'week', { TIMER_DELAY_SEC: String(7 * 86_400) });
  await h1.broker.close();
  const h2 = await startBroker(t, {}, dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(h2.ctx.timers.pending, 6, 'all timers restored');
  const bodies: string[] = [];
  for (let off = 0; bodies.length < 5; off++) {
    const m = await pullOne(h2, 'Later', off);
    assert.ok(m);
    assert.ok(Date.now() >= due - 50, 'not early');
    bodies.push(m.body.toString());
  }
  assert.deepEqual(bodies, ['l0', 'l1', 'l2', 'l3', 'l4']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(h2.ctx.store.getMaxOffsetInQueue('Later', 0), 5, 'nothing twice');
  assert.equal(h2.ctx.timers.pending, 1, 'the week-long timer still waits');
});

/** Bodies stored in `topic` queue 0, in queue order. */
function storedBodies(h: AdminHarness, topic: string): string[] {
  const out: string[] = [];
  for (let offset = 0; ;) {
    const got = h.ctx.store.getMessage(topic, 0, offset, { maxMsgNums: 64, maxTotalBytes: 64 * 1024 * 1024 });
    if (got.messages.length === 0) return out;
    for (const rec of got.messages) out.push(decodeStoredMessage(rec).body.toString());
    offset += got.messages.length;
  }
}

test('due timed messages are stored together, in due order; a failed put goes back and is delivered once later', async (t) => {
  const h = await startBroker(t);
  h.ctx.topics.ensure('Burst', 1, 6);
  const store = h.ctx.store;
  const put = store.putMessage.bind(store);
  let inFlight = 0;
  let maxInFlight = 0;
  let refuse = 5;
  store.putMessage = async (msg, opts) => {
    if (msg.topic !== 'Burst') return put(msg, opts);
    if (refuse > 0) {
      refuse--;
      return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'refused by the test' };
    }
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await put(msg, opts);
    } finally {
      inFlight--;
    }
  };
  const due = Date.now() + 1500;
  const names = Array.from({ length: 300 }, (_, i) => `b${String(i).padStart(3, '0')}`);
  // Sent in reverse due order: delivery follows the due time, not the send order.
  for (let i = names.length - 1; i >= 0; i--) await send(h, 'Burst', names[i] ?? '', { TIMER_DELIVER_MS: String(due + i) });
  await waitFor(() => store.getMaxOffsetInQueue('Burst', 0) >= names.length, { timeoutMs: 10_000, what: 'all delivered' });
  const bodies = storedBodies(h, 'Burst');
  // Each stored once; the five refused at first come back after a pause, and
  // the rest keep their due order.
  assert.deepEqual([...bodies].sort(), names);
  const refused = names.slice(0, 5);
  assert.deepEqual(bodies.filter((b) => !refused.includes(b)), names.slice(5));
  assert.ok(bodies.indexOf('b000') > 0, 'a refused message was not put back');
  assert.ok(maxInFlight > 1, `puts were awaited one by one (max ${maxInFlight} in flight)`);
  assert.equal(h.ctx.timers.pending, 0);
});

test('a checkpoint written while due messages are being stored still covers them: after a restart they are delivered', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-timer-'));
  const h1 = await startBroker(t, {}, dir);
  h1.ctx.topics.ensure('Held', 1, 6);
  const store = h1.ctx.store;
  const put = store.putMessage.bind(store);
  let held = 0;
  // The puts of the delivery never complete in this process (as if it stopped mid-batch).
  store.putMessage = (msg, opts) => {
    if (msg.topic !== 'Held') return put(msg, opts);
    held++;
    return new Promise<PutMessageResult>(() => undefined);
  };
  const due = Date.now() + 1200;
  for (let i = 0; i < 20; i++) await send(h1, 'Held', `h${i}`, { TIMER_DELIVER_MS: String(due + i) });
  await send(h1, 'Held', 'later', { TIMER_DELIVER_MS: String(due + 60_000) });
  // The first batch (h0 and whatever else is due with it) never completes,
  // so no later one starts.
  await waitFor(() => held > 0, { timeoutMs: 10_000, what: 'a batch under way' });
  await h1.broker.close(); // writes the timer checkpoint
  const h2 = await startBroker(t, {}, dir);
  // After the brokers' hooks, which persist into `dir` on close.
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(h2.ctx.timers.pending >= 21, true, `restored ${h2.ctx.timers.pending} of 21`);
  await waitFor(() => h2.ctx.store.getMaxOffsetInQueue('Held', 0) === 20, { timeoutMs: 10_000, what: 'redelivery' });
  assert.deepEqual(storedBodies(h2, 'Held'), Array.from({ length: 20 }, (_, i) => `h${i}`));
});
