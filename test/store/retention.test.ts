import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeStoredMessage } from '../../src/common/index.js';
import type { DiskUsageProbe, MessageStoreConfig } from '../../src/store/index.js';
import { MessageStore, isPutOk, resolveMessageStoreConfig } from '../../src/store/index.js';
import { makeMessage, STORE_HOST } from '../support/messages.js';
import { tempDir } from '../support/temp-dir.js';

const SEGMENT = 32 * 1024;

function storeAt(dir: string, diskUsage: DiskUsageProbe, over: Partial<MessageStoreConfig> = {}): MessageStore {
  return new MessageStore(
    resolveMessageStoreConfig({
      storePathRootDir: dir,
      mappedFileSizeCommitLog: SEGMENT,
      mappedFileSizeConsumeQueue: 20 * 50,
      maxMessageSize: 4096,
      maxHashSlotNum: 997,
      maxIndexNum: 200,
      ...over,
    }),
    { storeHost: STORE_HOST, diskUsage },
  );
}

void test('expired segments are deleted at deleteWhen and consume queues follow', async (t) => {
  const dir = tempDir(t);
  const probe = { ratio: 0.1, usageRatio(): number { return this.ratio; } };
  const hour = new Date().getHours();
  const store = storeAt(dir, probe, { fileReservedTime: 1, deleteWhen: String(hour).padStart(2, '0') });
  await store.open();
  t.after(() => store.close());
  for (let i = 0; i < 300; i++) assert.ok(isPutOk(await store.putMessage(makeMessage('Old', 0, Buffer.alloc(500, i), { KEYS: `k${i}` }))));
  const segments = readdirSync(join(dir, 'commitlog')).sort();
  assert.ok(segments.length >= 4);
  assert.equal(await store.runRetention(), 0, 'nothing is old enough yet');
  // Age all but the newest two segments past fileReservedTime (1 h).
  const old = (Date.now() - 2 * 3600_000) / 1000;
  for (const n of segments.slice(0, -2)) utimesSync(join(dir, 'commitlog', n), old, old);
  const deleted = await store.runRetention();
  assert.equal(deleted, segments.length - 2);
  assert.equal(store.minPhyOffset, (segments.length - 2) * SEGMENT);
  const min = store.getMinOffsetInQueue('Old', 0);
  assert.ok(min > 0, 'the queue min offset moved past deleted records');
  assert.equal(store.getMessage('Old', 0, 0, { maxMsgNums: 1, maxTotalBytes: 1 << 20 }).status, 'OFFSET_TOO_SMALL');
  const first = store.getMessage('Old', 0, min, { maxMsgNums: 1, maxTotalBytes: 1 << 20 });
  assert.equal(first.status, 'FOUND');
  assert.ok(decodeStoredMessage(first.messages[0] ?? Buffer.alloc(0)).commitLogOffset >= store.minPhyOffset);
  assert.equal(store.queryMessage('Old', 'k0', 32, 0, Date.now() + 1000).messages.length, 0);
});

void test('a nearly full disk deletes early, then refuses appends with a clear status; stored data stays intact', async (t) => {
  const dir = tempDir(t);
  const probe = { ratio: 0.5, usageRatio(): number { return this.ratio; } };
  const store = storeAt(dir, probe, { fileReservedTime: 72, deleteWhen: '99' });
  await store.open();
  t.after(() => store.close());
  for (let i = 0; i < 200; i++) assert.ok(isPutOk(await store.putMessage(makeMessage('D', 0, Buffer.alloc(500, 1)))));
  const before = readdirSync(join(dir, 'commitlog')).length;
  probe.ratio = 0.87; // above diskSpaceCleanForciblyRatio: unexpired segments go, writes still accepted
  assert.ok((await store.runRetention()) > 0);
  assert.ok(readdirSync(join(dir, 'commitlog')).length < before);
  assert.equal(store.isDiskFull, false);
  probe.ratio = 0.95; // above diskSpaceWarningLevelRatio: disk full
  await store.runRetention();
  assert.equal(store.isDiskFull, true);
  const refused = await store.putMessage(makeMessage('D', 0, 'x'));
  assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
  assert.ok('reason' in refused && /disk is full/.test(refused.reason));
  const max = store.getMaxOffsetInQueue('D', 0);
  const got = store.getMessage('D', 0, max - 1, { maxMsgNums: 1, maxTotalBytes: 1 << 20 });
  assert.equal(got.status, 'FOUND', 'reads keep working');
  probe.ratio = 0.5;
  await store.runRetention();
  assert.ok(isPutOk(await store.putMessage(makeMessage('D', 0, 'y'))), 'writable again once space is back');
});

function canMountTmpfs(dir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

void test('real ENOSPC on a 1 MiB tmpfs: appends fail with SERVICE_NOT_AVAILABLE and everything acknowledged survives', async (t) => {
  const mnt = mkdtempSync(join(tmpdir(), 'orbitmq-full-'));
  if (!canMountTmpfs(mnt)) {
    rmSync(mnt, { recursive: true, force: true });
    t.skip('needs root and tmpfs mounts to make a real full disk');
    return;
  }
  try {
    await fillUpAndRecover(mnt);
  } finally {
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    rmSync(mnt, { recursive: true, force: true });
  }
});

async function fillUpAndRecover(mnt: string): Promise<void> {
  const dir = join(mnt, 'store');
  const ballast = join(mnt, 'ballast');
  writeFileSync(ballast, Buffer.alloc(192 * 1024, 1)); // what an operator deletes to make room
  const noGuard = { usageRatio: (): number => 0 }; // let the write itself hit ENOSPC
  const over = { mappedFileSizeCommitLog: 256 * 1024, mappedFileSizeConsumeQueue: 20 * 1000 };
  const store = storeAt(dir, noGuard, over);
  await store.open();
  const acked: number[] = [];
  let failure: string | undefined;
  for (let i = 0; i < 2000 && failure === undefined; i++) {
    const r = await store.putMessage(makeMessage('Full', 0, Buffer.alloc(1500, i & 0xff)));
    if (isPutOk(r)) acked.push(r.appendResult.wroteOffset);
    else failure = `${r.status}: ${r.reason}`;
  }
  assert.match(failure ?? 'never failed', /^SERVICE_NOT_AVAILABLE: the broker disk is full$/);
  assert.ok(acked.length > 100);
  await store.close();
  rmSync(ballast);
  const again = storeAt(dir, noGuard, over);
  await again.open();
  try {
    for (const [i, off] of acked.entries()) {
      const rec = again.lookMessageByOffset(off);
      assert.ok(rec, `acknowledged record ${i} survives`);
      assert.equal(decodeStoredMessage(rec).body[0], i & 0xff);
    }
    assert.equal(again.getMaxOffsetInQueue('Full', 0), acked.length);
  } finally {
    await again.close();
  }
}
