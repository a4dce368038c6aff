/**
 * How full the file system holding the store is (RocketMQ's
 * UtilAll.getDiskPartitionSpaceUsedPercent, common/UtilAll.java, 4.9.8).
 *
 * The store reads it through {@link DiskUsageProbe} so tests can inject a
 * full disk without filling one.
 */
import { statfsSync } from 'node:fs';
import { InvalidArgumentError, StoreError, getErrorMessage } from '../common/index.js';

export interface DiskUsageProbe {
  /** Used fraction (0..1) of the file system holding `path`. Throws StoreError when it cannot tell. */
  usageRatio(path: string): number;
}

/**
 * Used fraction of the file system holding `path`, as `df` computes Use%:
 * `used / (used + available)`, with `used = blocks - bfree` and `available =
 * bavail` (blocks reserved for root count as unavailable). RocketMQ divides by
 * total size with root-reserved blocks counted free, so it reads a few percent
 * lower than this on ext4.
 */
export function diskUsageRatio(path: string): number {
  let s;
  try {
    s = statfsSync(path);
  } catch (err: unknown) {
    throw new StoreError(`cannot stat file system of ${path}: ${getErrorMessage(err)}`, { cause: err });
  }
  const used = s.blocks - s.bfree;
  const usable = used + s.bavail;
  if (!(usable > 0)) return 0; // pseudo file systems report zero blocks
  return Math.min(1, Math.max(0, used / usable));
}

/** The real probe, backed by statfs(2). */
export const statfsDiskUsage: DiskUsageProbe = { usageRatio: diskUsageRatio };

/** A probe that always reports `ratio` (tests: a full or an empty disk). */
export function fixedDiskUsage(ratio: number): DiskUsageProbe {
  if (!(ratio >= 0 && ratio <= 1)) throw new InvalidArgumentError(`ratio must be within 0..1, got ${ratio}`);
  return { usageRatio: () => ratio };
}
