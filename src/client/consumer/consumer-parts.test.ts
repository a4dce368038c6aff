import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LossDetector, SequenceStamper } from '../loss-detector.js';
import { allocateAveragely, allocateAveragelyByCircle, allocateConsistentHash } from './allocate-strategy.js';
import type { MessageQueue } from '../route.js';
import { ProcessQueue } from './process-queue.js';

const mqs = (n: number, broker = 'b'): MessageQueue[] => Array.from({ length: n }, (_, i) => ({ topic: 'T', brokerName: broker, queueId: i }));
const ids = (qs: MessageQueue[]): number[] => qs.map((q) => q.queueId);

test('averagely: contiguous blocks, the first members take the remainder (Java table)', () => {
  const all = mqs(8);
  const cids = ['c2', 'c1', 'c3'];
  assert.deepEqual(ids(allocateAveragely.allocate('g', 'c1', all, cids)), [0, 1, 2]);
  assert.deepEqual(ids(allocateAveragely.allocate('g', 'c2', all, cids)), [3, 4, 5]);
  assert.deepEqual(ids(allocateAveragely.allocate('g', 'c3', all, cids)), [6, 7]);
  // More members than queues: the extra members get nothing.
  assert.deepEqual(ids(allocateAveragely.allocate('g', 'c3', mqs(2), cids)), []);
  assert.deepEqual(allocateAveragely.allocate('g', 'unknown', all, cids), []);
});

test('by circle: queue i goes to member i mod n', () => {
  const all = mqs(7);
  assert.deepEqual(ids(allocateAveragelyByCircle.allocate('g', 'a', all, ['a', 'b'])), [0, 2, 4, 6]);
  assert.deepEqual(ids(allocateAveragelyByCircle.allocate('g', 'b', all, ['a', 'b'])), [1, 3, 5]);
});

test('every strategy assigns each queue to exactly one member; consistent hash moves few queues', () => {
  const all = [...mqs(16, 'a'), ...mqs(16, 'b')];
  const cids = ['m1', 'm2', 'm3', 'm4'];
  for (const s of [allocateAveragely, allocateAveragelyByCircle, allocateConsistentHash()]) {
    const owners = new Map<string, string>();
    for (const c of cids) for (const q of s.allocate('g', c, all, cids)) {
      const k = `${q.brokerName}${q.queueId}`;
      assert.equal(owners.has(k), false, `${s.name}: ${k} assigned twice`);
      owners.set(k, c);
    }
    assert.equal(owners.size, all.length, `${s.name}: every queue assigned`);
  }
  const ch = allocateConsistentHash();
  const before = new Map(cids.flatMap((c) => ch.allocate('g', c, all, cids).map((q) => [`${q.brokerName}${q.queueId}`, c] as const)));
  const fewer = ['m1', 'm2', 'm3'];
  const after = new Map(fewer.flatMap((c) => ch.allocate('g', c, all, fewer).map((q) => [`${q.brokerName}${q.queueId}`, c] as const)));
  const moved = [...before].filter(([k, c]) => c !== 'm4' && after.get(k) !== c).length;
  assert.equal(moved, 0, 'queues of the members that stayed do not move');
});

test('process queue: commit offset is the lowest offset still in flight', () => {
  const pq = new ProcessQueue();
  const m = (o: number): { queueOffset: number; body: Buffer } => ({ queueOffset: o, body: Buffer.alloc(10) });
  const batch = [m(5), m(6), m(7), m(8)];
  assert.equal(pq.putMessages(batch), 4);
  assert.equal(pq.msgSize, 40);
  assert.equal(pq.removeMessages([batch[1] ?? m(0), batch[2] ?? m(0)]), 5);
  assert.equal(pq.removeMessages([batch[0] ?? m(0)]), 8);
  assert.equal(pq.removeMessages([batch[3] ?? m(0)]), 9);
  assert.equal(pq.msgCount, 0);
  assert.equal(pq.putMessages([m(7)]), 0, 'an old offset is not queued again');
});

test('process queue: max span from the oldest message in flight to the newest pulled', () => {
  const pq = new ProcessQueue();
  const m = (o: number): { queueOffset: number; body: Buffer } => ({ queueOffset: o, body: Buffer.alloc(1) });
  assert.equal(pq.maxSpan, 0);
  const batch = [m(10), m(11), m(12), m(40)];
  pq.putMessages(batch);
  assert.equal(pq.maxSpan, 30);
  pq.removeMessages(batch.slice(1));
  assert.equal(pq.maxSpan, 30, 'offset 10 still holds the commit back');
  pq.removeMessages(batch.slice(0, 1));
  assert.equal(pq.maxSpan, 0);
});

test('process queue: thousands in flight, consumed out of order, re-pulled and taken in offset order', () => {
  const pq = new ProcessQueue();
  const m = (o: number): { queueOffset: number; body: Buffer } => ({ queueOffset: o, body: Buffer.alloc(2) });
  const all = Array.from({ length: 5000 }, (_, i) => m(100 + i));
  assert.equal(pq.putMessages(all), 5000);
  assert.equal(pq.putMessages(all.slice(10, 20)), 0, 'offsets in flight are not queued twice');
  // Consume everything but every 7th message, newest first: the commit offset stays at the oldest in flight.
  const kept = all.filter((_, i) => i % 7 === 3);
  for (let i = all.length - 1; i >= 0; i--) if (i % 7 !== 3) assert.equal(pq.removeMessages([all[i] ?? m(0)]), i === 0 ? 103 : 100);
  assert.equal(pq.msgCount, kept.length);
  assert.equal(pq.msgSize, kept.length * 2);
  assert.deepEqual(pq.takeMessages(3).map((x) => x.queueOffset), [103, 110, 117]);
  assert.equal(pq.maxSpan, 5099 - 103);
  // A consumed offset above the commit point that comes back (a re-pull) is queued again, in its place.
  assert.equal(pq.putMessages([m(104)]), 1);
  assert.deepEqual(pq.takeMessages(2).map((x) => x.queueOffset), [103, 104]);
  // Drain the rest oldest first; the commit offset follows, then passes the newest pulled.
  let last = -1;
  for (const x of [m(104), ...kept]) last = pq.removeMessages([x]);
  assert.equal(last, 5100);
  assert.equal(pq.msgCount, 0);
  assert.equal(pq.maxSpan, 0);
  assert.equal(pq.putMessages([m(5099)]), 0, 'below the commit offset: not queued');
  assert.equal(pq.putMessages([m(5100), m(5101)]), 2);
  assert.equal(pq.commitOffset(), 5100);
  pq.clear();
  assert.equal(pq.msgCount, 0);
  assert.equal(pq.commitOffset(), -1, 'nothing pulled since the clear');
});

test('loss detector: gaps, duplicates and reordering per producer and queue', () => {
  const a = new SequenceStamper('prodA');
  const b = new SequenceStamper('prodB');
  const sent: Record<string, string>[] = [];
  for (let i = 0; i < 10; i++) sent.push(a.stamp(), b.stamp({ k: 'v' }));
  const det = new LossDetector();
  const q0 = { brokerName: 'x', queueId: 0 };
  for (const [i, p] of sent.entries()) {
    if (p.ORBIT_SEQ === 'prodA:3' || p.ORBIT_SEQ === 'prodA:4' || p.ORBIT_SEQ === 'prodB:9') continue; // lost
    det.observe(p, q0);
    if (i === 0) det.observe(p, q0); // duplicate
  }
  det.observe({ ORBIT_SEQ: 'prodB:1' }, q0); // late duplicate, out of order
  det.observe({}, q0);
  const report = det.report({ prodA: a.sent, prodB: b.sent });
  const ra = report.find((r) => r.producerId === 'prodA');
  const rb = report.find((r) => r.producerId === 'prodB');
  assert.deepEqual(ra?.gaps, [[3, 4]]);
  assert.equal(ra?.duplicates, 1);
  assert.deepEqual(rb?.gaps, [[9, 9]]);
  assert.equal(rb?.duplicates, 1);
  assert.equal(rb?.reordered['x/0'], 1);
  assert.equal(det.unstampedCount, 1);
  assert.equal(det.isComplete({ prodA: 10 }), false);
});
