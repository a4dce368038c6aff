import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidArgumentError, StoreError } from '../common/index.js';
import { type DiskUsageProbe, diskUsageRatio, fixedDiskUsage, statfsDiskUsage } from './disk-usage.js';

void test('the real probe returns a sane ratio for the temp directory', () => {
  const r = statfsDiskUsage.usageRatio(tmpdir());
  assert.ok(Number.isFinite(r) && r >= 0 && r <= 1, `ratio ${r}`);
  // Other writers on the disk may move it a little between the two reads.
  assert.ok(Math.abs(diskUsageRatio(tmpdir()) - r) < 0.01);
});

void test('a missing path is a StoreError', () => {
  assert.throws(() => diskUsageRatio(join(tmpdir(), 'orbit-no-such-dir', String(process.pid))), StoreError);
});

void test('fixedDiskUsage reports what it was given and validates it', () => {
  const full: DiskUsageProbe = fixedDiskUsage(0.97);
  assert.equal(full.usageRatio('/anything'), 0.97);
  assert.throws(() => fixedDiskUsage(1.2), InvalidArgumentError);
  assert.throws(() => fixedDiskUsage(Number.NaN), InvalidArgumentError);
});
