/**
 * Delay levels through SCHEDULE_TOPIC_XXXX and consumer retry through
 * CONSUMER_SEND_MSG_BACK: arrival no earlier than the level's delay and soon
 * after it, growing reconsume counts, the DLQ after the maximum, and a broker
 * restart that loses no parked message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeProperties, decodeStoredMessage } from '../../src/common/index.js';
import { RequestCode, ResponseCode } from '../../src/protocol/index.js';
import { PutMessageStatus } from '../../src/store/index.js';
import { waitFor } from '../support/cluster.js';
import { startBroker } from './admin-harness.js';
import { pullOne, send } from './wire.js';

test('delay levels 1 and 3 (default table: 1 s, 10 s) arrive no earlier than their delay and within 1 s after it', async (t) => {
  const h = await startBroker(t);
  const levelMs = [0, 1000, 5000, 10_000];
  h.ctx.topics.ensure('Delayed', 1, 6);
  for (const level of [1, 3]) {
    const offset = h.ctx.store.getMaxOffsetInQueue('Delayed', 0);
    const sentAt = Date.now();
    await send(h, 'Delayed', `level-${level}`, { DELAY: String(level), TAGS: 'd' });
    assert.equal(h.ctx.store.getMaxOffsetInQueue('Delayed', 0), offset, 'not visible before its time');
    const m = await pullOne(h, 'Delayed', offset);
    const elapsed = Date.now() - sentAt;
    assert.equal(m?.body.toString(), `level-${level}`);
    const delay = levelMs[level] ?? 0;
    assert.ok(elapsed >= delay - 5, `level ${level} arrived after ${elapsed} ms`);
    assert.ok(elapsed < delay + 1000, `level ${level} arrived ${elapsed - delay} ms late`);
    const props = decodeProperties(m?.properties ?? '');
    assert.equal(props.get('DELAY'), undefined);
    assert.equal(props.get('REAL_TOPIC'), 'Delayed');
    assert.equal(props.get('TAGS'), 'd');
  }
});

test('send-back: retry topic with growing reconsume count, then the DLQ (write-only)', async (t) => {
  const h = await startBroker(t, { messageDelayLevel: '1s 1s 1s 1s 1s 1s 1s 1s' });
  const first = await send(h, 'Work', 'job', { KEYS: 'job-1' });
  let phy = 0; // the first message of a fresh store sits at commit-log offset 0
  let retryOffset = 0;
  const seen: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const back = await h.call(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: String(phy), group: 'G', delayLevel: '0', originMsgId: first.extFields.msgId ?? '', maxReconsumeTimes: '2',
    });
    assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
    if (attempt === 2) break;
    const m = await pullOne(h, '%RETRY%G', retryOffset);
    assert.ok(m, `retry ${attempt + 1} arrived`);
    seen.push(m.reconsumeTimes);
    const props = decodeProperties(m.properties);
    assert.equal(props.get('RETRY_TOPIC'), 'Work');
    assert.equal(props.get('ORIGIN_MESSAGE_ID'), first.extFields.msgId);
    assert.equal(m.body.toString(), 'job');
    phy = m.commitLogOffset;
    retryOffset++;
  }
  assert.deepEqual(seen, [1, 2]);
  const dlq = h.ctx.topics.get('%DLQ%G');
  assert.ok(dlq, 'the DLQ topic exists after the maximum');
  assert.equal(dlq.perm, 2, 'write-only: consumers do not read it by accident');
  assert.equal(h.ctx.store.getMaxOffsetInQueue('%DLQ%G', 0), 1);
  const dead = h.ctx.store.getMessage('%DLQ%G', 0, 0, { maxMsgNums: 1, maxTotalBytes: 1 << 20 });
  assert.equal(decodeStoredMessage(dead.messages[0] ?? Buffer.alloc(0)).reconsumeTimes, 3);
});

test('a broker restarted while messages are parked delivers each of them once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-delay-'));
  const h1 = await startBroker(t, { messageDelayLevel: '2s' }, dir);
  h1.ctx.topics.ensure('Parked', 1, 6);
  for (let i = 0; i < 5; i++) await send(h1, 'Parked', `p${i}`, { DELAY: '1' });
  await h1.broker.close();
  const h2 = await startBroker(t, { messageDelayLevel: '2s' }, dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bodies: string[] = [];
  for (let off = 0; bodies.length < 5; off++) {
    const m = await pullOne(h2, 'Parked', off);
    assert.ok(m, `parked message ${off} delivered after the restart`);
    bodies.push(m.body.toString());
  }
  assert.deepEqual(bodies, ['p0', 'p1', 'p2', 'p3', 'p4']);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(h2.ctx.store.getMaxOffsetInQueue('Parked', 0), 5, 'nothing delivered twice');
});

test('a retried message parked for its backoff survives a broker restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-retry-'));
  const h1 = await startBroker(t, { messageDelayLevel: '2s 2s 2s 2s' }, dir);
  await send(h1, 'Job', 'retry-me');
  const back = await h1.call(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: '0', group: 'R', delayLevel: '0' });
  assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
  assert.equal(h1.ctx.store.getMaxOffsetInQueue('%RETRY%R', 0), 0, 'parked, not yet visible');
  await h1.broker.close();
  const h2 = await startBroker(t, { messageDelayLevel: '2s 2s 2s 2s' }, dir);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const m = await pullOne(h2, '%RETRY%R', 0);
  assert.equal(m?.body.toString(), 'retry-me');
  assert.equal(m?.reconsumeTimes, 1);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(h2.ctx.store.getMaxOffsetInQueue('%RETRY%R', 0), 1, 'delivered once');
});

test('due delayed messages are stored together; a refused put is retried and the ones stored after it are not stored twice', async (t) => {
  const h = await startBroker(t, { messageDelayLevel: '1s' });
  h.ctx.topics.ensure('Burst', 1, 6);
  const store = h.ctx.store;
  const put = store.putMessage.bind(store);
  let inFlight = 0;
  let maxInFlight = 0;
  const refuse = new Set(['d010', 'd150']);
  let slowFirst = true;
  store.putMessage = async (msg, opts) => {
    if (msg.topic !== 'Burst') return put(msg, opts);
    const body = Buffer.from(msg.body).toString();
    if (refuse.delete(body)) return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'refused by the test' };
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      // The first delivery is slow, so the rest are all due when it ends.
      if (slowFirst) await new Promise((r) => setTimeout(r, 400));
      slowFirst = false;
      return await put(msg, opts);
    } finally {
      inFlight--;
    }
  };
  const names = Array.from({ length: 200 }, (_, i) => `d${String(i).padStart(3, '0')}`);
  for (const name of names) await send(h, 'Burst', name, { DELAY: '1' });
  await waitFor(() => store.getMaxOffsetInQueue('Burst', 0) >= names.length, { timeoutMs: 15_000, what: 'all delivered' });
  // Past the level's next pass: anything stored twice would show by now.
  await new Promise((r) => setTimeout(r, 1200));
  const bodies: string[] = [];
  for (let offset = 0; offset < store.getMaxOffsetInQueue('Burst', 0); offset++) {
    const got = store.getMessage('Burst', 0, offset, { maxMsgNums: 1, maxTotalBytes: 1 << 20 });
    bodies.push(decodeStoredMessage(got.messages[0] ?? Buffer.alloc(0)).body.toString());
  }
  assert.deepEqual([...bodies].sort(), names, 'each stored once');
  assert.deepEqual(bodies.filter((b) => b !== 'd010' && b !== 'd150'), names.filter((b) => b !== 'd010' && b !== 'd150'), 'queue order kept');
  assert.ok(maxInFlight > 1, `puts were awaited one by one (max ${maxInFlight} in flight)`);
});
