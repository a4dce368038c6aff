/**
 * The disk's ceilings, measured in-process in the folder the store uses, so
 * the store's numbers can be read against them within one run (the same
 * quantities as ../shared/bench/limits.mjs, which this does not depend on):
 *
 *   - disk_seq_write: 1 MiB positional writes to a fresh file, then one
 *     fdatasync; time includes the fdatasync (the disk's sequential write
 *     bandwidth);
 *   - disk_buffered_write: the same without any sync (page-cache bandwidth);
 *     the file is fdatasynced afterwards, untimed, so no dirty pages leak into
 *     the next measurement;
 *   - disk_fdatasync_4k: 4 KiB appends with fdatasync after each (ops/s), the
 *     floor for SYNC_FLUSH without group commit.
 *
 * Each is bounded by bytes and seconds; the file is deleted afterwards.
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DiskResult {
  readonly case: 'disk_seq_write' | 'disk_buffered_write' | 'disk_fdatasync_4k';
  readonly blockBytes: number;
  readonly ops: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly notes: string;
}

export interface DiskLimits {
  readonly maxBytes: number;
  readonly maxSeconds: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_DISK_LIMITS: DiskLimits = { maxBytes: 256 * MiB, maxSeconds: 2 };

const nowNs = (): bigint => process.hrtime.bigint();
const secondsSince = (t0: bigint): number => Number(nowNs() - t0) / 1e9;

function withScratchFile<T>(dir: string, name: string, fn: (fd: number) => T): T {
  const file = join(dir, name);
  const fd = openSync(file, 'wx');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

/** Writes `block`-byte chunks sequentially from offset 0 until a bound; returns [ops, bytes]. */
function writeLoop(fd: number, block: number, limits: DiskLimits, syncEach: boolean, t0: bigint): [number, number] {
  const buf = Buffer.alloc(block, 0x5a);
  const maxOps = Math.floor(limits.maxBytes / block);
  const limitNs = BigInt(Math.round(limits.maxSeconds * 1e9));
  let ops = 0;
  while (ops < maxOps) {
    let done = 0;
    while (done < block) done += writeSync(fd, buf, done, block - done, ops * block + done);
    if (syncEach) fdatasyncSync(fd);
    ops++;
    if (nowNs() - t0 > limitNs) break;
  }
  return [ops, ops * block];
}

export function measureSeqWrite(dir: string, limits: DiskLimits = DEFAULT_DISK_LIMITS): DiskResult {
  return withScratchFile(dir, 'seq-write.dat', (fd) => {
    const t0 = nowNs();
    const [ops, bytes] = writeLoop(fd, MiB, limits, false, t0);
    const written = secondsSince(t0);
    fdatasyncSync(fd);
    const seconds = secondsSince(t0);
    return {
      case: 'disk_seq_write',
      blockBytes: MiB,
      ops,
      bytes,
      seconds,
      notes: `1 MiB pwrites to a fresh file + final fdatasync (included); writes took ${written.toFixed(3)} s, fdatasync ${(seconds - written).toFixed(3)} s`,
    };
  });
}

export function measureBufferedWrite(dir: string, limits: DiskLimits = DEFAULT_DISK_LIMITS): DiskResult {
  return withScratchFile(dir, 'buffered-write.dat', (fd) => {
    const t0 = nowNs();
    const [ops, bytes] = writeLoop(fd, MiB, limits, false, t0);
    const seconds = secondsSince(t0);
    fdatasyncSync(fd); // untimed: leave no dirty pages for the next measurement
    return {
      case: 'disk_buffered_write',
      blockBytes: MiB,
      ops,
      bytes,
      seconds,
      notes: '1 MiB pwrites to a fresh file, no sync (page cache)',
    };
  });
}

export function measureFdatasync4k(dir: string, limits: DiskLimits = DEFAULT_DISK_LIMITS): DiskResult {
  return withScratchFile(dir, 'fdatasync-4k.dat', (fd) => {
    const t0 = nowNs();
    const [ops, bytes] = writeLoop(fd, 4096, limits, true, t0);
    const seconds = secondsSince(t0);
    return {
      case: 'disk_fdatasync_4k',
      blockBytes: 4096,
      ops,
      bytes,
      seconds,
      notes: '4 KiB appends to a fresh file, fdatasync after each write',
    };
  });
}

/** All three, in an order that keeps each from inheriting the previous one's dirty pages. */
export function measureDisk(dir: string, limits: DiskLimits = DEFAULT_DISK_LIMITS): DiskResult[] {
  return [measureBufferedWrite(dir, limits), measureSeqWrite(dir, limits), measureFdatasync4k(dir, limits)];
}
