import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError, javaHashCode } from '../common/index.js';
import { IndexFile, indexFileSize, indexKeyHash } from './index-file.js';
import { indexFileName } from './index-service.js';

const SLOTS = 1000;
const NUM = 5000;
const T0 = 1_700_000_000_000;

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-indexfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function newFile(t: TestContext, slots = SLOTS, num = NUM): IndexFile {
  const f = IndexFile.create(tempDir(t), 'idx', slots, num);
  t.after(() => f.close());
  return f;
}

function reopen(t: TestContext, f: IndexFile): IndexFile {
  f.close();
  const g = IndexFile.open(f.path, f.hashSlotNum, f.indexNum);
  t.after(() => g.close());
  return g;
}

/** A key whose slot equals `slot` but whose hash differs from `avoidHash`. */
function keyInSlot(slot: number, avoidHash: number, slots = SLOTS): string {
  for (let i = 0; ; i++) {
    const k = `t#K${i}`;
    const h = indexKeyHash(k);
    if (h % slots === slot && h !== avoidHash) return k;
  }
}

const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

void test('key hash and file name helpers', () => {
  assert.equal(indexKeyHash('TagA'), 2598919);
  assert.equal(indexKeyHash('polygenelubricants'), 0); // Java hashCode is Integer.MIN_VALUE
  assert.equal(javaHashCode('polygenelubricants'), -0x8000_0000);
  assert.equal(indexKeyHash('t#Aa'), indexKeyHash('t#BB'));
  assert.equal(indexFileName(new Date(2024, 0, 2, 3, 4, 5, 6).getTime()), '20240102030405006');
  assert.equal(indexFileSize(SLOTS, NUM), 40 + SLOTS * 4 + NUM * 20);
});

void test('golden bytes: header, slot and entries are laid out as IndexFile.java writes them', async (t) => {
  const f = newFile(t);
  const key = 't#order-1';
  const phy = 0x1_2345_6789; // needs the high int64 word
  assert.ok(f.putKey(key, phy, T0 + 123));
  assert.ok(f.putKey(key, phy + 300, T0 + 5_500));
  await f.flush();
  const raw = readFileSync(f.path);
  assert.equal(raw.length, 40 + SLOTS * 4 + NUM * 20);

  const header = Buffer.alloc(40);
  header.writeBigInt64BE(BigInt(T0 + 123), 0);
  header.writeBigInt64BE(BigInt(T0 + 5_500), 8);
  header.writeBigInt64BE(BigInt(phy), 16);
  header.writeBigInt64BE(BigInt(phy + 300), 24);
  header.writeInt32BE(1, 32); // hashSlotCount
  header.writeInt32BE(3, 36); // indexCount = next entry number
  assert.deepEqual(raw.subarray(0, 40), header);

  const keyHash = Math.abs(javaHashCode(key));
  const slot = keyHash % SLOTS;
  assert.equal(raw.readInt32BE(40 + slot * 4), 2);

  const entries = 40 + SLOTS * 4;
  const e1 = Buffer.alloc(20);
  e1.writeInt32BE(keyHash, 0);
  e1.writeBigInt64BE(BigInt(phy), 4);
  e1.writeInt32BE(0, 12);
  e1.writeInt32BE(0, 16);
  const e2 = Buffer.alloc(20);
  e2.writeInt32BE(keyHash, 0);
  e2.writeBigInt64BE(BigInt(phy + 300), 4);
  e2.writeInt32BE(5, 12); // (5500 - 123) / 1000 truncated
  e2.writeInt32BE(1, 16);
  assert.deepEqual(raw.subarray(entries, entries + 20), Buffer.alloc(20), 'entry 0 is unused');
  assert.deepEqual(raw.subarray(entries + 20, entries + 40), e1);
  assert.deepEqual(raw.subarray(entries + 40, entries + 60), e2);
  // Nothing else in the slot table was written.
  let nonZero = 0;
  for (let i = 0; i < SLOTS; i++) if (raw.readInt32BE(40 + i * 4) !== 0) nonZero++;
  assert.equal(nonZero, 1);
});

void test('collisions: same hash returns both, same slot with another hash is filtered', (t) => {
  const f = newFile(t);
  f.putKey('t#Aa', 100, T0);
  f.putKey('t#BB', 200, T0);
  const other = keyInSlot(indexKeyHash('t#Aa') % SLOTS, indexKeyHash('t#Aa'));
  f.putKey(other, 300, T0);
  f.putKey('t#Aa', 400, T0);
  assert.deepEqual(f.selectPhyOffset(['t#Aa'], 10, ...ALL), [400, 200, 100]);
  assert.deepEqual(f.selectPhyOffset(['t#BB'], 10, ...ALL), [400, 200, 100]);
  assert.deepEqual(f.selectPhyOffset([other], 10, ...ALL), [300]);
  assert.deepEqual(f.selectPhyOffset(['t#Aa', other], 10, ...ALL), [400, 200, 100, 300]);
  assert.deepEqual(f.selectPhyOffset(['t#missing'], 10, ...ALL), []);
  assert.equal(f.hashSlotCount, 1);
});

void test('time window and maxNum', (t) => {
  const f = newFile(t);
  for (let i = 0; i < 10; i++) f.putKey('t#k', i, T0 + i * 1000);
  assert.deepEqual(f.selectPhyOffset(['t#k'], 100, T0 + 3000, T0 + 5000), [5, 4, 3]);
  assert.deepEqual(f.selectPhyOffset(['t#k'], 2, ...ALL), [9, 8]);
  assert.deepEqual(f.selectPhyOffset(['t#k'], 100, T0 + 20_000, T0 + 30_000), []);
  assert.ok(f.isTimeMatched(T0 - 5, T0 + 1));
  assert.ok(f.isTimeMatched(T0 - 5, T0 + 50_000));
  assert.ok(!f.isTimeMatched(T0 + 10_000, T0 + 50_000));
});

void test('isFull after indexNum - 1 entries', (t) => {
  const f = newFile(t, 10, 5);
  for (let i = 0; i < 4; i++) assert.ok(f.putKey(`t#${i}`, i, T0));
  assert.ok(f.isFull());
  assert.equal(f.putKey('t#x', 9, T0), false);
  assert.equal(f.entryCount, 4);
});

void test('chunked writes, flush and reopen give the same lookups', async (t) => {
  const f = newFile(t);
  const n = 4500; // more than one 4096-entry chunk
  for (let i = 0; i < n; i++) f.putKey(`t#k${i % 7}`, i * 10, T0 + i * 10);
  const before = [0, 3, 6].map((k) => f.selectPhyOffset([`t#k${k}`], 64, ...ALL));
  assert.equal(before[0]?.[0], 4494 * 10);
  await f.flush();
  const g = reopen(t, f);
  assert.equal(g.entryCount, n);
  assert.deepEqual([0, 3, 6].map((k) => g.selectPhyOffset([`t#k${k}`], 64, ...ALL)), before);
  // Appending after reopen links onto the existing chains.
  g.putKey('t#k0', 99_999, T0 + 50_000);
  assert.deepEqual(g.selectPhyOffset(['t#k0'], 2, ...ALL), [99_999, 4494 * 10]);
});

void test('sealed files drop the slot table after flush and still answer lookups', async (t) => {
  const f = newFile(t);
  f.putKey('t#a', 1, T0);
  f.putKey('t#b', 2, T0);
  f.seal();
  await f.flush();
  assert.throws(() => f.putKey('t#c', 3, T0), StoreError);
  assert.deepEqual(f.selectPhyOffset(['t#a', 't#b'], 10, ...ALL), [1, 2]);
});

void test('recovery: slots flushed past the header are repaired from the entries', async (t) => {
  const f = newFile(t);
  const a = 't#a';
  const b = 't#b';
  f.putKey(a, 100, T0);
  f.putKey(b, 200, T0 + 1000);
  await f.flush(); // header: indexCount 3
  // Crash image of a later flush that wrote entry 3 and slot pages, not the header:
  const fd = openSync(f.path, 'r+');
  const entries = 40 + SLOTS * 4;
  const e3 = Buffer.alloc(20);
  e3.writeInt32BE(indexKeyHash(a), 0);
  e3.writeBigInt64BE(300n, 4);
  e3.writeInt32BE(2, 12);
  e3.writeInt32BE(1, 16);
  writeSync(fd, e3, 0, 20, entries + 3 * 20);
  const slot = Buffer.alloc(4);
  slot.writeInt32BE(3);
  writeSync(fd, slot, 0, 4, 40 + (indexKeyHash(a) % SLOTS) * 4);
  const stray = indexKeyHash('t#stray') % SLOTS;
  slot.writeInt32BE(7);
  writeSync(fd, slot, 0, 4, 40 + stray * 4);
  closeSync(fd);

  f.close();
  const g = IndexFile.open(f.path, SLOTS, NUM);
  t.after(() => g.close());
  assert.equal(g.indexCount, 3);
  assert.equal(g.hashSlotCount, 2);
  assert.deepEqual(g.selectPhyOffset([a], 10, ...ALL), [100]);
  assert.deepEqual(g.selectPhyOffset([b], 10, ...ALL), [200]);
  assert.deepEqual(g.selectPhyOffset(['t#stray'], 10, ...ALL), []);
  // Re-dispatch overwrites entry 3 and links it to the old chain.
  g.putKey(a, 301, T0 + 2000);
  assert.deepEqual(g.selectPhyOffset([a], 10, ...ALL), [301, 100]);
  await g.flush();
  const raw = readFileSync(g.path);
  assert.equal(raw.readInt32BE(40 + stray * 4), 0, 'repaired slot table was written back');
  assert.equal(raw.readInt32BE(40 + (indexKeyHash(a) % SLOTS) * 4), 3);
  assert.equal(raw.readInt32BE(entries + 3 * 20 + 16), 1);
});

void test('open rejects a file of the wrong size', (t) => {
  const f = newFile(t);
  f.close();
  truncateSync(f.path, statSync(f.path).size - 20);
  assert.throws(() => IndexFile.open(f.path, SLOTS, NUM), StoreError);
});

void test('puts made while a flush writes its slot runs: the durable image recovers the keys from before it, the next flush the rest', async (t) => {
  const slots = 100_000; // 98 pages of slot table: several write runs per flush
  const f = newFile(t, slots, 50_000);
  const early = Array.from({ length: 3000 }, (_, i) => `t#early${i}`);
  const late = Array.from({ length: 500 }, (_, i) => `t#late${i}`);
  early.forEach((k, i) => f.putKey(k, 1000 + i, T0 + i));
  let done = false;
  const flushing = f.flush().then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'the flush is still writing when the late puts come');
  late.forEach((k, i) => f.putKey(k, 9000 + i, T0 + 5000 + i));
  await flushing;

  // A crash now: the durable header counts the early keys only, while some slot pages written
  // during the flush may already name late entries that never reached the file.
  const image = join(tempDir(t), 'crash-image');
  writeFileSync(image, readFileSync(f.path));
  const crashed = IndexFile.open(image, slots, 50_000);
  t.after(() => crashed.close());
  assert.equal(crashed.indexCount, early.length + 1);
  early.forEach((k, i) => assert.deepEqual(crashed.selectPhyOffset([k], 4, ...ALL), [1000 + i], k));
  for (const k of late) assert.deepEqual(crashed.selectPhyOffset([k], 4, ...ALL), [], k);

  await f.flush();
  const g = reopen(t, f);
  assert.equal(g.indexCount, early.length + late.length + 1);
  early.forEach((k, i) => assert.deepEqual(g.selectPhyOffset([k], 4, ...ALL), [1000 + i], k));
  late.forEach((k, i) => assert.deepEqual(g.selectPhyOffset([k], 4, ...ALL), [9000 + i], k));
});

void test('a flush of scattered dirty slot pages (runs that bridge clean pages) leaves an image in which every key is found', async (t) => {
  const slots = 100_000; // 98 pages of slot table
  const f = newFile(t, slots, 50_000);
  const first = Array.from({ length: 3000 }, (_, i) => `t#first${i}`);
  first.forEach((k, i) => f.putKey(k, 1000 + i, T0 + i));
  await f.flush();
  const second = Array.from({ length: 40 }, (_, i) => `t#second${i}`); // dirties ~40 of 98 pages, with clean ones between
  second.forEach((k, i) => f.putKey(k, 9000 + i, T0 + 5000 + i));
  await f.flush();
  const image = join(tempDir(t), 'crash-image');
  writeFileSync(image, readFileSync(f.path));
  const crashed = IndexFile.open(image, slots, 50_000);
  t.after(() => crashed.close());
  assert.equal(crashed.indexCount, first.length + second.length + 1);
  first.forEach((k, i) => assert.deepEqual(crashed.selectPhyOffset([k], 4, ...ALL), [1000 + i], k));
  second.forEach((k, i) => assert.deepEqual(crashed.selectPhyOffset([k], 4, ...ALL), [9000 + i], k));
});

void test('flushes of a fully dirty slot table through the reused run buffer leave every key at its newest offset', async (t) => {
  // 1 M slots: a 4 MB table in ~31 runs of 128 KiB, every page dirtied by 20,000 keys, twice.
  const slots = 1_000_000;
  const f = newFile(t, slots, 50_000);
  const keys = Array.from({ length: 20_000 }, (_, i) => `t#k${i}`);
  keys.forEach((k, i) => f.putKey(k, 1000 + i, T0 + i));
  await f.flush();
  keys.forEach((k, i) => f.putKey(k, 100_000 + i, T0 + 50_000 + i)); // every page dirty again
  await f.flush();
  const image = join(tempDir(t), 'crash-image'); // what a crash now would leave: the flushed state only
  writeFileSync(image, readFileSync(f.path));
  const crashed = IndexFile.open(image, slots, 50_000);
  t.after(() => crashed.close());
  assert.equal(crashed.indexCount, 2 * keys.length + 1);
  keys.forEach((k, i) => assert.deepEqual(crashed.selectPhyOffset([k], 1, ...ALL), [100_000 + i], k));
});
