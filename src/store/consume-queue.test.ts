import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { StoreError } from '../common/index.js';
import {
  ConsumeQueue,
  CQ_FILL_SIZE,
  CQ_UNIT_SIZE,
  unitAt,
  unitCommitLogOffset,
  unitSize,
  unitTagsCode,
} from './consume-queue.js';

const SEG = CQ_UNIT_SIZE * 10; // 10 units per segment
const TOPIC = 'TopicTest';

function tempRoot(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-cq-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(root: string, segmentSize = SEG, maxCommitLogOffset = Number.MAX_SAFE_INTEGER): ConsumeQueue {
  const cq = new ConsumeQueue(root, TOPIC, 3, segmentSize);
  cq.load();
  cq.recover(maxCommitLogOffset);
  return cq;
}

/** Negative, so it exercises sign extension. */
const tagOf = (i: number): number => -3 * i - 1;

/** Unit i of the synthetic queues: record at i*100, 100 bytes long, tagsCode tagOf(i). */
function putN(cq: ConsumeQueue, from: number, to: number): void {
  for (let i = from; i < to; i++) assert.equal(cq.putUnit(i, i * 100, 100, tagOf(i)), true);
}

function segmentNames(root: string): string[] {
  const dir = join(root, TOPIC, '3');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

void test('unit layout is 20 bytes big-endian with int64 offsets beyond 2^32 and sign-extended tags', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  cq.putUnit(0, 0x01_0203_0405, 0x11, -2);
  cq.commit();
  const file = readFileSync(join(root, TOPIC, '3', '0'.repeat(20)));
  assert.equal(file.length, SEG);
  assert.equal(file.subarray(0, 20).toString('hex'), '00000001020304050000001' + '1' + 'fffffffffffffffe');
  const raw = cq.readUnits(0, 5);
  assert.equal(raw.length, 20);
  assert.deepEqual(unitAt(raw, 0), { commitLogOffset: 0x01_0203_0405, size: 0x11, tagsCode: -2 });
  cq.close();
});

void test('put and read across segment boundaries; pending units are visible before commit', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  putN(cq, 0, 35);
  assert.deepEqual(segmentNames(root), [], 'nothing written before commit');
  assert.equal(cq.maxOffset, 35);
  assert.equal(cq.minOffset, 0);
  assert.equal(cq.maxPhysicOffset, 3500);
  const check = (): void => {
    const all = cq.readUnits(0, 1000);
    assert.equal(all.length, 35 * 20);
    for (let i = 0; i < 35; i++) {
      assert.equal(unitCommitLogOffset(all, i), i * 100);
      assert.equal(unitSize(all, i), 100);
      assert.equal(unitTagsCode(all, i), tagOf(i));
    }
    const mid = cq.readUnits(8, 5); // crosses the 10-unit boundary
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => unitCommitLogOffset(mid, i)), [800, 900, 1000, 1100, 1200]);
    assert.deepEqual(cq.getUnit(34), { commitLogOffset: 3400, size: 100, tagsCode: tagOf(34) });
    assert.equal(cq.getUnit(35), undefined);
    assert.equal(cq.readUnits(35, 10).length, 0);
    assert.equal(cq.readUnits(30, 100).length, 5 * 20);
  };
  check();
  cq.commit();
  assert.deepEqual(segmentNames(root), ['00000000000000000000', '00000000000000000200', '00000000000000000400', '00000000000000000600']);
  check();
  // Half committed, half pending.
  putN(cq, 35, 43);
  const mixed = cq.readUnits(33, 100);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => unitCommitLogOffset(mixed, i)), [33, 34, 35, 36, 37, 38, 39, 40, 41, 42].map((i) => i * 100));
  cq.close();
});

void test('the pending buffer spills to disk when full and commit + reopen + recover returns the same bytes', async (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  const n = 1000; // more than one pending buffer, 100 segments
  for (let i = 0; i < n; i++) cq.putUnit(i, 5_000_000_000 + i * 1000, 1000 - (i % 7), i % 3 === 0 ? -123456789 - i : i);
  const before = cq.readUnits(0, n);
  await cq.flush();
  cq.close();
  const again = open(root, SEG, 5_000_000_000 + n * 1000);
  assert.equal(again.maxOffset, n);
  assert.equal(again.minOffset, 0);
  assert.equal(again.maxPhysicOffset, 5_000_000_000 + (n - 1) * 1000 + 1000 - ((n - 1) % 7));
  assert.ok(again.readUnits(0, n).equals(before));
  again.close();
});

void test('recover drops units pointing past the commit log end and keeps working', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  putN(cq, 0, 25);
  cq.close();
  const again = open(root, SEG, 1250); // records 0..11 end at or below 1200; record 12 would end at 1300
  assert.equal(again.maxOffset, 12);
  assert.equal(again.maxPhysicOffset, 1200);
  assert.deepEqual(segmentNames(root), ['00000000000000000000', '00000000000000000200']);
  assert.equal(again.putUnit(12, 1200, 50, 7), true);
  again.close();
  const third = open(root, SEG, 1250);
  assert.equal(third.maxOffset, 13);
  assert.deepEqual(third.getUnit(12), { commitLogOffset: 1200, size: 50, tagsCode: 7 });
  third.close();
});

void test('recover cuts torn and garbage tails', (t) => {
  const root = tempRoot(t);
  const dir = join(root, TOPIC, '3');
  const cq = open(root);
  putN(cq, 0, 14);
  cq.close();
  const writeAt = (name: string, pos: number, bytes: Buffer): void => {
    const fd = openSync(join(dir, name), 'r+');
    writeSync(fd, bytes, 0, bytes.length, pos);
    closeSync(fd);
  };
  const seg1 = '00000000000000000200';
  // A torn unit 14: commitLogOffset and half the size field.
  const torn = Buffer.alloc(20);
  torn.writeBigInt64BE(1400n, 0);
  torn.writeInt32BE(100, 8);
  writeAt(seg1, 4 * 20, torn.subarray(0, 10));
  let again = open(root);
  assert.equal(again.maxOffset, 14);
  assert.equal(again.maxPhysicOffset, 1400);
  again.close();
  // Garbage that goes backwards in the commit log, followed by plausible units.
  const garbage = Buffer.alloc(60);
  garbage.writeBigInt64BE(5n, 0);
  garbage.writeInt32BE(10, 8);
  garbage.writeBigInt64BE(1500n, 20);
  garbage.writeInt32BE(100, 28);
  writeAt(seg1, 4 * 20, garbage);
  again = open(root);
  assert.equal(again.maxOffset, 14);
  again.close();
  // The garbage was zeroed, and a preallocated empty next segment is removed.
  assert.ok(readFileSync(join(dir, seg1)).subarray(80).every((b) => b === 0));
  closeSync(openSync(join(dir, '00000000000000000400'), 'w'));
  writeAt('00000000000000000400', 0, Buffer.alloc(SEG));
  again = open(root);
  assert.equal(again.maxOffset, 14);
  assert.deepEqual(segmentNames(root), ['00000000000000000000', seg1]);
  putN(again, 14, 21);
  again.close();
  again = open(root);
  assert.equal(again.maxOffset, 21);
  again.close();
});

void test('re-dispatch is idempotent; gaps and overlaps throw', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  putN(cq, 0, 10);
  for (let i = 0; i < 10; i++) assert.equal(cq.putUnit(i, i * 100, 100, tagOf(i)), false);
  assert.equal(cq.maxOffset, 10);
  assert.throws(() => cq.putUnit(12, 1000, 100, 0), StoreError);
  assert.throws(() => cq.putUnit(9, 1000, 100, 0), StoreError);
  assert.throws(() => cq.putUnit(10, 1000, 0, 0), /bad consume queue unit/);
  assert.throws(() => cq.putUnit(10, 2 ** 53, 10, 0), /bad consume queue unit/);
  cq.close();
  // After a restart the commit log re-dispatches from an earlier point.
  const again = open(root, SEG, 1000);
  for (let i = 5; i < 10; i++) assert.equal(again.putUnit(i, i * 100, 100, tagOf(i)), false);
  putN(again, 10, 12);
  assert.equal(again.maxOffset, 12);
  assert.equal(again.readUnits(0, 100).length, 12 * 20);
  again.close();
});

void test('a queue starting at a non-zero offset is pre-filled from its segment start', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  assert.equal(cq.putUnit(25, 7000, 100, 1), true);
  assert.equal(cq.minOffset, 25);
  assert.equal(cq.maxOffset, 26);
  assert.equal(cq.maxPhysicOffset, 7100);
  assert.equal(cq.readUnits(20, 10).length, 0, 'fill units are below minOffset');
  assert.equal(cq.getUnit(24), undefined);
  cq.putUnit(26, 7100, 100, 2);
  cq.close();
  assert.deepEqual(segmentNames(root), ['00000000000000000400']);
  const file = readFileSync(join(root, TOPIC, '3', '00000000000000000400'));
  for (let i = 0; i < 5; i++) assert.deepEqual(unitAt(file, i), { commitLogOffset: 0, size: CQ_FILL_SIZE, tagsCode: 0 });
  assert.deepEqual(unitAt(file, 5), { commitLogOffset: 7000, size: 100, tagsCode: 1 });
  const again = open(root, SEG, 7200);
  assert.equal(again.minOffset, 25);
  assert.equal(again.maxOffset, 27);
  assert.equal(again.maxPhysicOffset, 7200);
  // Cutting every real unit keeps the fill; the queue restarts at its next offset.
  again.truncateDirty(7000);
  assert.equal(again.maxOffset, 25);
  assert.equal(again.minOffset, 25);
  assert.equal(again.maxPhysicOffset, 0);
  assert.equal(again.putUnit(25, 7000, 100, 1), true);
  again.close();
});

void test('an empty recovered queue accepts a new start offset; destroy removes its directories', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  cq.putUnit(20, 100, 10, 0); // starts exactly at a segment start: no fill units
  cq.commit();
  cq.truncateDirty(0);
  assert.deepEqual([cq.minOffset, cq.maxOffset, cq.maxPhysicOffset], [20, 20, 0]);
  cq.close();
  let again = open(root, SEG, 0);
  assert.deepEqual([again.minOffset, again.maxOffset], [20, 20]);
  assert.equal(again.putUnit(3, 100, 10, 0), true);
  assert.deepEqual([again.minOffset, again.maxOffset], [3, 4]);
  again.close();
  assert.deepEqual(segmentNames(root), ['00000000000000000000']);
  again = open(root, SEG, 110);
  assert.deepEqual([again.minOffset, again.maxOffset, again.maxPhysicOffset], [3, 4, 110]);
  assert.throws(() => again.putUnit(9, 200, 10, 0), StoreError, 'not empty: a gap is a bug');
  again.destroy();
  assert.equal(existsSync(join(root, TOPIC)), false);
  const fresh = open(root);
  assert.equal(fresh.maxOffset, 0);
  fresh.close();
});

void test('searchOffsetByTimestamp finds the first message stored at or after a time', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  const storeTime = (commitLogOffset: number): number => 1000 + 10 * Math.floor(commitLogOffset / 200); // pairs share a time
  const timeOf = (o: number): number | undefined => storeTime(o);
  assert.equal(cq.searchOffsetByTimestamp(5000, timeOf), 0, 'empty queue');
  putN(cq, 0, 37);
  assert.equal(cq.searchOffsetByTimestamp(0, timeOf), 0, 'before all');
  assert.equal(cq.searchOffsetByTimestamp(1000, timeOf), 0);
  assert.equal(cq.searchOffsetByTimestamp(1001, timeOf), 2);
  assert.equal(cq.searchOffsetByTimestamp(1050, timeOf), 10, 'first of a pair');
  assert.equal(cq.searchOffsetByTimestamp(1180, timeOf), 36, 'last message');
  assert.equal(cq.searchOffsetByTimestamp(1181, timeOf), 37, 'after all');
  // Records the commit log no longer holds count as older.
  const gone = (o: number): number | undefined => (o < 1200 ? undefined : storeTime(o));
  assert.equal(cq.searchOffsetByTimestamp(0, gone), 12);
  cq.commit();
  cq.correctMinOffset(1600);
  assert.equal(cq.minOffset, 16);
  assert.equal(cq.searchOffsetByTimestamp(0, timeOf), 16, 'before all clamps to minOffset');
  assert.equal(cq.searchOffsetByTimestamp(1090, timeOf), 18);
  cq.close();
});

void test('retention deletes leading segments, never the last, and moves minOffset', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  putN(cq, 0, 35);
  assert.equal(cq.deleteExpiredSegments(0), 0);
  assert.equal(cq.deleteExpiredSegments(1500), 1); // segment 0 ends at record 900; segment 1 at 1900
  assert.deepEqual(segmentNames(root), ['00000000000000000200', '00000000000000000400', '00000000000000000600']);
  assert.equal(cq.minOffset, 15);
  assert.equal(cq.readUnits(10, 10).length, 0);
  assert.equal(cq.getUnit(15)?.commitLogOffset, 1500);
  cq.close();
  let again = open(root);
  assert.equal(again.minOffset, 10, 'before correctMinOffset the first segment start');
  again.correctMinOffset(1500);
  assert.equal(again.minOffset, 15);
  assert.equal(again.maxOffset, 35);
  assert.equal(again.deleteExpiredSegments(1e12), 2);
  assert.deepEqual(segmentNames(root), ['00000000000000000600']);
  assert.equal(again.minOffset, 35);
  assert.equal(again.maxOffset, 35);
  putN(again, 35, 36);
  assert.equal(again.minOffset, 35);
  assert.equal(again.readUnits(35, 10).length, 20);
  again.close();
  again = open(root);
  assert.deepEqual([again.minOffset, again.maxOffset], [30, 36]);
  again.close();
});

void test('truncateDirty cuts committed and pending units', (t) => {
  const root = tempRoot(t);
  const cq = open(root);
  putN(cq, 0, 25);
  cq.commit();
  putN(cq, 25, 30);
  cq.truncateDirty(2700); // keeps 0..26, cuts pending 27..29
  assert.deepEqual([cq.maxOffset, cq.maxPhysicOffset], [27, 2700]);
  cq.truncateDirty(1050); // record 10 ends at 1100: cuts files at 10
  assert.deepEqual([cq.maxOffset, cq.maxPhysicOffset], [10, 1000]);
  assert.deepEqual(segmentNames(root), ['00000000000000000000']);
  putN(cq, 10, 12);
  cq.close();
  const again = open(root);
  assert.equal(again.maxOffset, 12);
  again.close();
});

void test('1M units put and read back quickly', (t) => {
  const root = tempRoot(t);
  const cq = open(root, 300_000 * CQ_UNIT_SIZE);
  const n = 1_000_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) cq.putUnit(i, i * 256, 256, i & 0xff);
  cq.commit();
  let checked = 0;
  for (let from = 0; from < n; from += 8192) {
    const buf = cq.readUnits(from, 8192);
    for (let i = 0; i < buf.length / CQ_UNIT_SIZE; i++) {
      const q = from + i;
      if (unitCommitLogOffset(buf, i) !== q * 256 || unitSize(buf, i) !== 256 || unitTagsCode(buf, i) !== (q & 0xff)) {
        assert.fail(`unit ${q} differs`);
      }
      checked++;
    }
  }
  const elapsedMs = performance.now() - started;
  assert.equal(checked, n);
  assert.equal(segmentNames(root).length, 4);
  assert.ok(elapsedMs < 5000, `took ${elapsedMs} ms`);
  t.diagnostic(`1M put + read: ${elapsedMs.toFixed(0)} ms`);
  cq.close();
});

void test('constructor rejects bad arguments', (t) => {
  const root = tempRoot(t);
  assert.throws(() => new ConsumeQueue(root, TOPIC, 0, 30), /multiple of 20/);
  assert.throws(() => new ConsumeQueue(root, '../x', 0, SEG), /bad topic/);
  assert.throws(() => new ConsumeQueue(root, TOPIC, -1, SEG), /bad queueId/);
});
