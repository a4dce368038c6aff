import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { InvalidArgumentError } from '../common/index.js';
import {
  CHECKPOINT_SIZE,
  EMPTY_CHECKPOINT,
  type CheckpointData,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  saveCheckpointSync,
} from './checkpoint.js';

function tempPath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-ckpt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'checkpoint');
}

const a: CheckpointData = {
  physicMsgTimestamp: 1_700_000_000_123,
  logicsMsgTimestamp: 1_700_000_000_100,
  indexMsgTimestamp: 1_700_000_000_050,
  commitLogFlushedOffset: 3 * 1024 ** 3 + 17,
  consumeQueueOffset: 3 * 1024 ** 3,
  indexOffset: Number.MAX_SAFE_INTEGER,
};
const b: CheckpointData = { ...a, physicMsgTimestamp: a.physicMsgTimestamp + 1, commitLogFlushedOffset: a.commitLogFlushedOffset + 100 };

void test('encode/decode round-trips and the layout is fixed', () => {
  const buf = encodeCheckpoint(a);
  assert.equal(buf.length, CHECKPOINT_SIZE);
  assert.equal(buf.subarray(0, 4).toString('latin1'), 'OCKP');
  assert.equal(buf.readUInt16BE(4), 1);
  assert.equal(Number(buf.readBigInt64BE(8)), a.physicMsgTimestamp);
  assert.equal(Number(buf.readBigInt64BE(32)), a.commitLogFlushedOffset);
  assert.equal(Number(buf.readBigInt64BE(48)), a.indexOffset);
  assert.deepEqual(decodeCheckpoint(buf), a);
  // golden: zeros
  assert.equal(encodeCheckpoint(EMPTY_CHECKPOINT).subarray(0, 56).toString('hex'), `4f434b500001${'0'.repeat(100)}`);
});

void test('decode detects every single-byte corruption and truncation', () => {
  const good = encodeCheckpoint(a);
  for (let i = 0; i < good.length; i++) {
    const bad = Buffer.from(good);
    bad[i] = (bad[i] ?? 0) ^ 0x40;
    assert.equal(typeof decodeCheckpoint(bad), 'string', `byte ${i}`);
  }
  assert.match(String(decodeCheckpoint(good.subarray(0, 30))), /size/);
  assert.match(String(decodeCheckpoint(Buffer.alloc(CHECKPOINT_SIZE))), /CRC|magic/);
});

void test('encode rejects negative and unsafe values', () => {
  assert.throws(() => encodeCheckpoint({ ...a, indexOffset: -1 }), InvalidArgumentError);
  assert.throws(() => encodeCheckpoint({ ...a, consumeQueueOffset: 2 ** 60 }), InvalidArgumentError);
  assert.throws(() => encodeCheckpoint({ ...a, physicMsgTimestamp: 1.5 }), InvalidArgumentError);
});

void test('missing → zeros, not corrupt', (t) => {
  assert.deepEqual(loadCheckpoint(tempPath(t)), { data: EMPTY_CHECKPOINT, source: 'empty', corrupt: false, problems: [] });
});

for (const mode of ['async', 'sync'] as const) {
  const save = mode === 'async' ? saveCheckpoint : async (p: string, d: CheckpointData) => saveCheckpointSync(p, d);

  void test(`${mode}: save then load; the previous version becomes .bak`, async (t) => {
    const path = tempPath(t);
    await save(path, a);
    assert.deepEqual(loadCheckpoint(path), { data: a, source: 'main', corrupt: false, problems: [] });
    await save(path, b);
    assert.deepEqual(loadCheckpoint(path).data, b);
    assert.deepEqual(decodeCheckpoint(readFileSync(`${path}.bak`)), a);
  });

  void test(`${mode}: torn main → .bak, flagged corrupt`, async (t) => {
    const path = tempPath(t);
    await save(path, a);
    await save(path, b);
    writeFileSync(path, encodeCheckpoint(b).subarray(0, 40)); // torn write
    const got = loadCheckpoint(path);
    assert.equal(got.source, 'bak');
    assert.equal(got.corrupt, true);
    assert.deepEqual(got.data, a);
    assert.match(got.problems[0] ?? '', /size 40/);
  });
}

void test('corrupt main and corrupt .bak → zeros, flagged corrupt with both problems', (t) => {
  const path = tempPath(t);
  const bad = encodeCheckpoint(a);
  bad[20] = (bad[20] ?? 0) ^ 1;
  writeFileSync(path, bad);
  writeFileSync(`${path}.bak`, 'x');
  const got = loadCheckpoint(path);
  assert.equal(got.source, 'empty');
  assert.equal(got.corrupt, true);
  assert.deepEqual(got.data, EMPTY_CHECKPOINT);
  assert.equal(got.problems.length, 2);
  assert.match(got.problems[0] ?? '', /CRC mismatch/);
});

void test('missing main with a valid .bak (crash between backup and rename) → .bak, not corrupt', (t) => {
  const path = tempPath(t);
  writeFileSync(`${path}.bak`, encodeCheckpoint(a));
  assert.deepEqual(loadCheckpoint(path), { data: a, source: 'bak', corrupt: false, problems: [] });
});
