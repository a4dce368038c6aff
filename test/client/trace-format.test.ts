/**
 * Unit tests of message trace: the TraceDataEncoder text (both ways, Java's
 * older and newer field counts, `null` for absent values), the dispatcher
 * (batching, keys, bounded queue, failures swallowed, flush on shutdown) and
 * the hooks (trace topic never traced, batches, failed sends, return types).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noopLogger, systemClock } from '../../src/common/index.js';
import {
  TRACE_TOPIC, TraceDispatcher, buildMessageTrace, consumeTraceHooks, decodeTraceData, encodeTraceRecord, sendTraceHooks,
  type Message, type MessageExt, type SendResult, type TraceRecord,
} from '../../src/client/index.js';
import { UniqIdGenerator } from '../../src/client/uniq-id.js';

const S1 = '\u0001';
const S2 = '\u0002';
const line = (...f: (string | number | boolean)[]): string => f.map(String).join(S1) + S2;

test('decodes what Java 4.9.8 writes (Pub 14 fields, SubBefore, SubAfter 9 fields, null tags/keys)', () => {
  const data = line('Pub', 1700000000000, 'DefaultRegion', 'PG', 'T', 'ID1', 'null', 'k1 k2', '10.0.0.1:10911', 5, 3, 0, 'OFF1', true)
    + line('SubBefore', 1700000000100, 'DefaultRegion', 'CG', 'REQ', 'ID1', 2, 'null')
    + line('SubAfter', 'REQ', 'ID1', 7, false, 'null', 4, 1700000000107, 'CG');
  const [pub, before, after] = decodeTraceData(data);
  assert.deepEqual(pub, {
    type: 'Pub', timestamp: 1700000000000, regionId: 'DefaultRegion', groupName: 'PG', topic: 'T', msgId: 'ID1', tags: undefined, keys: 'k1 k2',
    storeHost: '10.0.0.1:10911', bodyLength: 5, costTime: 3, msgType: 'Normal_Msg', offsetMsgId: 'OFF1', success: true,
  });
  assert.deepEqual(before, { type: 'SubBefore', timestamp: 1700000000100, regionId: 'DefaultRegion', groupName: 'CG', requestId: 'REQ', msgId: 'ID1', retryTimes: 2, keys: undefined });
  assert.deepEqual(after, {
    type: 'SubAfter', requestId: 'REQ', msgId: 'ID1', costTime: 7, success: false, keys: undefined, contextCode: 4, timestamp: 1700000000107, groupName: 'CG',
  });
  // Older writers: Pub without offsetMsgId (13), with clientHost (15); SubAfter without the context code / time / group.
  const old = decodeTraceData(line('Pub', 1, '', 'PG', 'T', 'ID2', 'A', 'null', 'h:1', 1, 1, 3, false)
    + line('Pub', 1, '', 'PG', 'T', 'ID3', 'A', 'null', 'h:1', 1, 1, 0, 'OFF', true, '10.0.0.9')
    + line('SubAfter', 'R', 'ID2', 1, true, 'null')
    + line('Bogus', 1) + line('SubBefore', 'not-a-number', '', 'CG', 'R', 'ID2', 0, 'null'));
  assert.equal(old.length, 3, 'unknown and malformed records are skipped');
  assert.deepEqual(old.map((r) => (r.type === 'Pub' ? [r.msgType, r.offsetMsgId, r.success, r.clientHost] : [r.type])), [
    ['Delay_Msg', '', false, undefined], ['Normal_Msg', 'OFF', true, '10.0.0.9'], ['SubAfter'],
  ]);
});

test('encodes exactly the Java field order; decode(encode(r)) = r', () => {
  const recs: TraceRecord[] = [
    { type: 'Pub', timestamp: 5, regionId: 'R', groupName: 'PG', topic: 'T', msgId: 'M', tags: undefined, keys: undefined, storeHost: 'h:1', bodyLength: 9, costTime: 2, msgType: 'Delay_Msg', offsetMsgId: 'O', success: true },
    { type: 'SubBefore', timestamp: 6, regionId: 'R', groupName: 'CG', requestId: 'Q', msgId: 'M', retryTimes: 1, keys: 'a b' },
    { type: 'SubAfter', requestId: 'Q', msgId: 'M', costTime: 3, success: true, keys: 'a b', contextCode: 0, timestamp: 9, groupName: 'CG' },
  ];
  const text = recs.map(encodeTraceRecord).join('');
  assert.equal(text, line('Pub', 5, 'R', 'PG', 'T', 'M', 'null', 'null', 'h:1', 9, 2, 3, 'O', true)
    + line('SubBefore', 6, 'R', 'CG', 'Q', 'M', 1, 'a b') + line('SubAfter', 'Q', 'M', 3, true, 'a b', 0, 9, 'CG'));
  assert.deepEqual(decodeTraceData(text), recs);
});

interface Sent { message: Message; timeoutMs: number }

function fakeSender(fail = false): { sent: Sent[]; started: number; stopped: number; start(): Promise<void>; send(m: Message, o: { timeoutMs: number }): Promise<unknown>; shutdown(): Promise<void> } {
  return {
    sent: [], started: 0, stopped: 0,
    start() { this.started++; return Promise.resolve(); },
    send(message, o) {
      if (fail) return Promise.reject(new Error('broker down'));
      this.sent.push({ message, timeoutMs: o.timeoutMs });
      return Promise.resolve();
    },
    shutdown() { this.stopped++; return Promise.resolve(); },
  };
}

const sub = (msgId: string, keys?: string): TraceRecord => ({ type: 'SubBefore', timestamp: 1, regionId: '', groupName: 'CG', requestId: 'Q', msgId, retryTimes: 0, keys });

test('dispatcher: batches into one message keyed by msgIds and keys, flushes on shutdown', async () => {
  const s = fakeSender();
  const d = new TraceDispatcher(s, { logger: noopLogger, clock: systemClock, clientId: '1.2.3.4@x', flushIntervalMs: 60_000 });
  await d.start();
  assert.ok(d.append([sub('A', 'k1 k2'), sub('B')]));
  assert.ok(d.append([sub('C', 'k1')]));
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(s.sent.length, 0, 'held until the interval or a flush');
  await d.shutdown();
  assert.equal(s.sent.length, 1);
  const m = s.sent[0]?.message;
  assert.equal(m?.topic, TRACE_TOPIC);
  assert.deepEqual(m?.keys, ['A', 'k1', 'k2', 'B', 'C']);
  assert.deepEqual(m?.properties, { ORBIT_TRACE_CLIENT: '1.2.3.4@x' });
  assert.equal(decodeTraceData(String(m?.body)).length, 3);
  assert.equal(s.sent[0]?.timeoutMs, 5000);
  assert.equal(s.stopped, 1);
  assert.equal(d.append([sub('D')]), false, 'nothing after shutdown');
});

test('dispatcher: sends by interval and by size; a full queue drops; failures are swallowed', async () => {
  const s = fakeSender();
  const d = new TraceDispatcher(s, { logger: noopLogger, clock: systemClock, clientId: 'c', flushIntervalMs: 0, maxMessageSize: 10_500, maxQueueSize: 3 });
  await d.start();
  d.append([sub('A')]);
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(s.sent.length, 1, 'sent by the interval');
  const big = Array.from({ length: 30 }, (_, i) => sub(`ID${i}`));
  assert.ok(d.append(big));
  assert.ok(d.append([sub('X')]));
  assert.ok(d.append([sub('Y')]));
  assert.equal(d.append([sub('Z')]), false, 'the queue holds 3 calls');
  assert.equal(d.discarded, 1);
  await d.flush();
  assert.ok(s.sent.length >= 3, `size splits batches (${s.sent.length} sends)`);
  assert.ok(s.sent.every((x) => Buffer.byteLength(String(x.message.body)) < 10_500));
  await d.shutdown();

  const failing = fakeSender(true);
  const f = new TraceDispatcher(failing, { logger: noopLogger, clock: systemClock, clientId: 'c' });
  await f.start();
  f.append([sub('A'), sub('B')]);
  await f.flush();
  assert.equal(f.discarded, 2);
  await f.shutdown();
});

const result = (over: Partial<SendResult> = {}): SendResult => ({
  status: 'SEND_OK', msgId: 'M1', offsetMsgId: 'O1', messageQueue: { topic: 'T', brokerName: 'b', queueId: 0 }, queueOffset: 0,
  regionId: 'R', traceOn: true, transactionId: undefined, ...over,
});

test('send hooks: Pub per message; none for the trace topic, failures, oneway or TRACE_ON=false', async () => {
  const s = fakeSender();
  const d = new TraceDispatcher(s, { logger: noopLogger, clock: systemClock, clientId: 'c' });
  await d.start();
  const h = sendTraceHooks(d, systemClock);
  const ctx = (message: Message | Message[], topic = 'T') => ({
    producerGroup: 'PG', message, messageQueue: { topic, brokerName: 'b', queueId: 0 }, brokerAddr: 'h:1', msgId: 'M1', attempt: 1, oneway: false,
  });
  const one = ctx({ topic: 'T', body: 'abc', tags: 'A', keys: ['x', 'y'], delayLevel: 2 });
  await h.beforeSend?.(one);
  await h.afterSend?.(one, { ok: true, result: result() });
  const batch = ctx([{ topic: 'T', body: 'a' }, { topic: 'T', body: 'bb' }]);
  await h.beforeSend?.(batch);
  await h.afterSend?.(batch, { ok: true, result: result({ msgId: 'M2,M3', offsetMsgId: 'O2,O3' }) });
  const trace = ctx({ topic: TRACE_TOPIC, body: 'x' }, TRACE_TOPIC);
  await h.beforeSend?.(trace);
  await h.afterSend?.(trace, { ok: true, result: result({ msgId: 'T1' }) });
  const failed = ctx({ topic: 'T', body: 'x' });
  await h.beforeSend?.(failed);
  await h.afterSend?.(failed, { ok: false, error: new Error('x') });
  const off = ctx({ topic: 'T', body: 'x' });
  await h.beforeSend?.(off);
  await h.afterSend?.(off, { ok: true, result: result({ msgId: 'OFF', traceOn: false }) });
  await d.flush();
  const recs = s.sent.flatMap((x) => decodeTraceData(String(x.message.body)));
  assert.deepEqual(recs.map((r) => (r.type === 'Pub' ? [r.msgId, r.offsetMsgId, r.tags, r.keys, r.bodyLength, r.msgType, r.storeHost] : [])), [
    ['M1', 'O1', 'A', 'x y', 3, 'Delay_Msg', 'h:1'], ['M2', 'O2', undefined, undefined, 1, 'Normal_Msg', 'h:1'], ['M3', 'O3', undefined, undefined, 2, 'Normal_Msg', 'h:1'],
  ]);
  await d.shutdown();
});

test('consume hooks: SubBefore/SubAfter share a requestId; return types; TRACE_ON=false skipped; timeline', async () => {
  const s = fakeSender();
  const d = new TraceDispatcher(s, { logger: noopLogger, clock: systemClock, clientId: 'c' });
  await d.start();
  const h = consumeTraceHooks(d, systemClock, new UniqIdGenerator('127.0.0.1'));
  const msg = (msgId: string, reconsumeTimes: number, props: Record<string, string> = {}): MessageExt => ({
    msgId, offsetMsgId: '', topic: 'T', brokerName: 'b', queueId: 0, queueOffset: 0, commitLogOffset: 0, body: Buffer.from('x'), tags: undefined,
    keys: ['k'], properties: props, flag: 0, reconsumeTimes, bornTimestamp: 0, storeTimestamp: 0, bornHost: '', storeHost: '', sysFlag: 0, bodyCrc: 0,
    storeSize: 0, preparedTransactionOffset: 0,
  });
  const mq = { topic: 'T', brokerName: 'b', queueId: 0 };
  const calls: [MessageExt[], 'SUCCESS' | 'RECONSUME_LATER', unknown][] = [
    [[msg('M', 0, { MSG_REGION: 'R' })], 'RECONSUME_LATER', undefined],
    [[msg('M', 1)], 'RECONSUME_LATER', new Error('boom')],
    [[msg('M', 2), msg('N', 0, { TRACE_ON: 'false' })], 'SUCCESS', undefined],
  ];
  for (const [messages, status, error] of calls) {
    const ctx = { group: 'CG', messageQueue: mq, messages, orderly: false };
    h.beforeConsume?.(ctx);
    h.afterConsume?.(ctx, { status, durationMs: 1, ...(error === undefined ? {} : { error }) });
  }
  await d.flush();
  const records = s.sent.flatMap((x) => decodeTraceData(String(x.message.body)));
  assert.equal(records.length, 6, 'N (TRACE_ON=false) is not traced');
  const asMsg: MessageExt = { ...msg('t', 0, { ORBIT_TRACE_CLIENT: 'cid' }), bornHost: '1.1.1.1:5', body: Buffer.from(s.sent.map((x) => String(x.message.body)).join('')) };
  const tl = buildMessageTrace('M', TRACE_TOPIC, [asMsg]);
  assert.deepEqual(tl.consumes.map((c) => [c.retryTimes, c.status, c.returnType, c.clientId, c.clientHost]), [
    [0, 'failed', 'FAILED', 'cid', '1.1.1.1:5'], [1, 'failed', 'EXCEPTION', 'cid', '1.1.1.1:5'], [2, 'success', 'SUCCESS', 'cid', '1.1.1.1:5'],
  ]);
  assert.deepEqual(tl.groups, [{ consumerGroup: 'CG', attempts: 3, retries: 2, consumed: true, clients: ['cid'] }]);
  assert.equal(tl.publish.length, 0);
  await d.shutdown();
});
