import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSysFlag, type Clock } from '../common/index.js';
import type { DispatchRequest } from './dispatch-request.js';
import { IndexService, MAX_MSGS_NUM_BATCH, type IndexServiceOptions } from './index-service.js';

const T0 = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
const SMALL: IndexServiceOptions = { maxHashSlotNum: 1000, maxIndexNum: 5000 };
const ALL = [0, Number.MAX_SAFE_INTEGER] as const;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-index-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fixedClock(ms = T0): Clock {
  return { now: () => ms };
}

function open(t: TestContext, dir: string, opts = SMALL): IndexService {
  const svc = new IndexService(dir, opts, fixedClock());
  svc.load();
  t.after(() => svc.close());
  return svc;
}

function req(commitLogOffset: number, fields: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    topic: 'T',
    queueId: 0,
    commitLogOffset,
    msgSize: 100,
    tagsCode: 0,
    storeTimestamp: T0 + commitLogOffset * 10,
    queueOffset: commitLogOffset,
    keys: undefined,
    uniqKey: `U${commitLogOffset}`,
    sysFlag: 0,
    preparedTransactionOffset: 0,
    ...fields,
  };
}

void test('put and query by KEYS token and by uniq key', (t) => {
  const svc = open(t, tempDir(t));
  assert.equal(svc.lastIndexedPhyOffset, -1);
  svc.buildIndex(req(0, { keys: 'order-1  order-2 ' }));
  svc.buildIndex(req(100, { keys: 'order-2' }));
  svc.buildIndex(req(200, { topic: 'Other', keys: 'order-1' }));
  assert.deepEqual(svc.queryOffset('T', 'order-1', 10, ...ALL).phyOffsets, [0]);
  assert.deepEqual(svc.queryOffset('T', 'order-2', 10, ...ALL).phyOffsets, [100, 0]);
  assert.deepEqual(svc.queryOffset('T', 'U100', 10, ...ALL).phyOffsets, [100]);
  assert.deepEqual(svc.queryOffset('Other', 'order-1', 10, ...ALL).phyOffsets, [200]);
  assert.deepEqual(svc.queryOffset('T', '', 10, ...ALL).phyOffsets, []);
  const r = svc.queryOffset('T', 'nope', 10, ...ALL);
  assert.deepEqual(r, { phyOffsets: [], indexLastUpdateTimestamp: T0 + 2000, indexLastUpdatePhyoffset: 200 });
  assert.equal(svc.lastIndexedPhyOffset, 200);
  assert.equal(svc.indexFiles[0]?.entryCount, 7);
  assert.deepEqual(readdirSync(svc.indexFiles[0]?.path.replace(/[^/]+$/, '') ?? ''), ['20240102030405006']);
});

void test('hash collisions come back for both keys; callers filter', (t) => {
  const svc = open(t, tempDir(t));
  svc.buildIndex(req(0, { keys: 'Aa', uniqKey: undefined }));
  svc.buildIndex(req(100, { keys: 'BB', uniqKey: undefined }));
  assert.deepEqual(svc.queryOffset('T', 'Aa', 10, ...ALL).phyOffsets, [100, 0]);
  assert.deepEqual(svc.queryOffset('T', 'BB', 10, ...ALL).phyOffsets, [100, 0]);
});

void test('time window and maxNum (capped at maxMsgsNumBatch)', (t) => {
  const svc = open(t, tempDir(t));
  for (let i = 0; i < 100; i++) svc.buildIndex(req(i * 100, { keys: 'k', storeTimestamp: T0 + i * 1000 }));
  assert.deepEqual(svc.queryOffset('T', 'k', 10, T0 + 10_000, T0 + 12_000).phyOffsets, [1200, 1100, 1000]);
  assert.deepEqual(svc.queryOffset('T', 'k', 3, ...ALL).phyOffsets, [9900, 9800, 9700]);
  assert.equal(svc.queryOffset('T', 'k', 1000, ...ALL).phyOffsets.length, MAX_MSGS_NUM_BATCH);
  assert.deepEqual(svc.queryOffset('T', 'k', 10, T0 + 500_000, T0 + 600_000).phyOffsets, []);
});

void test('rolls to a new file when full; queries span files newest first', (t) => {
  const dir = tempDir(t);
  const svc = open(t, dir, { maxHashSlotNum: 100, maxIndexNum: 10 }); // 9 entries per file
  for (let i = 0; i < 20; i++) svc.buildIndex(req(i * 100, { uniqKey: undefined, keys: 'k', storeTimestamp: T0 + i * 1000 }));
  assert.equal(svc.fileCount, 3);
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ['20240102030405006', '20240102030405007', '20240102030405008']);
  const files = svc.indexFiles;
  assert.equal(files[1]?.beginPhyOffset, 900);
  assert.equal(files[1]?.beginTimestamp, T0 + 9000);
  assert.equal(files[1]?.endPhyOffset, 1700);
  assert.equal(files[2]?.entryCount, 2);
  const all = svc.queryOffset('T', 'k', 64, ...ALL).phyOffsets;
  assert.deepEqual(all, Array.from({ length: 20 }, (_, i) => (19 - i) * 100));
  // Only files overlapping the window are searched; the walk stops at an older file.
  assert.deepEqual(svc.queryOffset('T', 'k', 64, T0 + 10_000, T0 + 11_000).phyOffsets, [1100, 1000]);
});

void test('a record\'s keys never straddle two files', (t) => {
  const svc = open(t, tempDir(t), { maxHashSlotNum: 100, maxIndexNum: 4 }); // 3 entries per file
  svc.buildIndex(req(0, { keys: 'a' })); // 2 entries
  svc.buildIndex(req(100, { keys: 'b' })); // needs 2, 1 left: roll
  assert.equal(svc.fileCount, 2);
  assert.equal(svc.indexFiles[0]?.entryCount, 2);
  assert.equal(svc.indexFiles[1]?.entryCount, 2);
  svc.buildIndex(req(200, { uniqKey: undefined, keys: 'c d e f' })); // more than a file holds
  assert.equal(svc.fileCount, 3); // fills the last slot of file 2, then rolls (as Java)
  for (const k of ['c', 'd', 'e', 'f']) assert.deepEqual(svc.queryOffset('T', k, 10, ...ALL).phyOffsets, [200]);
});

void test('flush and reopen give the same results', async (t) => {
  const dir = tempDir(t);
  const svc = new IndexService(dir, { maxHashSlotNum: 100, maxIndexNum: 50 }, fixedClock());
  svc.load();
  for (let i = 0; i < 120; i++) svc.buildIndex(req(i * 100, { keys: `k${i % 5}`, storeTimestamp: T0 + i * 1000 }));
  await svc.flush();
  const query = (s: IndexService): unknown =>
    [0, 1, 4].map((k) => s.queryOffset('T', `k${k}`, 64, ...ALL)).concat([s.queryOffset('T', 'U77', 64, ...ALL)]);
  const before = query(svc);
  const last = svc.lastIndexedPhyOffset;
  svc.close();
  const again = open(t, dir, { maxHashSlotNum: 100, maxIndexNum: 50 });
  assert.equal(again.fileCount, 5);
  assert.equal(again.lastIndexedPhyOffset, last);
  assert.deepEqual(query(again), before);
});

void test('re-dispatch is idempotent, also after a crash image of an earlier flush', async (t) => {
  const dir = tempDir(t);
  const crash = tempDir(t);
  const opts = { maxHashSlotNum: 100, maxIndexNum: 8 };
  const svc = open(t, dir, opts);
  const reqs = Array.from({ length: 12 }, (_, i) => req(i * 100, { keys: `k${i % 3}`, storeTimestamp: T0 + i * 1000 }));
  for (const r of reqs.slice(0, 5)) svc.buildIndex(r);
  await svc.flush();
  cpSync(dir, crash, { recursive: true }); // what a kill -9 right now would leave
  for (const r of reqs.slice(5)) svc.buildIndex(r);
  const counts = svc.indexFiles.map((f) => f.entryCount);
  for (const r of reqs) svc.buildIndex(r); // recovery re-dispatch from an old checkpoint
  assert.deepEqual(svc.indexFiles.map((f) => f.entryCount), counts);
  const expected = [0, 1, 2].map((k) => svc.queryOffset('T', `k${k}`, 64, ...ALL).phyOffsets);

  const recovered = open(t, crash, opts);
  assert.equal(recovered.lastIndexedPhyOffset, 400);
  for (const r of reqs) recovered.buildIndex(r);
  assert.deepEqual([0, 1, 2].map((k) => recovered.queryOffset('T', `k${k}`, 64, ...ALL).phyOffsets), expected);
  assert.deepEqual(recovered.indexFiles.map((f) => f.entryCount), counts);
});

void test('ROLLBACK records are not indexed; prepared and commit are', (t) => {
  const svc = open(t, tempDir(t));
  svc.buildIndex(req(0, { keys: 'k', sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
  svc.buildIndex(req(100, { keys: 'k', sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE }));
  svc.buildIndex(req(200, { keys: 'k', sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE | MessageSysFlag.COMPRESSED_FLAG }));
  assert.deepEqual(svc.queryOffset('T', 'k', 10, ...ALL).phyOffsets, [200, 0]);
  assert.deepEqual(svc.queryOffset('T', 'U100', 10, ...ALL).phyOffsets, []);
  assert.equal(svc.lastIndexedPhyOffset, 200);
});

void test('records without keys create no file', (t) => {
  const dir = tempDir(t);
  const svc = open(t, dir);
  svc.buildIndex(req(0, { uniqKey: undefined, keys: '  ' }));
  assert.equal(svc.fileCount, 0);
  assert.equal(svc.lastIndexedPhyOffset, -1);
  assert.deepEqual(svc.queryOffset('T', 'x', 10, ...ALL), { phyOffsets: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 });
});

void test('deleteExpired removes old files below the offset, never the last', (t) => {
  const dir = tempDir(t);
  const svc = open(t, dir, { maxHashSlotNum: 100, maxIndexNum: 4 }); // 3 entries per file
  for (let i = 0; i < 9; i++) svc.buildIndex(req(i * 100, { uniqKey: undefined, keys: 'k' }));
  assert.equal(svc.fileCount, 3); // ends: 200, 500, 800
  assert.equal(svc.deleteExpired(200), 0);
  assert.equal(svc.deleteExpired(201), 1);
  assert.equal(readdirSync(dir).length, 2);
  assert.deepEqual(svc.queryOffset('T', 'k', 64, ...ALL).phyOffsets, [800, 700, 600, 500, 400, 300]);
  assert.equal(svc.deleteExpired(Number.MAX_SAFE_INTEGER), 1);
  assert.equal(svc.fileCount, 1);
  assert.equal(readdirSync(dir).length, 1);
  svc.destroy();
  assert.deepEqual(readdirSync(dir), []);
});

void test('file names follow the clock and stay ordered when it stands still or goes back', (t) => {
  const dir = tempDir(t);
  let now = T0 + 1000;
  const svc = new IndexService(dir, { maxHashSlotNum: 10, maxIndexNum: 2 }, { now: () => now });
  svc.load();
  t.after(() => svc.close());
  svc.buildIndex(req(0, { uniqKey: undefined, keys: 'a' }));
  now = T0; // clock went back
  svc.buildIndex(req(100, { uniqKey: undefined, keys: 'b' }));
  now = T0 + 60_000;
  svc.buildIndex(req(200, { uniqKey: undefined, keys: 'c' }));
  assert.deepEqual(readdirSync(dir).sort(), ['20240102030406006', '20240102030406007', '20240102030505006']);
});

void test('close while a flush is in flight neither throws nor loses data', async (t) => {
  const dir = tempDir(t);
  const svc = new IndexService(dir, SMALL, fixedClock());
  svc.load();
  for (let i = 0; i < 10; i++) svc.buildIndex(req(i * 100, { keys: 'k' }));
  const flushing = svc.flush();
  svc.buildIndex(req(1000, { keys: 'k' }));
  svc.close();
  await flushing;
  const again = open(t, dir);
  assert.equal(again.lastIndexedPhyOffset, 1000);
  assert.equal(again.queryOffset('T', 'k', 64, ...ALL).phyOffsets.length, 11);
});
