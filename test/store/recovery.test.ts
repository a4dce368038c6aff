import assert from 'node:assert/strict';
import { appendFileSync, existsSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { decodeStoredMessage } from '../../src/common/index.js';
import type { MessageStoreConfig } from '../../src/store/index.js';
import { MessageStore, isPutOk, resolveMessageStoreConfig } from '../../src/store/index.js';
import { loadCheckpoint } from '../../src/store/checkpoint.js';
import { makeMessage, STORE_HOST } from '../support/messages.js';
import { tempDir } from '../support/temp-dir.js';

const SEGMENT = 64 * 1024;

function storeAt(dir: string, over: Partial<MessageStoreConfig> = {}): MessageStore {
  return new MessageStore(
    resolveMessageStoreConfig({
      storePathRootDir: dir,
      mappedFileSizeCommitLog: SEGMENT,
      mappedFileSizeConsumeQueue: 20 * 64,
      maxMessageSize: 8 * 1024,
      maxHashSlotNum: 997,
      maxIndexNum: 3000,
      ...over,
    }),
    { storeHost: STORE_HOST },
  );
}

async function fill(store: MessageStore, n: number, topic = 'R'): Promise<number[]> {
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await store.putMessage(makeMessage(topic, i % 3, `payload-${i}`.repeat(1 + (i % 7)), { KEYS: `k-${i}`, TAGS: `t${i % 2}` }));
    assert.ok(isPutOk(r));
    offsets.push(r.appendResult.wroteOffset);
  }
  return offsets;
}

/** Makes the next open an unclean one, as after a crash. */
function markCrashed(dir: string): void {
  writeFileSync(join(dir, 'abort'), '');
}

function lastSegment(dir: string): string {
  const names = readdirSync(join(dir, 'commitlog')).sort();
  return join(dir, 'commitlog', names[names.length - 1] ?? '');
}

function queueTotals(store: MessageStore, topic = 'R'): number {
  return [0, 1, 2].reduce((s, q) => s + store.getMaxOffsetInQueue(topic, q), 0);
}

void test('garbage after the last record is detected and cut on an unclean start', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  await fill(store, 50);
  const end = store.maxPhyOffset;
  await store.close();
  markCrashed(dir);
  const fd = openSync(lastSegment(dir), 'r+');
  const garbage = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
  writeSync(fd, garbage, 0, garbage.length, end % SEGMENT);
  closeSync(fd);

  const again = storeAt(dir);
  const report = await again.open();
  t.after(() => again.close());
  assert.equal(report.cleanShutdown, false);
  assert.equal(report.validEnd, end);
  assert.ok(report.truncated, 'the garbage was reported');
  assert.equal(queueTotals(again), 50);
  const r = await again.putMessage(makeMessage('R', 0, 'after'));
  assert.ok(isPutOk(r));
  assert.equal(r.appendResult.wroteOffset, end, 'new appends overwrite the cut tail');
});

void test('a torn (half-written) last record and a bad body CRC are cut back to the last whole record', async (t) => {
  for (const damage of ['torn', 'crc'] as const) {
    const dir = tempDir(t);
    const store = storeAt(dir);
    await store.open();
    const offsets = await fill(store, 40);
    const end = store.maxPhyOffset;
    await store.close();
    markCrashed(dir);
    const lastOffset = offsets[offsets.length - 1] ?? 0;
    const seg = lastSegment(dir);
    const bytes = readFileSync(seg);
    const pos = lastOffset % SEGMENT;
    if (damage === 'torn') {
      bytes.fill(0, pos + Math.floor((end - lastOffset) / 2), end % SEGMENT || SEGMENT);
    } else {
      bytes[end % SEGMENT - 3] = (bytes[end % SEGMENT - 3] ?? 0) ^ 0xff; // inside properties: lengths still add up
      const bodyPos = pos + 84 + 4;
      bytes[bodyPos] = (bytes[bodyPos] ?? 0) ^ 0x01;
    }
    writeFileSync(seg, bytes);
    const again = storeAt(dir);
    const report = await again.open();
    assert.equal(report.validEnd, lastOffset, `${damage}: cut at the damaged record`);
    assert.equal(queueTotals(again), 39, `${damage}: its consume-queue entry is gone`);
    assert.equal(again.lookMessageByOffset(lastOffset), undefined);
    const prev = again.lookMessageByOffset(offsets[offsets.length - 2] ?? 0);
    assert.ok(prev);
    assert.equal(decodeStoredMessage(prev).body.toString().startsWith('payload-38'), true);
    await again.close();
  }
});

void test('a commit log truncated mid-record (file cut short) recovers to the last whole record', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  const offsets = await fill(store, 30);
  await store.close();
  markCrashed(dir);
  const seg = lastSegment(dir);
  const last = offsets[offsets.length - 1] ?? 0;
  const bytes = readFileSync(seg).subarray(0, (last % SEGMENT) + 10);
  writeFileSync(seg, bytes); // shorter than a segment: reopened and re-extended
  const again = storeAt(dir);
  const report = await again.open();
  t.after(() => again.close());
  assert.equal(report.validEnd, last);
  assert.equal(statSync(seg).size, SEGMENT);
  assert.equal(queueTotals(again), 29);
});

function snapshotConsumeQueues(dir: string): Map<string, Buffer> {
  const root = join(dir, 'consumequeue');
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

void test('consume queues and index deleted while stopped are rebuilt from the commit log and match the originals', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  await fill(store, 400, 'R');
  await fill(store, 100, 'S');
  const queries = (s: MessageStore): string[][] =>
    ['k-0', 'k-77', 'k-399', 'k-99', 'nope'].map((k) =>
      [...s.queryMessage('R', k, 32, 0, Date.now() + 60_000).messages, ...s.queryMessage('S', k, 32, 0, Date.now() + 60_000).messages]
        .map((m) => decodeStoredMessage(m).body.toString())
        .sort(),
    );
  const before = queries(store);
  assert.deepEqual(before.map((b) => b.length), [2, 2, 1, 2, 0]);
  await store.close();
  const cqBefore = snapshotConsumeQueues(dir);
  assert.ok(cqBefore.size >= 6);

  rmSync(join(dir, 'consumequeue'), { recursive: true });
  rmSync(join(dir, 'index'), { recursive: true });
  const again = storeAt(dir);
  const report = await again.open();
  assert.equal(report.scannedFrom, 0, 'rebuild scans the whole commit log');
  assert.deepEqual(queries(again), before);
  await again.close();
  const cqAfter = snapshotConsumeQueues(dir);
  assert.deepEqual([...cqAfter.keys()].sort(), [...cqBefore.keys()].sort());
  for (const [k, v] of cqBefore) assert.ok(v.equals(cqAfter.get(k) ?? Buffer.alloc(0)), `consume queue file ${k} is byte-identical`);
});

void test('the checkpoint counts the index durable only as far as its last flush (flushIntervalIndex), consume queues as far as theirs', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir, { flushIntervalConsumeQueue: 20, flushIntervalIndex: 60_000 });
  await store.open();
  await fill(store, 20);
  const end = store.maxPhyOffset;
  const checkpoint = (): { cq: number; index: number } => {
    const cp = loadCheckpoint(join(dir, 'checkpoint')).data;
    return { cq: cp.consumeQueueOffset, index: cp.indexOffset };
  };
  for (let i = 0; i < 100 && checkpoint().cq < end; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(checkpoint(), { cq: end, index: 0 }, 'only the flush at open covered the index');
  await store.close();
  assert.deepEqual(checkpoint(), { cq: end, index: end }, 'close flushes the index');

  const again = storeAt(dir, { flushIntervalConsumeQueue: 20, flushIntervalIndex: 20 });
  await again.open();
  await fill(again, 5);
  const end2 = again.maxPhyOffset;
  for (let i = 0; i < 100 && checkpoint().index < end2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(checkpoint(), { cq: end2, index: end2 }, 'a short interval flushes the index with the queues');
  await again.close();
});

void test('a second process cannot open a store that is open', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  t.after(() => store.close());
  // Same process, second instance: refused by the lock.
  await assert.rejects(storeAt(dir).open(), /lock/i);
  appendFileSync(join(dir, 'marker'), 'x');
});
