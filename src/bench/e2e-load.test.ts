import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyRecorder, pacedPublish, payloadFactory, percentile } from './e2e-load.js';

function bodyAt(seq: number, sentNs: bigint): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(sentNs, 0);
  b.writeBigUInt64BE(BigInt(seq), 8);
  return b;
}

test('percentile is nearest rank: index ceil(q·n) − 1', () => {
  const sorted = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.5), 500);
  assert.equal(percentile(sorted, 0.99), 990);
  assert.equal(percentile(sorted, 0.999), 999);
  assert.equal(percentile(new Float64Array(0), 0.5), null);
});

test('the latency record counts a sequence once and ignores sequences past the total', () => {
  const rec = new LatencyRecorder(4);
  const now = 10_000_000n;
  rec.receive(bodyAt(0, now - 1_000_000n), now); // 1 ms
  rec.receive(bodyAt(0, now - 9_000_000n), now); // duplicate: ignored
  rec.receive(bodyAt(3, now - 3_000_000n), now); // 3 ms
  rec.receive(bodyAt(7, now - 5_000_000n), now); // not one of ours
  assert.equal(rec.received, 2);
  const s = rec.summary(2); // the first second at rate 2 = sequences 0 and 1
  assert.deepEqual([s.p50, s.p99, s.max, s.settledP99], [1, 3, 3, 3]);
});

test('a payload carries the send time and the sequence, then x', () => {
  const before = process.hrtime.bigint();
  const b = payloadFactory(32)(41);
  assert.equal(b.length, 32);
  assert.equal(b.readBigUInt64BE(8), 41n);
  assert.ok(b.readBigUInt64BE(0) >= before && b.readBigUInt64BE(0) <= process.hrtime.bigint());
  assert.ok(b.subarray(16).every((x) => x === 0x78));
});

test('paced publishing sends every message in order and stalls while too many are outstanding', async () => {
  const sent: number[] = [];
  const r = await pacedPublish({ rate: 2000, total: 50, hardStopSeconds: 10, outstanding: () => 0, publish: (seq) => sent.push(seq) });
  assert.equal(r.published, 50);
  assert.deepEqual(sent, Array.from({ length: 50 }, (_, i) => i));
  assert.ok(r.seconds > 0);
  const stalled: number[] = [];
  const s = await pacedPublish({ rate: 100_000, total: 20, hardStopSeconds: 0.05, outstanding: () => 200_000, publish: (seq) => stalled.push(seq) });
  assert.equal(s.published, 0, 'nothing goes out while the outstanding count is over the cap; the hard stop ends the loop');
  assert.deepEqual(stalled, []);
});
